// KubernetesProviderMetrics: the spec's provider metrics on prom-client, exported as
// hodei_kubernetes_<name> on an injected Registry. Durations come in as milliseconds (the spec's
// API) and are exported in seconds; counters end in _total; every series has a `provider` label and
// every other label value comes from a fixed vocabulary or a capped set, so cardinality stays bounded.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Ring } from '../../util/histogram-math.js';
import type { ApiRequestEvent } from '../../providers/kubernetes/client/client.js';
import { K8S_METRIC_PREFIX } from '../../providers/kubernetes/slo-config.js';
import {
  API_ERROR_CODES, codeLabel, FAILURE_REASONS, HPA_OPERATIONS, NAMESPACE_OPERATIONS, PENDING_REASONS, POD_STATES,
  STARTUP_PHASES, VIOLATION_SOURCES, type PodState, type StartupPhase,
} from '../../providers/kubernetes/vocabulary.js';

/** Pod creation/deletion buckets (s): fine below 10 s, SLO targets (20, 30, 60) are bounds. */
export const POD_DURATION_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300] as const;
export const HPA_RESPONSE_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600] as const;
const STARTUP_PHASE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300] as const;

export { FAILURE_REASONS, POD_STATES, PENDING_REASONS, STARTUP_PHASES, type PodState, type StartupPhase } from '../../providers/kubernetes/vocabulary.js';
/** Kubernetes API request latency buckets (s): a GET answers in ms, a slow apiserver in seconds. */
const API_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
/** The request seeded at 0 (with every error code) so the error series exist before any traffic: the provider's one essential call. */
const SEEDED_API_REQUEST = { verb: 'create', endpoint: '/api/v1/namespaces/{namespace}/pods' } as const;

/** One pod as the provider's informer sees it now; only what the gauges need. */
export interface PodSnapshot {
  phase: PodState | string;
  /** Why it is Pending (scheduler/kubelet reason), when it is. */
  pendingReason?: string | null;
  /** Sum of the pod's container requests. */
  cpuMillicores?: number;
  memoryBytes?: number;
  gpus?: number;
}
/** Returns the current pods; called at scrape time so gauges follow the cluster (and go down). */
export type PodView = () => Iterable<PodSnapshot>;

/** What the SLO engine consumes; SliTracker (slo.ts) implements it. Fed at the same call sites as the metrics so both agree. */
export interface SliRecorder {
  recordWorkerCreated(): void;
  recordWorkerFailed(): void;
  recordPodCreationTime(seconds: number): void;
  recordApiRequest(isError: boolean): void;
  recordHpaResponse(seconds: number): void;
}

export interface ApiRequestLabels {
  /** A templated path or resource name — never a path holding an object name. */
  endpoint?: string;
  verb?: string;
  code?: number | string;
}

export interface KubernetesProviderMetricsOptions {
  /** Where series are registered; a private Registry when omitted (never the global one). */
  registry?: Registry;
  /** Value of the `provider` label. @defaultValue "kubernetes" */
  provider?: string;
  /** SLI window fed at the same moments as the metrics. */
  sli?: SliRecorder;
}

/** Caps distinct values of a free-form label; later newcomers become `other`. */
class LabelCap {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  value(raw: string | number | undefined): string {
    const v = raw === undefined || raw === '' ? 'unknown' : String(raw).slice(0, 80);
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}

const oneOf = <T extends string>(list: readonly T[], v: string | null | undefined, fallback: T): T =>
  (list as readonly string[]).includes(v ?? '') ? (v as T) : fallback;

export class KubernetesProviderMetrics {
  readonly registry: Registry;
  readonly provider: string;
  private readonly sli?: SliRecorder;
  private readonly c: ReturnType<typeof build>;
  private view?: PodView;
  private readonly caps = { endpoint: new LabelCap(64), verb: new LabelCap(16), code: new LabelCap(32), source: new LabelCap(32), op: new LabelCap(16) };
  // Plain tallies for getSummary()/snapshot(): reading prom-client values back is async.
  private readonly tally = { created: 0, deleted: 0, failed: 0, active: 0, apiRequests: 0, apiErrors: 0 };
  private readonly failedBy = new Map<string, number>();
  private readonly recentCreation = new Ring(1024);
  private readonly recentDeletion = new Ring(1024);

