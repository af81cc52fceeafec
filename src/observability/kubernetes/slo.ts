// KubernetesSLOs / KubernetesSLIs as the observability guide shows them, and the SliTracker that
// computes the SLIs continuously from what happened over a rolling window (default 1 h) with
// bounded memory: a ring of time buckets (default 60 × 1 min), each holding counters and bucketed
// durations (the metric's own histogram buckets, so P95 is interpolated like histogram_quantile()).
// How each SLI is defined — which events are good and which are total — is in docs/slo.md.
import { bucketIndex, countAbove, histogramQuantile } from '../../util/histogram-math.js';
import { HPA_RESPONSE_BUCKETS, POD_DURATION_BUCKETS, type SliRecorder } from './metrics.js';
import { DEFAULT_KUBERNETES_SLOS, SLO_NAMES, type KubernetesSLOs as SloTargets } from '../../providers/kubernetes/slo-config.js';

export { DEFAULT_KUBERNETES_SLOS, SLO_NAMES };
export type KubernetesSLOs = SloTargets;
/** `KubernetesSLOs.default()` as in the spec; customise with `{ ...KubernetesSLOs.default(), maxApiErrorRate: 0.005 }`. */
export const KubernetesSLOs = {
  default: (): SloTargets => ({ ...DEFAULT_KUBERNETES_SLOS }),
  /** Defaults overridden by the given fields; throws naming the field when a target is out of range. */
  from(partial: Partial<SloTargets>): SloTargets {
    const s = { ...DEFAULT_KUBERNETES_SLOS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
    const check = (field: keyof SloTargets, ok: boolean, rule: string): void => {
      if (!ok) throw new RangeError(`slo.${field}: ${rule}, got ${String(s[field])}`);
    };
    check('maxPodCreationTime', s.maxPodCreationTime > 0, 'must be > 0 seconds');
    check('maxHpaResponseTime', s.maxHpaResponseTime > 0, 'must be > 0 seconds');
    check('minWorkerCreationSuccessRate', s.minWorkerCreationSuccessRate > 0 && s.minWorkerCreationSuccessRate < 1, 'must be between 0 and 1 (exclusive)');
    check('maxApiErrorRate', s.maxApiErrorRate > 0 && s.maxApiErrorRate < 1, 'must be between 0 and 1 (exclusive)');
    return s;
  },
};

export type SloName = (typeof SLO_NAMES)[keyof typeof SLO_NAMES];

export interface KubernetesSLIsData {
  /** Seconds, P95 of pod creation durations in the window (0 with no data). */
  currentPodCreationTime: number;
  /** created / (created + failed) in the window (1 with no data). */
  workerCreationSuccessRate: number;
  /** failed / total Kubernetes API requests in the window (0 with no data). */
  currentApiErrorRate: number;
  /** Seconds, P95 of HPA response times in the window (0 with no data). */
  currentHpaResponseTime: number;
  workersCreatedLastHour: number;
  workersFailedLastHour: number;
}

export interface SloViolation {
  slo: SloName;
  target: number;
  current: number;
  message: string;
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const sec = (v: number): string => `${v.toFixed(2)} s`;

export class KubernetesSLIs implements KubernetesSLIsData {
  currentPodCreationTime: number;
  workerCreationSuccessRate: number;
  currentApiErrorRate: number;
  currentHpaResponseTime: number;
  workersCreatedLastHour: number;
  workersFailedLastHour: number;

  constructor(d: KubernetesSLIsData) {
    this.currentPodCreationTime = d.currentPodCreationTime;
    this.workerCreationSuccessRate = d.workerCreationSuccessRate;
    this.currentApiErrorRate = d.currentApiErrorRate;
    this.currentHpaResponseTime = d.currentHpaResponseTime;
    this.workersCreatedLastHour = d.workersCreatedLastHour;
    this.workersFailedLastHour = d.workersFailedLastHour;
  }

  /** Every SLO this SLI set breaks, with target and current value. */
  violations(slos: SloTargets): SloViolation[] {
    const out: SloViolation[] = [];
    const add = (slo: SloName, broken: boolean, target: number, current: number, text: string): void => {
      if (broken) out.push({ slo, target, current, message: `${slo}: ${text}` });
    };
    add(SLO_NAMES.maxPodCreationTime, this.currentPodCreationTime > slos.maxPodCreationTime, slos.maxPodCreationTime,
      this.currentPodCreationTime, `P95 ${sec(this.currentPodCreationTime)} > target ${sec(slos.maxPodCreationTime)}`);
    add(SLO_NAMES.minWorkerCreationSuccessRate, this.workerCreationSuccessRate < slos.minWorkerCreationSuccessRate,
      slos.minWorkerCreationSuccessRate, this.workerCreationSuccessRate,
      `${pct(this.workerCreationSuccessRate)} < target ${pct(slos.minWorkerCreationSuccessRate)}`);
    add(SLO_NAMES.maxApiErrorRate, this.currentApiErrorRate > slos.maxApiErrorRate, slos.maxApiErrorRate,
      this.currentApiErrorRate, `${pct(this.currentApiErrorRate)} > target ${pct(slos.maxApiErrorRate)}`);
    add(SLO_NAMES.maxHpaResponseTime, this.currentHpaResponseTime > slos.maxHpaResponseTime, slos.maxHpaResponseTime,
      this.currentHpaResponseTime, `P95 ${sec(this.currentHpaResponseTime)} > target ${sec(slos.maxHpaResponseTime)}`);
    return out;
  }

  /** `[compliant, violations]` as in the spec; each violation names the SLO, its target and the current value. */
  checkSloCompliance(slos: SloTargets): [boolean, string[]] {
    const v = this.violations(slos);
    return [v.length === 0, v.map((x) => x.message)];
  }
}

/** The guide's `slis.check_slo_compliance(&slos)` as a function: `[compliant, violation messages]`. */
export function checkSloCompliance(slis: KubernetesSLIsData, slos: SloTargets): [boolean, string[]] {
  return new KubernetesSLIs(slis).checkSloCompliance(slos);
}

/** Per-SLO accounting over the window: good/total events, error budget and burn rate. */
export interface SloStatus {
  slo: SloName;
  target: number;
  current: number;
  compliant: boolean;
  /** Events counted (creations, requests, HPA responses) and how many of them were bad. */
  total: number;
  bad: number;
  /** Fraction of events allowed to be bad: 1 - success target, the error-rate target, or 0.05 for a P95 target. */
  allowedBadRatio: number;
  /** (bad / total) / allowedBadRatio: 1 spends exactly the budget over the window; 0 with no events. */
  burnRate: number;
  /** 1 - burnRate: 1 untouched, 0 spent, below 0 overspent. */
  errorBudgetRemaining: number;
}

export interface SliWindowOptions {
  /** @defaultValue 3600 */
  windowSeconds?: number;
  /** @defaultValue 60 */
  bucketSeconds?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

interface Bucket { epoch: number; created: number; failed: number; api: number; apiErrors: number; creation: number[]; hpa: number[] }

const emptyBucket = (epoch: number): Bucket => ({
  epoch, created: 0, failed: 0, api: 0, apiErrors: 0,
  creation: new Array<number>(POD_DURATION_BUCKETS.length + 1).fill(0), hpa: new Array<number>(HPA_RESPONSE_BUCKETS.length + 1).fill(0),
});

/** Allowed share of slow events for a P95 latency target. */
export const P95_ALLOWED_SLOW = 0.05;

export class SliTracker implements SliRecorder {
  readonly windowSeconds: number;
  readonly bucketSeconds: number;
  private readonly buckets: Bucket[];
  private readonly now: () => number;

  constructor(o: SliWindowOptions = {}) {
    this.windowSeconds = o.windowSeconds ?? 3600;
    this.bucketSeconds = o.bucketSeconds ?? 60;
    if (this.bucketSeconds <= 0 || this.windowSeconds < this.bucketSeconds) throw new RangeError('slo window must be at least one bucket');
    this.now = o.now ?? Date.now;
    this.buckets = Array.from({ length: Math.ceil(this.windowSeconds / this.bucketSeconds) }, () => emptyBucket(-1));
  }

  private current(): Bucket {
    const epoch = Math.floor(this.now() / (this.bucketSeconds * 1000));
    const i = epoch % this.buckets.length;
    let b = this.buckets[i] as Bucket;
    if (b.epoch !== epoch) this.buckets[i] = b = emptyBucket(epoch);
    return b;
  }

  recordWorkerCreated(): void { this.current().created++; }
  recordWorkerFailed(): void { this.current().failed++; }
  recordApiRequest(isError: boolean): void {
    const b = this.current();
    b.api++;
    if (isError) b.apiErrors++;
  }
  recordPodCreationTime(seconds: number): void {
    const b = this.current();
    const i = bucketIndex(POD_DURATION_BUCKETS, seconds);
    b.creation[i] = (b.creation[i] ?? 0) + 1;
  }
  recordHpaResponse(seconds: number): void {
    const b = this.current();
    const i = bucketIndex(HPA_RESPONSE_BUCKETS, seconds);
    b.hpa[i] = (b.hpa[i] ?? 0) + 1;
  }

  /** Convenience: one worker creation, successful (with its duration) or not. */
  recordPodCreation(ms: number, ok: boolean): void {
    if (!ok) return this.recordWorkerFailed();
    this.recordWorkerCreated();
    this.recordPodCreationTime(ms / 1000);
  }

  /** Sums of the buckets still inside the window (the current partial bucket included). */
  totals(): Omit<Bucket, 'epoch'> {
    const nowEpoch = Math.floor(this.now() / (this.bucketSeconds * 1000));
    const t = emptyBucket(nowEpoch);
    for (const b of this.buckets) {
      if (b.epoch < 0 || b.epoch <= nowEpoch - this.buckets.length || b.epoch > nowEpoch) continue;
      t.created += b.created;
      t.failed += b.failed;
      t.api += b.api;
      t.apiErrors += b.apiErrors;
      b.creation.forEach((c, i) => { t.creation[i] = (t.creation[i] ?? 0) + c; });
      b.hpa.forEach((c, i) => { t.hpa[i] = (t.hpa[i] ?? 0) + c; });
    }
    return t;
  }

  slis(): KubernetesSLIs {
    const t = this.totals();
    const p95 = (bounds: readonly number[], counts: number[]): number => {
      const v = histogramQuantile(0.95, bounds, counts);
      return Number.isNaN(v) ? 0 : v;
    };
    const attempts = t.created + t.failed;
    return new KubernetesSLIs({
      currentPodCreationTime: p95(POD_DURATION_BUCKETS, t.creation),
      workerCreationSuccessRate: attempts === 0 ? 1 : t.created / attempts,
      currentApiErrorRate: t.api === 0 ? 0 : t.apiErrors / t.api,
      currentHpaResponseTime: p95(HPA_RESPONSE_BUCKETS, t.hpa),
      workersCreatedLastHour: t.created,
      workersFailedLastHour: t.failed,
    });
  }

  /** SLIs, compliance and per-SLO budget/burn over the window. */
  evaluate(slos: SloTargets): { slis: KubernetesSLIs; compliant: boolean; violations: SloViolation[]; statuses: SloStatus[] } {
    const t = this.totals();
    const slis = this.slis();
    const violations = slis.violations(slos);
    const broken = new Set(violations.map((v) => v.slo));
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    const status = (slo: SloName, target: number, current: number, total: number, bad: number, allowed: number): SloStatus => {
      const burnRate = total === 0 ? 0 : bad / total / allowed;
      return { slo, target, current, compliant: !broken.has(slo), total, bad, allowedBadRatio: allowed, burnRate, errorBudgetRemaining: 1 - burnRate };
    };
    const statuses = [
      status(SLO_NAMES.maxPodCreationTime, slos.maxPodCreationTime, slis.currentPodCreationTime, sum(t.creation),
        countAbove(slos.maxPodCreationTime, POD_DURATION_BUCKETS, t.creation), P95_ALLOWED_SLOW),
      status(SLO_NAMES.minWorkerCreationSuccessRate, slos.minWorkerCreationSuccessRate, slis.workerCreationSuccessRate,
        t.created + t.failed, t.failed, 1 - slos.minWorkerCreationSuccessRate),
      status(SLO_NAMES.maxApiErrorRate, slos.maxApiErrorRate, slis.currentApiErrorRate, t.api, t.apiErrors, slos.maxApiErrorRate),
      status(SLO_NAMES.maxHpaResponseTime, slos.maxHpaResponseTime, slis.currentHpaResponseTime, sum(t.hpa),
        countAbove(slos.maxHpaResponseTime, HPA_RESPONSE_BUCKETS, t.hpa), P95_ALLOWED_SLOW),
    ];
    return { slis, compliant: violations.length === 0, violations, statuses };
  }
}
