// Overview: live numbers with 15-minute charts (from GET /v1/stats), the three probes with their
// named checks (GET /v1/health) and the SLO table (GET /v1/slo).
import { useMemo } from 'preact/hooks';
import { get } from '../api.js';
import { TimeSeries } from '../chart.js';
import { usePoll } from '../hooks.js';
import type { HealthReport, ProbeResult, SloReport, SloStatus, StatsSample, StatsSeries } from '../types.js';
import { Badge, ErrorNote, Health, Loading, pct, TableBox, Time } from '../ui.js';

const REFRESH_MS = 5000;

interface Metric {
  key: keyof Omit<StatsSample, 'at'>;
  title: string;
  format: (v: number) => string;
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const METRICS: Metric[] = [
  { key: 'activeWorkers', title: 'Active workers', format: num },
  { key: 'jobsQueued', title: 'Jobs queued', format: num },
  { key: 'jobsRunning', title: 'Jobs running', format: num },
  { key: 'workersCreatedPerMinute', title: 'Worker creation rate', format: (v) => `${num(v)}/min` },
  { key: 'podCreationP95Seconds', title: 'Pod creation P95', format: (v) => `${v.toFixed(v < 10 ? 2 : 1)} s` },
  { key: 'apiErrorRate', title: 'API error rate', format: (v) => pct(v) },
];

export function Overview() {
  const stats = usePoll((s) => get<StatsSeries>('/v1/stats', s), REFRESH_MS);
  const health = usePoll((s) => get<HealthReport>('/v1/health', s), REFRESH_MS);
  const slo = usePoll((s) => get<SloReport>('/v1/slo', s), REFRESH_MS);
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="now-h">
        <h2 id="now-h">Now and the last 15 minutes</h2>
        <ErrorNote error={stats.error} />
        {stats.data ? <Charts series={stats.data} /> : !stats.error && <Loading what="samples" />}
      </section>
      <section aria-labelledby="probes-h">
        <h2 id="probes-h">Health probes</h2>
        <ErrorNote error={health.error} />
        {health.data ? (
          <div class="grid probes">
            <Probe name="Liveness" path="/livez" r={health.data.liveness} />
            <Probe name="Readiness" path="/readyz" r={health.data.readiness} />
            <Probe name="Startup" path="/startupz" r={health.data.startup} />
          </div>
        ) : !health.error && <Loading what="probes" />}
      </section>
      <section aria-labelledby="slo-h">
        <h2 id="slo-h">Service level objectives</h2>
        <ErrorNote error={slo.error} />
        {slo.data ? <SloTable report={slo.data} /> : !slo.error && <Loading what="SLOs" />}
      </section>
    </>
  );
}

function Charts({ series }: { series: StatsSeries }) {
  const times = useMemo(() => series.samples.map((s) => Date.parse(s.at) / 1000), [series]);
  return (
    <div class="grid cards">
      {METRICS.map((m) => {
        const values = series.samples.map((s) => s[m.key]);
        const last = values.at(-1);
        return (
          <article class="card metric" key={m.key} data-metric={m.key}>
            <h3>{m.title}</h3>
            <p class="big" aria-live="off">{last === undefined ? '–' : m.format(last)}</p>
            <TimeSeries label={m.title} times={times} values={values} format={m.format} windowSeconds={series.windowSeconds} />
          </article>
        );
      })}
    </div>
  );
}

function Probe({ name, path, r }: { name: string; path: string; r: ProbeResult }) {
  return (
    <article class="card probe" data-probe={name.toLowerCase()} data-status={r.status}>
      <h3>{name} <Health status={r.status} /></h3>
      <p class="muted small"><code>{path}</code> · checked <Time at={r.checkedAt} /> in {r.durationMs} ms</p>
      <ul class="checks">
        {r.checks.map((c) => (
          <li key={c.name} data-check={c.name}>
            <Health status={c.status} /> <strong>{c.name}</strong>
            <span class="check-msg">{c.message}</span>
          </li>
        ))}
      </ul>
    </article>
  );
}

/** Targets are seconds (P95 SLOs) or ratios: shown the way docs/slo.md states them. */
const sloValue = (s: SloStatus, v: number): string => ((s.unit ?? (s.slo.endsWith('_time') ? 'seconds' : 'ratio')) === 'seconds' ? `${v.toFixed(2)} s` : pct(v));
const SLO_TITLES: Record<string, string> = {
  pod_creation_time: 'Pod creation time (P95) ≤',
  worker_creation_success_rate: 'Worker creation success ≥',
  api_error_rate: 'Kubernetes API error rate ≤',
  hpa_response_time: 'HPA response time (P95) ≤',
  queue_wait_time: 'Queue wait (P95) ≤',
  schedule_punctuality: 'Schedule start delay (P95) ≤',
};

function SloTable({ report }: { report: SloReport }) {
  return (
    <>
      <p class="muted small">Over the last {Math.round(report.windowSeconds / 60)} minutes, evaluated <Time at={report.evaluatedAt} />.</p>
      <TableBox label="SLOs">
        <table class="slo">
          <thead>
            <tr><th scope="col">SLO</th><th scope="col">Target</th><th scope="col">Current</th><th scope="col">Compliant</th>
              <th scope="col">Error budget left</th><th scope="col">Burn rate</th><th scope="col">Events (bad)</th></tr>
          </thead>
          <tbody>
            {report.slos.map((s) => (
              <tr key={s.slo} data-slo={s.slo}>
                <th scope="row">{SLO_TITLES[s.slo] ?? s.slo} <code class="small">{s.slo}</code></th>
                <td>{sloValue(s, s.target)}</td>
                <td>{sloValue(s, s.current)}</td>
                <td>{s.compliant ? <Badge tone="ok">yes</Badge> : <Badge tone="bad">no</Badge>}</td>
                <td>{pct(s.errorBudgetRemaining, 1)}</td>
                <td>{s.burnRate.toFixed(2)}×</td>
                <td>{s.total} ({s.bad})</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableBox>
    </>
  );
}
