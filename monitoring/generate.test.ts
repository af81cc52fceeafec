// The checked-in assets are exactly what the code generates, and the SLO config drives the
// alert rules, the SLO rules and the dashboard thresholds together.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KUBERNETES_SLOS, DEFAULT_SLOS, QUEUE_WAIT_BUCKETS, SCHEDULE_DELAY_BUCKETS } from '../src/providers/kubernetes/slo-config.js';
import { HPA_RESPONSE_BUCKETS, POD_DURATION_BUCKETS } from '../src/providers/kubernetes/metrics.js';
import { startTestServer } from '../test/e2e/harness.js';
import { drift, main } from './src/cli.js';
import { slosFromConfigFile } from './src/slo-source.js';
import { PATHS, generateAll } from './src/generate.js';
import { isAlert, type AlertingRule, type RuleGroup } from './src/rules/types.js';
import { ROOT, rulesOf, tool } from './testing/tools.js';

interface Board { refresh: string; panels: { title: string; fieldConfig?: { defaults: { thresholds?: { steps: { value: number | null; color: string }[] } } } }[] }

const alertsOf = (files: Record<string, string>): AlertingRule[] =>
  rulesOf((parse(files[PATHS.alerts] ?? '') as { groups: RuleGroup[] }).groups).filter(isAlert);
const alert = (files: Record<string, string>, name: string): AlertingRule => {
  const a = alertsOf(files).find((r) => r.alert === name);
  if (!a) throw new Error(`no alert ${name}`);
  return a;
};
const redAt = (files: Record<string, string>, path: string, title: string): number | null | undefined => {
  const board = JSON.parse(files[path] ?? '{}') as Board;
  return board.panels.find((p) => p.title === title)?.fieldConfig?.defaults.thresholds?.steps.find((s) => s.color === 'red')?.value;
};

