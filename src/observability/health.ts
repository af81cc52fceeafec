// Health probes the Kubernetes way: every named check of a probe (liveness, readiness, startup)
// runs in parallel, each bounded by its own timeout, so a probe answers quickly even when a
// dependency hangs. The HTTP side (/livez /readyz /startupz, `?verbose`) is api/routes/health.ts.
import { Gauge, Histogram, type Registry } from 'prom-client';
import { HEALTH_RANK, runProbe, type NamedCheck, type Probe } from '../providers/health-runner.js';
import type { HealthCheckResult, HealthStatus } from '../providers/provider.js';

export { PROBES, type NamedCheck, type Probe } from '../providers/health-runner.js';

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

  /**
   * Runs every check once, recording nothing: checks read from cache (providers/health-cache.ts)
   * have their first answer before the first probe, which would otherwise wait on all of them.
   */
  warm(): void {
    for (const c of this.checks) void Promise.resolve().then(() => c.run()).catch(() => undefined);
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
