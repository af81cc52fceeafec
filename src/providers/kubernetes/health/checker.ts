// KubernetesHealthChecker: liveness, readiness and startup of the Kubernetes provider, from real
// checks against the API server and the provider's own loops. Checks run in parallel, each bounded
// by its own timeout (HealthRegistry), so a probe answers in < 1 s even when the API hangs. Every
// check that asks the API reads a cache refreshed behind the probes (providers/health-cache.ts):
// readiness is Unhealthy only when the replica cannot work (API unreachable or hung, namespace
// gone, pod creation forbidden, informer not synced, breaker open), never because an answer was slow.
// Messages name the cause in words an SRE acts on ("quota 'compute' pods 20/20 used").
import { runProbe, type NamedCheck, type Probe } from '../../health-runner.js';
import type { HealthCheckResult, HealthStatus } from '../../provider.js';
import { apiMessage } from '../client/api-errors.js';
import type { ApiRequestEvent, KubeClient } from '../client/client.js';
import { cachedCheck, type CachedCheck, type CachedCheckOptions } from '../../health-cache.js';
import { checkCapacity, type WorkerShape } from './capacity.js';
import { checkQuotas } from './quota.js';
import { ErrorWindow } from './window.js';
import { DEFAULT_KUBERNETES_SLOS } from '../slo-config.js';

type Result = { status: HealthStatus; message: string };

/** What the provider tells the checker about itself (all optional: the checker works on a bare client too). */
export interface HealthCheckerOptions {
  /** The pod informer has listed and is watching. */
  informerSynced?: () => boolean;
  /** Last time each of the provider's loops ran (attempted, not succeeded): liveness. */
  loops?: () => Array<{ name: string; lastTickAt: Date | null; intervalMs: number }>;
  /** The initial adoption/reconcile pass has finished. */
  adopted?: () => boolean;
  /** Network policies present (when the provider applies them). */
  networkPolicy?: () => Promise<{ ok: boolean; message: string }>;
  /** What a default worker requests (capacity check). */
  worker?: WorkerShape;
  /** Threshold of the recent API error rate: the configured SLO target `slo.maxApiErrorRate`, the same one
   *  the SLO engine, the generated alert rules and the dashboards judge by. @defaultValue DEFAULT_KUBERNETES_SLOS.maxApiErrorRate */
  maxApiErrorRate?: number;
  /** Verbs the provider needs, checked with SelfSubjectAccessReview. */
  permissions?: Permission[];
  /** How long an allowing RBAC answer is reused (a 403 from any request drops it; a denial is re-asked every fastCheckPeriodMs). @defaultValue 60000 */
  rbacCacheMs?: number;
  /** Bound of each check, and how long the first probe waits for an answer. @defaultValue 800 */
  checkTimeoutMs?: number;
  /**
   * A refresh with no answer this long makes its check fail ("no answer within N ms"): the API is
   * hung. Slower answers keep the last verdict (a loaded API server is not an unreachable one).
   * @defaultValue 5000
   */
  unansweredAfterMs?: number;
  /** How often probes refresh the API and namespace checks (read from cache in between). @defaultValue 2000 */
  fastCheckPeriodMs?: number;
  /** How often probes refresh the list-based checks: quota, capacity, HPAs. @defaultValue 15000 */
  listCheckPeriodMs?: number;
  now?: () => number;
}

export interface Permission {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
}

/** Everything a worker pod's lifecycle needs in its namespace. */
const WORKER_PERMISSIONS: Permission[] = [
  ...['create', 'get', 'list', 'watch', 'delete'].map((verb) => ({ verb, resource: 'pods' })),
  ...['create', 'get', 'delete'].map((verb) => ({ verb, resource: 'secrets' })),
];

export class KubernetesHealthChecker {
  private readonly all: NamedCheck[];
  private readonly window: ErrorWindow;
  private readonly unhook: () => void;
  private rbac: CachedCheck | undefined;
  private everConnected = false;
  private readonly now: () => number;

  constructor(
    readonly providerId: string,
    private readonly client: KubeClient,
    readonly namespace: string,
    private readonly o: HealthCheckerOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    this.window = new ErrorWindow(5 * 60_000, this.now);
    // The client's verdict (isFailedApiRequest), as the metrics and the SLO window count it.
    this.unhook = client.onRequest((ev: ApiRequestEvent) => {
      this.window.record(ev.error === true);
      // A refusal may be a revoked permission: the next probe asks RBAC again, not in a minute.
      if (ev.code === 403 && this.rbac?.last?.status === 'Healthy') this.rbac.invalidate();
    });
    this.all = this.build();
  }