describe('monitoring generator', () => {
  it('checked-in files are up to date (npm run monitoring:check)', () => {
    expect(drift(ROOT, generateAll())).toEqual([]);
  });

  it('--check reports a hand-edited or missing file', () => {
    const files = generateAll();
    const dir = mkdtempSync(join(tmpdir(), 'hodei-mon-'));
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    expect(drift(dir, files)).toEqual([]);
    writeFileSync(join(dir, PATHS.alerts), (files[PATHS.alerts] ?? '').replace('> 0.01', '> 0.02'));
    expect(drift(dir, files)).toEqual([PATHS.alerts]);
  });

  it('npm run monitoring:check (compiled CLI) passes on the checked-in tree', () => {
    const r = tool(process.execPath, ['monitoring/run.mjs', '--check'], { timeoutMs: 120_000 });
    expect(r.code, r.out).toBe(0);
  }, 120_000);

  it('a changed SLO config moves dashboard thresholds, alert rules and SLO rules together', () => {
    const slos = { ...DEFAULT_SLOS, maxPodCreationTime: 20, maxApiErrorRate: 0.005, minWorkerCreationSuccessRate: 0.995 };
    const before = generateAll();
    const after = generateAll({ slos });

    expect(alert(before, 'SlowPodCreation').expr).toMatch(/> 30$/);
    expect(alert(after, 'SlowPodCreation').expr).toMatch(/> 20$/);
    expect(alert(after, 'HighAPIErrorRate').expr).toMatch(/> 0\.005$/);

    expect(redAt(before, PATHS.overview, 'Pod Creation Duration (P95)')).toBe(30);
    expect(redAt(after, PATHS.overview, 'Pod Creation Duration (P95)')).toBe(20);
    expect(redAt(after, PATHS.overview, 'Pod Creation Duration')).toBe(20);
    expect(redAt(after, PATHS.overview, 'API Error Rate')).toBe(0.005);
    expect(redAt(after, PATHS.slo, 'Pod Creation Duration vs SLO')).toBe(20);

    const slo = after[PATHS.sloRules] ?? '';
    expect(slo).toContain('hodei_kubernetes_pod_creation_duration_seconds_bucket{le="20"}');
    expect(slo).not.toContain('hodei_kubernetes_pod_creation_duration_seconds_bucket{le="30"}');
    expect(slo).toContain('hodei:slo_error_ratio:rate1h{slo="api_error_rate"} / 0.005');
    expect(slo).toContain('hodei:slo_error_ratio:rate1h{slo="worker_creation_success_rate"} / 0.005');
    // The Operator copy follows as well.
    expect(after[PATHS.prometheusRule]).toContain('> 0.005');
  });

  it('queue and schedule alert thresholds are generator options; production keeps 10 minutes and 15m', () => {
    const before = generateAll();
    expect(alert(before, 'HodeiQueueStalled').expr).toMatch(/hodei_queue_oldest_queued_seconds\) > 600\n/);
    expect(alert(before, 'HodeiScheduleMissed').expr).toContain('increase(hodei_schedule_runs_total{result="missed"}[15m])');
    const after = generateAll({ alerts: { queueStalledSeconds: 4, scheduleMissedWindow: '8s' } });
    expect(alert(after, 'HodeiQueueStalled').expr).toMatch(/> 4\n[\s\S]*timestamp_seconds\)\) > 4\n/);
    expect(alert(after, 'HodeiQueueStalled').annotations.description).toContain('started none for over 4 seconds');
    expect(alert(after, 'HodeiScheduleMissed').expr).toContain('[8s]');
    expect(alert(after, 'WorkerCreationFailures').expr).toMatch(/> 0\.05$/);
  });

  it('queue wait and schedule punctuality are SLOs of the rules, their targets on the le bucket', () => {
    const files = generateAll({ slos: { ...DEFAULT_SLOS, maxQueueWaitTime: 30, maxScheduleStartDelay: 10 } });
    const slo = files[PATHS.sloRules] ?? '';
    expect(slo).toContain('hodei_job_queue_wait_seconds_bucket{le="30"}');
    expect(slo).toContain('hodei_schedule_start_delay_seconds_bucket{le="10"}');
    expect(slo).toContain('hodei_schedule_runs_total{result="missed"}');
    for (const name of ['queue_wait_time', 'schedule_punctuality']) {
      expect(slo).toContain(`hodei:slo_burn_rate:rate1h{slo="${name}"}`.replace('burn_rate', 'error_ratio'));
    }
  });

  it('the PrometheusRule and the dashboards ConfigMap carry exactly the plain files', () => {
    const files = generateAll();
    const plain = [PATHS.alerts, PATHS.sloRules].flatMap((p) => (parse(files[p] ?? '') as { groups: RuleGroup[] }).groups);
    const pr = parse(files[PATHS.prometheusRule] ?? '') as { spec: { groups: RuleGroup[] } };
    expect(pr.spec.groups).toEqual(plain);
    const cm = parse(files[PATHS.dashboardsConfigMap] ?? '') as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(cm.data['hodei-overview.json']).toBe(files[PATHS.overview]);
    expect(cm.data['hodei-slo.json']).toBe(files[PATHS.slo]);
  });

  it('latency SLO targets must be histogram bucket bounds of the runtime (the rules read le="<target>")', () => {
    expect(POD_DURATION_BUCKETS as readonly number[]).toContain(DEFAULT_KUBERNETES_SLOS.maxPodCreationTime);
    expect(HPA_RESPONSE_BUCKETS as readonly number[]).toContain(DEFAULT_KUBERNETES_SLOS.maxHpaResponseTime);
    expect(() => generateAll({ slos: { ...DEFAULT_SLOS, maxPodCreationTime: 25 } })).toThrow(/slo\.maxPodCreationTime = 25 is not a bucket bound/);
    expect(QUEUE_WAIT_BUCKETS).toContain(DEFAULT_SLOS.maxQueueWaitTime);
    expect(SCHEDULE_DELAY_BUCKETS).toContain(DEFAULT_SLOS.maxScheduleStartDelay);
    expect(() => generateAll({ slos: { ...DEFAULT_SLOS, maxQueueWaitTime: 45 } })).toThrow(/slo\.maxQueueWaitTime = 45 is not a bucket bound of hodei_job_queue_wait_seconds/);
    expect(() => generateAll({ slos: { ...DEFAULT_SLOS, maxScheduleStartDelay: 20 } })).toThrow(/slo\.maxScheduleStartDelay = 20 is not a bucket bound of hodei_schedule_start_delay_seconds/);
  });

  it("the spec's five alerts keep its names, conditions' durations and severities", () => {
    const files = generateAll();
    const spec: [string, string | undefined, string][] = [
      ['HighAPIErrorRate', '5m', 'critical'], ['SlowPodCreation', '5m', 'warning'], ['WorkerCreationFailures', '10m', 'critical'],
      ['SLOViolation', '1m', 'high'], ['NetworkPolicyViolations', undefined, 'warning'],
    ];
    for (const [name, forDuration, severity] of spec) {
      const a = alert(files, name);
      expect([a.for, a.labels.severity], name).toEqual([forDuration, severity]);
    }
    expect(alert(files, 'HighAPIErrorRate').expr).toMatch(/rate\(hodei_kubernetes_api_request_errors_total\[5m\]\)[\s\S]*rate\(hodei_kubernetes_api_requests_total\[5m\]\)/);
    expect(alert(files, 'SlowPodCreation').expr).toMatch(/^histogram_quantile\(0\.95, .*rate\(hodei_kubernetes_pod_creation_duration_seconds_bucket\[5m\]\)/);
  });

  it('every alert has summary, description, team, severity and a runbook that exists', () => {
    const files = generateAll();
    const all = [PATHS.alerts, PATHS.sloRules].flatMap((p) => rulesOf((parse(files[p] ?? '') as { groups: RuleGroup[] }).groups)).filter(isAlert);
    for (const a of all) {
      expect(a.annotations.summary, a.alert).toBeTruthy();
      expect(a.annotations.description, a.alert).toBeTruthy();
      expect(a.labels.team, a.alert).toBe('platform');
      expect(['critical', 'high', 'warning']).toContain(a.labels.severity);
      expect(a.annotations.runbook_url).toBe(`https://github.com/hodei/hodei/blob/main/docs/runbooks/${a.alert}.md`);
      expect(existsSync(join(ROOT, 'docs/runbooks', `${a.alert}.md`)), `docs/runbooks/${a.alert}.md missing`).toBe(true);
    }
    expect(alertsOf(generateAll({ runbookBaseUrl: 'https://example.test/rb/' }))[0]?.annotations.runbook_url).toMatch(/^https:\/\/example\.test\/rb\//);
  });
});

