// Health probes the Kubernetes way: /livez, /readyz, /startupz answer 200 (Healthy or Degraded)
// or 503 (Unhealthy); `?verbose` lists every named check. Checks run in parallel, each bounded
// by its own timeout, so a probe answers quickly even when a dependency hangs.
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { HealthCheck, HealthCheckResult, HealthStatus } from '../providers/provider.js';

export type Probe = 'liveness' | 'readiness' | 'startup';
export const PROBES: readonly Probe[] = ['liveness', 'readiness', 'startup'];

export interface NamedCheck {
  name: string;
  probes: readonly Probe[];
  /** Resolves to a status and a message an SRE can act on. */
  run: () => Promise<{ status: HealthStatus; message: string }>;
  /** @defaultValue 800 */
  timeoutMs?: number;
}

export interface HealthChange {
  probe: Probe;
  from: HealthStatus;
  to: HealthStatus;
  failing: string[];
}

const RANK: Record<HealthStatus, number> = { Healthy: 0, Degraded: 1, Unhealthy: 2 };
export const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[a] >= RANK[b] ? a : b);

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
    const started = performance.now();
    const checks = await Promise.all(this.checks.filter((c) => c.probes.includes(probe)).map((c) => this.runOne(c)));
    const status = checks.reduce<HealthStatus>((acc, c) => worst(acc, c.status), 'Healthy');
    this.statusGauge?.set({ probe }, RANK[status]);
    const before = this.last.get(probe);
    this.last.set(probe, status);
    if (before !== undefined && before !== status) {
      const failing = checks.filter((c) => c.status !== 'Healthy').map((c) => `${c.name}: ${c.message}`);
      for (const l of this.listeners) l({ probe, from: before, to: status, failing });
    }
    return {
      status,
      details: Object.fromEntries(checks.map((c) => [c.name, c.message])),
      checks,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      checkedAt: new Date().toISOString(),
    };
  }

  private async runOne(c: NamedCheck): Promise<HealthCheck> {
    const started = performance.now();
    const timeoutMs = c.timeoutMs ?? 800;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ status: HealthStatus; message: string }>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'Unhealthy', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    let r: { status: HealthStatus; message: string };
    try {
      r = await Promise.race([c.run(), timeout]);
    } catch (err) {
      r = { status: 'Unhealthy', message: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
    const durationMs = performance.now() - started;
    this.durationHist?.observe({ check: c.name }, durationMs / 1000);
    return { name: c.name, status: r.status, message: r.message, durationMs: Math.round(durationMs * 10) / 10 };
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