  livenessCheck(): Promise<HealthCheckResult> {
    return runProbe(this.all, 'liveness');
  }

  readinessCheck(): Promise<HealthCheckResult> {
    return runProbe(this.all, 'readiness');
  }

  startupCheck(): Promise<HealthCheckResult> {
    return runProbe(this.all, 'startup');
  }

  /** Stops listening to the client. */
  close(): void {
    this.unhook();
  }

  /** The named checks, for a control plane that serves them among its own (/readyz?verbose): the same caches the checker's own probes read. */
  checks(): NamedCheck[] {
    return this.all;
  }

  private build(): NamedCheck[] {
    const timeoutMs = this.o.checkTimeoutMs ?? 800;
    const c = (name: string, probes: Probe[], run: () => Promise<Result>): NamedCheck =>
      ({ name: `kubernetes-${name}`, probes, run, timeoutMs });
    // Probes never list the cluster themselves: API checks refresh every few seconds, lists less often.
    const unansweredAfterMs = this.o.unansweredAfterMs ?? 5000;
    const cached = (periodMs: CachedCheckOptions['periodMs'], run: () => Promise<Result>, failed: HealthStatus) =>
      cachedCheck(run, { periodMs, timeoutMs, unansweredAfterMs, failed, now: this.now, onError: (err) => ({ status: failed, message: `check failed: ${apiMessage(err)}` }) });
    const fast = this.o.fastCheckPeriodMs ?? 2000;
    const slow = this.o.listCheckPeriodMs ?? 15_000;
    // RBAC rarely changes: an allowing answer is reused a minute; a denial is re-asked every fast period.
    const rbac = cached((last) => (last.status === 'Healthy' ? this.o.rbacCacheMs ?? 60_000 : fast), () => this.rbacCheck(), 'Unhealthy');
    this.rbac = rbac;
    const api = cached(fast, () => this.api(), 'Unhealthy');
    const namespace = cached(fast, () => this.namespaceCheck(), 'Unhealthy');
    const quota = cached(slow, () => checkQuotas(this.client, this.namespace), 'Degraded');
    const capacity = cached(slow, () => checkCapacity(this.client, this.o.worker ?? { cpuMillis: 100, memoryBytes: 256 * 2 ** 20, gpus: 0 }), 'Degraded');
    const hpas = cached(slow, () => this.hpas(), 'Degraded');
    return [
      c('loops', ['liveness'], async () => this.loops()),
      c('api', ['readiness', 'startup'], api),
      c('namespace', ['readiness', 'startup'], namespace),
      c('rbac', ['readiness'], rbac),
      c('informer', ['readiness', 'startup'], async () => this.informer()),
      c('quota', ['readiness'], quota),
      c('capacity', ['readiness'], capacity),
      c('network-policy', ['readiness'], () => this.networkPolicy()),
      c('hpa', ['readiness'], hpas),
      c('api-error-rate', ['readiness'], async () => this.errorRate()),
      c('circuit-breaker', ['readiness'], async () => this.breaker()),
      c('adoption', ['startup'], async () => (this.o.adopted?.() ?? true)
        ? { status: 'Healthy', message: 'initial adoption of existing pods done' }
        : { status: 'Unhealthy', message: 'initial adoption of existing pods not finished yet' }),
    ];
  }

  /** An API outage does not fail liveness: only a wedged loop does (a restart would help). */
  private loops(): Result {
    const now = this.now();
    for (const l of this.o.loops?.() ?? []) {
      if (!l.lastTickAt) continue;
      const age = now - l.lastTickAt.getTime();
      if (age > l.intervalMs * 6 + 30_000) return { status: 'Unhealthy', message: `${l.name} loop last ran ${Math.round(age / 1000)} s ago (every ${l.intervalMs} ms expected)` };
    }
    return { status: 'Healthy', message: 'provider loops running' };
  }

  private async api(): Promise<Result> {
    const started = this.now();
    try {
      const res = await this.client.request('GET', '/version');
      this.everConnected = true;
      const v = (JSON.parse(res.text) as { gitVersion?: string }).gitVersion ?? 'unknown';
      return { status: 'Healthy', message: `API server ${this.client.server} (${v}) answered in ${this.now() - started} ms` };
    } catch (err) {
      return { status: 'Unhealthy', message: `API server ${this.client.server} unreachable: ${apiMessage(err)}` };
    }
  }