describe('a deployment config file with its own SLO targets', () => {
  it('drives the generated assets and GET /v1/slo alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-slo-cfg-'));
    const file = join(dir, 'hodei.yaml');
    writeFileSync(file, 'slo:\n  maxPodCreationTime: 20\n  maxApiErrorRate: 0.005\n  windowSeconds: 1800\n');
    expect(main(['--config', file, '--out', join(dir, 'out')], ROOT)).toBe(0);
    const read = (p: string): string => readFileSync(join(dir, 'out', p), 'utf8');
    expect(alert({ [PATHS.alerts]: read(PATHS.alerts) }, 'SlowPodCreation').expr).toMatch(/> 20$/);
    expect(redAt({ [PATHS.overview]: read(PATHS.overview) }, PATHS.overview, 'API Error Rate')).toBe(0.005);
    expect(main(['--config', file], ROOT)).toBe(2);

    const server = await startTestServer({ config: { slo: { maxPodCreationTime: 20, maxApiErrorRate: 0.005, windowSeconds: 1800 } } });
    try {
      const report = JSON.parse((await server.client.raw('/v1/slo')).text) as { targets: Record<string, number> };
      expect(report.targets).toEqual(slosFromConfigFile(file));
    } finally {
      await server.stop();
    }
  }, 60_000);
});