  constructor(opts: KubernetesProviderMetricsOptions = {}) {
    this.registry = opts.registry ?? new Registry();
    this.provider = opts.provider ?? 'kubernetes';
    if (opts.sli) this.sli = opts.sli;
    this.c = build(this.registry, this.provider, () => this.view);
    const p = { provider: this.provider };
    // Zero-valued series from the start, so rate() and ratios have something to work with.
    this.c.created.inc(p, 0);
    this.c.deleted.inc(p, 0);
    this.c.active.set(p, 0);
    for (const s of POD_STATES) this.c.podsByState.set({ ...p, state: s }, 0);
    for (const k of ['cpu', 'memory', 'gpu'] as const) this.c[k].set(p, 0);
    // Failure reasons are a fixed set: each series exists at 0, so the first failure is a step
    // that increase()/rate() can see (a series born at 1 looks like no change).
    for (const reason of FAILURE_REASONS) this.c.failed.inc({ ...p, reason }, 0);
    // Histograms too: a burst of observations before the first scrape (5 pods ready at once, the one
    // HPA response) would otherwise be born at its final count, and rate() of it is 0 (quantile NaN).
    for (const h of [this.c.creation, this.c.deletion, this.c.hpaResponse]) h.zero(p);
    for (const phase of STARTUP_PHASES) this.c.startup.zero({ ...p, phase });
    // Every other counter the dashboards and rules read, at 0 for its known label values: a fresh
    // install shows 0, not "No data", and the first event is a step rate() sees.
    for (const operation of HPA_OPERATIONS) this.c.hpaOps.inc({ ...p, operation: this.caps.op.value(operation) }, 0);
    for (const operation of NAMESPACE_OPERATIONS) this.c.nsOps.inc({ ...p, operation: this.caps.op.value(operation) }, 0);
    for (const source of VIOLATION_SOURCES) this.c.netpol.inc({ ...p, source: this.caps.source.value(source) }, 0);
    const req = { ...p, endpoint: this.caps.endpoint.value(SEEDED_API_REQUEST.endpoint), verb: this.caps.verb.value(SEEDED_API_REQUEST.verb) };
    for (const code of API_ERROR_CODES) {
      const l = { ...req, code: this.caps.code.value(code) };
      this.c.apiRequests.inc(l, 0);
      this.c.apiErrors.inc(l, 0);
    }
    this.c.apiDuration.zero(req);
  }

  incrementWorkersCreated(): void {
    this.tally.created++;
    this.c.created.inc({ provider: this.provider });
    this.sli?.recordWorkerCreated();
  }

  incrementWorkersDeleted(): void {
    this.tally.deleted++;
    this.c.deleted.inc({ provider: this.provider });
  }

  /** A worker that never became ready; `reason` from FAILURE_REASONS (others count as Unknown). */
  incrementWorkersFailed(reason = 'Unknown'): void {
    const r = oneOf(FAILURE_REASONS, reason, 'Unknown');
    this.tally.failed++;
    this.failedBy.set(r, (this.failedBy.get(r) ?? 0) + 1);
    this.c.failed.inc({ provider: this.provider, reason: r });
    this.sli?.recordWorkerFailed();
  }

  /** Ignored once a pod view is bound: workers_active is then Pending + Running pods. */
  setWorkersActive(n: number): void {
    this.tally.active = n;
    this.c.active.set({ provider: this.provider }, n);
  }

  /** Create request → pod Running and agent registered, in milliseconds. */
  observePodCreation(ms: number): void {
    const s = Math.max(0, ms) / 1000;
    this.recentCreation.push(s);
    this.c.creation.observe({ provider: this.provider }, s);
    this.sli?.recordPodCreationTime(s);
  }

  /** Delete request → pod gone, in milliseconds. */
  observePodDeletion(ms: number): void {
    const s = Math.max(0, ms) / 1000;
    this.recentDeletion.push(s);
    this.c.deletion.observe({ provider: this.provider }, s);
  }

  /** One request to the Kubernetes API (each retry is a request of its own). */
  recordApiRequest(isError: boolean, labels: ApiRequestLabels = {}): void {
    const l = {
      provider: this.provider, endpoint: this.caps.endpoint.value(labels.endpoint),
      verb: this.caps.verb.value(labels.verb), code: this.caps.code.value(labels.code),
    };
    this.tally.apiRequests++;
    this.c.apiRequests.inc(l);
    if (isError) {
      this.tally.apiErrors++;
      this.c.apiErrors.inc(l);
    }
    this.sli?.recordApiRequest(isError);
  }

  /** One request the client sent (`client.onRequest((ev) => metrics.observeApiRequest(ev))`): counted as the client judged it, and timed. */
  observeApiRequest(ev: ApiRequestEvent): void {
    const labels = { endpoint: ev.endpoint || ev.resource, verb: ev.verb };
    this.recordApiRequest(ev.error === true, { ...labels, code: codeLabel(ev.code, ev.timedOut) });
    this.c.apiDuration.observe({
      provider: this.provider, endpoint: this.caps.endpoint.value(labels.endpoint), verb: this.caps.verb.value(labels.verb),
    }, Math.max(0, ev.durationMs) / 1000);
  }

