// Health probes the Kubernetes way: /livez, /readyz, /startupz answer 200 (Healthy or Degraded)
// or 503 (Unhealthy); `?verbose` lists every named check. Checks run in parallel, each bounded
// by its own timeout, so a probe answers quickly even when a dependency hangs.
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { HEALTH_RANK, PROBES, runProbe, type NamedCheck, type Probe } from '../providers/health-runner.js';
import type { HealthCheckResult, HealthStatus } from '../providers/provider.js';

export { PROBES, worst, type NamedCheck, type Probe } from '../providers/health-runner.js';

export interface HealthChange {
  probe: Probe;
  from: HealthStatus;
  to: HealthStatus;
  failing: string[];
}

export class HealthRegistry {
  private readonly checks: NamedCheck[] = [];
  private readonly statusGauge?: Gauge<'probe'>;
  private readonly durationHist?: Histogram<'check'>;

  constructor(registry?: Registry) {
    if (!registry) return;
    this.statusGauge = new Gauge({ name: 'hodei_health_status', help: 'Last probe result: 0 Healthy, 1 Degraded, 2 Unhealthy.', labelNames: ['probe'], registers: [registry] });
    this.durationHist = new Histogram({ name: 'hodei_health_check_duration_seconds', help: 'Duration of each named health check.', labelNames: ['check'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] });
  }

  private readonly last = new Map<Probe, HealthStatus>();
  private readonly listeners: Array<(ev: HealthChange) => void> = [];

  add(check: NamedCheck): void {
    this.checks.push(check);
  }

  /** Called when a probe's overall status differs from its previous run (not on the first run). */
  onChange(listener: (ev: HealthChange) => void): void {
    this.listeners.push(listener);
  }

  async run(probe: Probe): Promise<HealthCheckResult> {
    const result = await runProbe(this.checks, probe, (c) => this.durationHist?.observe({ check: c.name }, c.durationMs / 1000));
    const { status, checks } = result;
    this.statusGauge?.set({ probe }, HEALTH_RANK[status]);
    const before = this.last.get(probe);
    this.last.set(probe, status);
    if (before !== undefined && before !== status) {
      const failing = checks.filter((c) => c.status !== 'Healthy').map((c) => `${c.name}: ${c.message}`);
      for (const l of this.listeners) l({ probe, from: before, to: status, failing });
    }
    return result;
  }
}

const PATHS: Record<Probe, string> = { liveness: '/livez', readiness: '/readyz', startup: '/startupz' };

export function healthRoutes(app: FastifyInstance, health: HealthRegistry): void {
  for (const probe of PROBES) {
    // Public (no token), as kubelet probes expect; `?verbose` lists every named check.
    app.get<{ Querystring: { verbose?: string } }>(PATHS[probe], {
      config: { public: true },
      schema: {
        summary: `${probe[0]?.toUpperCase()}${probe.slice(1)} probe: 200 unless Unhealthy (503)`, tags: ['health'],
        querystring: { type: 'object', properties: { verbose: { type: 'string', maxLength: 16, description: 'present: list every check' } } },
      },
    }, async (req, reply) => {
      const r = await health.run(probe);
      void reply.status(r.status === 'Unhealthy' ? 503 : 200).header('content-type', 'text/plain; charset=utf-8');
      if (req.query.verbose === undefined) return r.status === 'Unhealthy' ? `${PATHS[probe]} check failed\n` : 'ok\n';
      const lines = r.checks.map((c) => `[${c.status === 'Healthy' ? '+' : c.status === 'Degraded' ? '~' : '-'}]${c.name} ${c.status.toLowerCase()}: ${c.message}`);
      return `${lines.join('\n')}\n${PATHS[probe].slice(1)} ${r.status === 'Unhealthy' ? 'check failed' : 'check passed'} (${r.status})\n`;
    });
  }
  app.get('/v1/health', { schema: { summary: 'Every probe with every check', tags: ['health'] } }, async () => {
    const [liveness, readiness, startup] = await Promise.all(PROBES.map((p) => health.run(p)));
    return { liveness, readiness, startup };
  });
}