  private async namespaceCheck(): Promise<Result> {
    try {
      const res = await this.client.request('GET', `/api/v1/namespaces/${this.namespace}`);
      const phase = (JSON.parse(res.text) as { status?: { phase?: string } }).status?.phase ?? 'Active';
      return phase === 'Active'
        ? { status: 'Healthy', message: `namespace '${this.namespace}' Active` }
        : { status: 'Unhealthy', message: `namespace '${this.namespace}' is ${phase}: no worker can start there` };
    } catch (err) {
      return { status: 'Unhealthy', message: `namespace '${this.namespace}': ${apiMessage(err)}` };
    }
  }

  /** SelfSubjectAccessReview for every verb the provider needs (read through the cache above). */
  private async rbacCheck(): Promise<Result> {
    const perms = this.o.permissions ?? WORKER_PERMISSIONS;
    const answers = await Promise.all(perms.map(async (p) => {
      const body = {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: this.namespace, verb: p.verb, resource: p.resource, group: p.group ?? '', ...(p.subresource ? { subresource: p.subresource } : {}) } },
      };
      const res = await this.client.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {}, body);
      return { p, allowed: (JSON.parse(res.text) as { status?: { allowed?: boolean } }).status?.allowed === true };
    }));
    const denied = answers.filter((a) => !a.allowed).map(({ p }) => `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}${p.subresource ? `/${p.subresource}` : ''}`);
    return denied.length
      ? { status: 'Unhealthy', message: `RBAC denies ${denied.join(', ')} in namespace '${this.namespace}'` }
      : { status: 'Healthy', message: `RBAC allows the ${perms.length} verbs the provider needs` };
  }

  private informer(): Result {
    const synced = this.o.informerSynced?.() ?? true;
    return synced ? { status: 'Healthy', message: 'pod informer synced' } : { status: 'Unhealthy', message: 'pod informer not synced: pod states are unknown' };
  }

  private async networkPolicy(): Promise<Result> {
    if (!this.o.networkPolicy) return { status: 'Healthy', message: 'network policies not managed by hodei' };
    const r = await this.o.networkPolicy();
    return { status: r.ok ? 'Healthy' : 'Degraded', message: r.message };
  }

  /** Pool HPAs that cannot scale are a Degraded pool, not a dead provider. */
  private async hpas(): Promise<Result> {
    const res = await this.client.request('GET', `/apis/autoscaling/v2/namespaces/${this.namespace}/horizontalpodautoscalers`,
      { labelSelector: 'app.kubernetes.io/managed-by=hodei' });
    type Hpa = { metadata?: { name?: string }; status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } };
    const items = (JSON.parse(res.text) as { items?: Hpa[] }).items ?? [];
    const stuck = items.flatMap((h) => (h.status?.conditions ?? [])
      .filter((c) => (c.type === 'AbleToScale' || c.type === 'ScalingActive') && c.status === 'False')
      .map((c) => `pool HPA '${h.metadata?.name ?? '?'}' ${c.type}=False (${c.reason ?? 'unknown'}: ${c.message ?? ''})`));
    if (stuck.length) return { status: 'Degraded', message: stuck.join('; ') };
    return { status: 'Healthy', message: items.length ? `${items.length} pool HPAs able to scale` : 'no worker pools' };
  }

  private errorRate(): Result {
    const { errors, total } = this.window.totals();
    if (total === 0) return { status: 'Healthy', message: 'no API requests in the last 5 m' };
    const rate = errors / total;
    const limit = this.o.maxApiErrorRate ?? DEFAULT_KUBERNETES_SLOS.maxApiErrorRate;
    const msg = `API error rate ${(rate * 100).toFixed(2)}% over 5 m (${errors}/${total}; target ≤ ${(limit * 100).toFixed(2)}%)`;
    // Degraded at any rate: an unreachable API is the api and circuit-breaker checks' to call Unhealthy.
    return { status: rate > limit ? 'Degraded' : 'Healthy', message: msg };
  }

  private breaker(): Result {
    const state = this.client.breaker.state;
    if (state === 'open') return { status: 'Unhealthy', message: 'circuit breaker open: the API server keeps failing, requests are refused until it recovers' };
    if (state === 'half-open') return { status: 'Degraded', message: 'circuit breaker half-open: probing the API server' };
    return { status: 'Healthy', message: 'circuit breaker closed' };
  }

  /** True once the API server answered at least once (startup: "connected"). */
  get connected(): boolean {
    return this.everConnected;
  }
}