  /** Derive pods_by_state, pods_pending, workers_active and the resource totals from the informer at scrape time. */
  bindPodView(view: PodView): void {
    this.view = view;
  }

  /** `create`, `update`, `delete`, `scale_up`, `scale_down`, ... */
  recordHpaOperation(operation: string): void {
    this.c.hpaOps.inc({ provider: this.provider, operation: this.caps.op.value(operation) });
  }

  /** `create`, `delete`, ... */
  recordNamespaceOperation(operation: string): void {
    this.c.nsOps.inc({ provider: this.provider, operation: this.caps.op.value(operation) });
  }

  /** `admission` (refused at submit) or `cni` (reported by the network layer), ... */
  recordNetworkPolicyViolation(source: string): void {
    this.c.netpol.inc({ provider: this.provider, source: this.caps.source.value(source) });
  }

  observeStartupPhase(phase: StartupPhase, ms: number): void {
    this.c.startup.observe({ provider: this.provider, phase: oneOf(STARTUP_PHASES, phase, 'scheduling') }, Math.max(0, ms) / 1000);
  }

  /** Desired-replica change → that many pool workers ready, in milliseconds. */
  observeHpaResponse(ms: number): void {
    const s = Math.max(0, ms) / 1000;
    this.c.hpaResponse.observe({ provider: this.provider }, s);
    this.sli?.recordHpaResponse(s);
  }

  /** Numbers behind getSummary(). Percentiles are over the last 1024 creations/deletions (s). */
  snapshot(): {
    created: number; deleted: number; failed: number; active: number; failedByReason: Record<string, number>;
    podCreationP50: number; podCreationP95: number; podDeletionP95: number; apiRequests: number; apiErrors: number;
    apiErrorRate: number; workerCreationSuccessRate: number;
  } {
    const t = this.tally;
    const attempts = t.created + t.failed;
    return {
      ...t, active: this.view ? this.viewActive() : t.active, failedByReason: Object.fromEntries(this.failedBy),
      podCreationP50: this.recentCreation.percentile(0.5), podCreationP95: this.recentCreation.percentile(0.95),
      podDeletionP95: this.recentDeletion.percentile(0.95),
      apiErrorRate: t.apiRequests === 0 ? 0 : t.apiErrors / t.apiRequests,
      workerCreationSuccessRate: attempts === 0 ? 1 : t.created / attempts,
    };
  }

