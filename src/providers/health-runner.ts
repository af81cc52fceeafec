// Runs named health checks the Kubernetes way: in parallel, each bounded by its own timeout (a hung
// dependency answers "no answer within N ms" instead of hanging the probe), the worst status wins.
// Shared by providers' own checkers and the control plane's probes (observability/health.ts adds
// gauges and change events on top).
import type { HealthCheck, HealthCheckResult, HealthStatus, ProviderHealthCheck } from './provider.js';

export type Probe = 'liveness' | 'readiness' | 'startup';
export const PROBES: readonly Probe[] = ['liveness', 'readiness', 'startup'];
export type NamedCheck = ProviderHealthCheck;

export const HEALTH_RANK: Record<HealthStatus, number> = { Healthy: 0, Degraded: 1, Unhealthy: 2 };
export const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b);

/** One check, bounded by its timeout (default 800 ms); a throw is Unhealthy with its message. */
async function runCheck(c: NamedCheck): Promise<HealthCheck> {
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
  return { name: c.name, status: r.status, message: r.message, durationMs: Math.round((performance.now() - started) * 10) / 10 };
}

/** Every check of the probe, in parallel; `observe` sees each result (metrics). */
export async function runProbe(checks: readonly NamedCheck[], probe: Probe, observe?: (c: HealthCheck) => void): Promise<HealthCheckResult> {
  const started = performance.now();
  const results = await Promise.all(checks.filter((c) => c.probes.includes(probe)).map(async (c) => {
    const r = await runCheck(c);
    observe?.(r);
    return r;
  }));
  return {
    status: results.reduce<HealthStatus>((acc, c) => worst(acc, c.status), 'Healthy'),
    details: Object.fromEntries(results.map((c) => [c.name, c.message])),
    checks: results,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    checkedAt: new Date().toISOString(),
  };
}