  getSummary(): string {
    const s = this.snapshot();
    const sec = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} s`);
    const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
    const reasons = Object.entries(s.failedByReason).map(([r, n]) => `${r} ${n}`).join(', ');
    return [
      `Kubernetes provider metrics (provider=${this.provider})`,
      `  Workers: created ${s.created}, deleted ${s.deleted}, failed ${s.failed}${reasons ? ` (${reasons})` : ''}, active ${s.active}`,
      `  Worker creation success rate: ${pct(s.workerCreationSuccessRate)}`,
      `  Pod creation: P50 ${sec(s.podCreationP50)}, P95 ${sec(s.podCreationP95)} (last ${this.recentCreation.length})`,
      `  Pod deletion: P95 ${sec(s.podDeletionP95)} (last ${this.recentDeletion.length})`,
      `  API requests: ${s.apiRequests}, errors ${s.apiErrors}, error rate ${pct(s.apiErrorRate)}`,
    ].join('\n');
  }

  private viewActive(): number {
    let n = 0;
    for (const pod of this.view?.() ?? []) if (pod.phase === 'Pending' || pod.phase === 'Running') n++;
    return n;
  }
}

interface ViewTotals { byState: Map<string, number>; pending: Map<string, number>; cpu: number; memory: number; gpu: number; active: number }

function aggregate(view: PodView): ViewTotals {
  const t: ViewTotals = { byState: new Map(), pending: new Map(), cpu: 0, memory: 0, gpu: 0, active: 0 };
  for (const pod of view()) {
    const state = oneOf(POD_STATES, pod.phase, 'Unknown');
    t.byState.set(state, (t.byState.get(state) ?? 0) + 1);
    if (state === 'Pending') {
      const r = oneOf(PENDING_REASONS, pod.pendingReason ?? 'Scheduling', 'Other');
      t.pending.set(r, (t.pending.get(r) ?? 0) + 1);
    }
    if (state === 'Pending' || state === 'Running') t.active++;
    // Requests are held until the pod has finished or is gone: terminal pods free their quota.
    if (state === 'Pending' || state === 'Running' || state === 'Terminating') {
      t.cpu += pod.cpuMillicores ?? 0;
      t.memory += pod.memoryBytes ?? 0;
      t.gpu += pod.gpus ?? 0;
    }
  }
  return t;
}

function build(registry: Registry, provider: string, view: () => PodView | undefined) {
  const n = (name: string): string => `${K8S_METRIC_PREFIX}${name}`;
  const registers = [registry];
  // One aggregation per scrape: prom-client calls every collect() in one synchronous pass, so the
  // result is shared until the next microtask.
  let cached: ViewTotals | undefined;
  const totals = (): ViewTotals | undefined => {
    const v = view();
    if (!v) return undefined;
    if (!cached) {
      cached = aggregate(v);
      queueMicrotask(() => { cached = undefined; });
    }
    return cached;
  };
  const fromView = (pick: (t: ViewTotals) => number) => function (this: Gauge<'provider'>): void {
    const t = totals();
    if (t) this.set({ provider }, pick(t));
  };
  return {
    created: new Counter({ name: n('workers_created_total'), help: 'Workers created (pod Running and agent registered).', labelNames: ['provider'], registers }),
    deleted: new Counter({ name: n('workers_deleted_total'), help: 'Worker pods deleted.', labelNames: ['provider'], registers }),
    failed: new Counter({ name: n('workers_failed_total'), help: 'Workers that failed to become ready, by reason.', labelNames: ['provider', 'reason'], registers }),
    active: new Gauge({ name: n('workers_active'), help: 'Active workers (Pending + Running pods when derived from the informer).', labelNames: ['provider'], registers, collect: fromView((t) => t.active) }),
    creation: new Histogram({ name: n('pod_creation_duration_seconds'), help: 'Create request → pod Running and agent registered.', labelNames: ['provider'], buckets: [...POD_DURATION_BUCKETS], registers }),
    deletion: new Histogram({ name: n('pod_deletion_duration_seconds'), help: 'Delete request → pod gone.', labelNames: ['provider'], buckets: [...POD_DURATION_BUCKETS], registers }),
    apiRequests: new Counter({ name: n('api_requests_total'), help: 'Kubernetes API requests (each retry counts).', labelNames: ['provider', 'endpoint', 'verb', 'code'], registers }),
    apiErrors: new Counter({ name: n('api_request_errors_total'), help: 'Kubernetes API requests that failed (5xx, 429, no response).', labelNames: ['provider', 'endpoint', 'verb', 'code'], registers }),
    cpu: new Gauge({ name: n('cpu_request_total'), help: 'CPU requested by active worker pods, millicores.', labelNames: ['provider'], registers, collect: fromView((t) => t.cpu) }),
    memory: new Gauge({ name: n('memory_request_total'), help: 'Memory requested by active worker pods, bytes.', labelNames: ['provider'], registers, collect: fromView((t) => t.memory) }),
    gpu: new Gauge({ name: n('gpu_count_total'), help: 'GPUs requested by active worker pods.', labelNames: ['provider'], registers, collect: fromView((t) => t.gpu) }),
    podsByState: new Gauge({
      name: n('pods_by_state'), help: 'Worker pods by phase.', labelNames: ['provider', 'state'], registers,
      collect(this: Gauge<'provider' | 'state'>) {
        const t = totals();
        if (t) for (const s of POD_STATES) this.set({ provider, state: s }, t.byState.get(s) ?? 0);
      },
    }),
    pending: new Gauge({
      name: n('pods_pending'), help: 'Pending worker pods by reason.', labelNames: ['provider', 'reason'], registers,
      collect(this: Gauge<'provider' | 'reason'>) {
        const t = totals();
        if (t) for (const r of PENDING_REASONS) this.set({ provider, reason: r }, t.pending.get(r) ?? 0);
      },
    }),
    hpaOps: new Counter({ name: n('hpa_operations_total'), help: 'HPA operations by kind.', labelNames: ['provider', 'operation'], registers }),
    nsOps: new Counter({ name: n('namespace_operations_total'), help: 'Namespace operations by kind.', labelNames: ['provider', 'operation'], registers }),
    netpol: new Counter({ name: n('network_policy_violations_total'), help: 'Network policy violations by source (admission, cni).', labelNames: ['provider', 'source'], registers }),
    startup: new Histogram({ name: n('pod_startup_phase_seconds'), help: 'Pod startup breakdown by phase.', labelNames: ['provider', 'phase'], buckets: [...STARTUP_PHASE_BUCKETS], registers }),
    apiDuration: new Histogram({
      name: n('api_request_duration_seconds'), help: 'Kubernetes API request latency (each retry is a request; watches: time to headers).',
      labelNames: ['provider', 'endpoint', 'verb'], buckets: [...API_DURATION_BUCKETS], registers,
    }),
    hpaResponse: new Histogram({ name: n('hpa_response_duration_seconds'), help: 'Desired-replica change → that many pool workers ready.', labelNames: ['provider'], buckets: [...HPA_RESPONSE_BUCKETS], registers }),
  };
}
