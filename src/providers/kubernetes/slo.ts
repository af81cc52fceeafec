// KubernetesSLOs / KubernetesSLIs as the observability guide shows them, and the SliTracker that
// computes the SLIs continuously from what happened over a rolling window (default 1 h) with
// bounded memory: a ring of time buckets (default 60 × 1 min), each holding counters and bucketed
// durations (the metric's own histogram buckets, so P95 is interpolated like histogram_quantile()).
// How each SLI is defined — which events are good and which are total — is in docs/slo.md.
// Queue wait and schedule punctuality are fed by the control plane's job metrics (every provider).
import { bucketIndex, countAbove, histogramQuantile } from '../../util/histogram-math.js';
import { HPA_RESPONSE_BUCKETS, POD_DURATION_BUCKETS, type SliRecorder } from './metrics.js';
import {
  DEFAULT_KUBERNETES_SLOS, DEFAULT_SLOS, QUEUE_WAIT_BUCKETS, SCHEDULE_DELAY_BUCKETS, SECONDS_SLOS, SLO_NAMES,
  type KubernetesSLOs as K8sTargets, type SloTargets,
} from './slo-config.js';

export { DEFAULT_KUBERNETES_SLOS, DEFAULT_SLOS, SLO_NAMES, type SloTargets };
export type KubernetesSLOs = K8sTargets;
/** `KubernetesSLOs.default()` as in the spec; customise with `{ ...KubernetesSLOs.default(), maxApiErrorRate: 0.005 }`. */
export const KubernetesSLOs = {
  default: (): KubernetesSLOs => ({ ...DEFAULT_KUBERNETES_SLOS }),
  /**
   * Every SLO target (the guide's four and queue wait / schedule punctuality): defaults overridden
   * by the given fields; throws naming the field when a target is out of range.
   */
  from(partial: Partial<SloTargets>): SloTargets {
    const s = { ...DEFAULT_SLOS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
    const check = (field: keyof SloTargets, ok: boolean, rule: string): void => {
      if (!ok) throw new RangeError(`slo.${field}: ${rule}, got ${String(s[field])}`);
    };
    check('maxPodCreationTime', s.maxPodCreationTime > 0, 'must be > 0 seconds');
    check('maxHpaResponseTime', s.maxHpaResponseTime > 0, 'must be > 0 seconds');
    check('maxQueueWaitTime', s.maxQueueWaitTime > 0, 'must be > 0 seconds');
    check('maxScheduleStartDelay', s.maxScheduleStartDelay > 0, 'must be > 0 seconds');
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
  /** Seconds, P95 of queue waits (queued → running) in the window, every queue (0 with no data). */
  currentQueueWaitTime: number;
  /** Seconds, P95 of schedule tick → job running in the window; a missed tick counts as +Inf (0 with no data). */
  currentScheduleStartDelay: number;
  /** Schedule ticks recorded missed in the window. */
  scheduleTicksMissed: number;
}

/** The guide's six fields are required; the queue/schedule SLIs default to 0 (no data). */
export type KubernetesSLIsInput = Omit<KubernetesSLIsData, 'currentQueueWaitTime' | 'currentScheduleStartDelay' | 'scheduleTicksMissed'>
  & Partial<Pick<KubernetesSLIsData, 'currentQueueWaitTime' | 'currentScheduleStartDelay' | 'scheduleTicksMissed'>>;

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
  currentQueueWaitTime: number;
  currentScheduleStartDelay: number;
  scheduleTicksMissed: number;

  constructor(d: KubernetesSLIsInput) {
    this.currentPodCreationTime = d.currentPodCreationTime;
    this.workerCreationSuccessRate = d.workerCreationSuccessRate;
    this.currentApiErrorRate = d.currentApiErrorRate;
    this.currentHpaResponseTime = d.currentHpaResponseTime;
    this.workersCreatedLastHour = d.workersCreatedLastHour;
    this.workersFailedLastHour = d.workersFailedLastHour;
    this.currentQueueWaitTime = d.currentQueueWaitTime ?? 0;
    this.currentScheduleStartDelay = d.currentScheduleStartDelay ?? 0;
    this.scheduleTicksMissed = d.scheduleTicksMissed ?? 0;
  }

  /** Every SLO this SLI set breaks, with target and current value. */
  violations(targets: KubernetesSLOs & Partial<SloTargets>): SloViolation[] {
    const slos: SloTargets = { ...DEFAULT_SLOS, ...targets };
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
    add(SLO_NAMES.maxQueueWaitTime, this.currentQueueWaitTime > slos.maxQueueWaitTime, slos.maxQueueWaitTime,
      this.currentQueueWaitTime, `P95 ${sec(this.currentQueueWaitTime)} > target ${sec(slos.maxQueueWaitTime)}`);
    const missed = this.scheduleTicksMissed > 0 ? ` (${this.scheduleTicksMissed} ticks missed)` : '';
    add(SLO_NAMES.maxScheduleStartDelay, this.currentScheduleStartDelay > slos.maxScheduleStartDelay, slos.maxScheduleStartDelay,
      this.currentScheduleStartDelay, `P95 ${sec(this.currentScheduleStartDelay)} > target ${sec(slos.maxScheduleStartDelay)}${missed}`);
    return out;
  }

  /** `[compliant, violations]` as in the spec; each violation names the SLO, its target and the current value. */
  checkSloCompliance(slos: KubernetesSLOs & Partial<SloTargets>): [boolean, string[]] {
    const v = this.violations(slos);
    return [v.length === 0, v.map((x) => x.message)];
  }
}

/** The guide's `slis.check_slo_compliance(&slos)` as a function: `[compliant, violation messages]`. */
export function checkSloCompliance(slis: KubernetesSLIsInput, slos: KubernetesSLOs & Partial<SloTargets>): [boolean, string[]] {
  return new KubernetesSLIs(slis).checkSloCompliance(slos);
}

/** Per-SLO accounting over the window: good/total events, error budget and burn rate. */
export interface SloStatus {
  slo: SloName;
  /** What target and current are: P95 seconds, or a ratio 0..1. */
  unit: 'seconds' | 'ratio';
  target: number;
  current: number;
  compliant: boolean;
  /** Events counted (creations, requests, HPA responses, queue waits, schedule ticks) and how many of them were bad. */
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

interface Bucket {
  epoch: number; created: number; failed: number; api: number; apiErrors: number; creation: number[]; hpa: number[];
  /** Queue waits and schedule start delays by histogram bucket; a missed tick is in the +Inf bucket (and in `missed`). */
  queueWait: number[]; scheduleDelay: number[]; missed: number;
}

const counts = (bounds: readonly number[]): number[] => new Array<number>(bounds.length + 1).fill(0);
const emptyBucket = (epoch: number): Bucket => ({
  epoch, created: 0, failed: 0, api: 0, apiErrors: 0, creation: counts(POD_DURATION_BUCKETS), hpa: counts(HPA_RESPONSE_BUCKETS),
  queueWait: counts(QUEUE_WAIT_BUCKETS), scheduleDelay: counts(SCHEDULE_DELAY_BUCKETS), missed: 0,
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
  recordPodCreationTime(seconds: number): void { this.observe('creation', POD_DURATION_BUCKETS, seconds); }
  recordHpaResponse(seconds: number): void { this.observe('hpa', HPA_RESPONSE_BUCKETS, seconds); }
  /** A job left its queue for a worker after `seconds` (one per attempt, any queue). */
  recordQueueWait(seconds: number): void { this.observe('queueWait', QUEUE_WAIT_BUCKETS, seconds); }
  /** A schedule tick's job started running `seconds` after the tick. */
  recordScheduleStart(seconds: number): void { this.observe('scheduleDelay', SCHEDULE_DELAY_BUCKETS, seconds); }
  /** `count` schedule ticks recorded missed: never started, so slower than any target (the +Inf bucket). */
  recordScheduleMissed(count = 1): void {
    this.observe('scheduleDelay', SCHEDULE_DELAY_BUCKETS, Infinity, count);
    this.current().missed += count;
  }

  /** Counts `n` observations of `seconds` into the current bucket's histogram `key`. */
  private observe(key: 'creation' | 'hpa' | 'queueWait' | 'scheduleDelay', bounds: readonly number[], seconds: number, n = 1): void {
    const counts = this.current()[key];
    const i = bucketIndex(bounds, seconds);
    counts[i] = (counts[i] ?? 0) + n;
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
      b.queueWait.forEach((c, i) => { t.queueWait[i] = (t.queueWait[i] ?? 0) + c; });
      b.scheduleDelay.forEach((c, i) => { t.scheduleDelay[i] = (t.scheduleDelay[i] ?? 0) + c; });
      t.missed += b.missed;
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
      currentQueueWaitTime: p95(QUEUE_WAIT_BUCKETS, t.queueWait),
      currentScheduleStartDelay: p95(SCHEDULE_DELAY_BUCKETS, t.scheduleDelay),
      scheduleTicksMissed: t.missed,
    });
  }

  /** SLIs, compliance and per-SLO budget/burn over the window. */
  evaluate(targets: KubernetesSLOs & Partial<SloTargets>): { slis: KubernetesSLIs; compliant: boolean; violations: SloViolation[]; statuses: SloStatus[] } {
    const slos: SloTargets = { ...DEFAULT_SLOS, ...targets };
    const t = this.totals();
    const slis = this.slis();
    const violations = slis.violations(slos);
    const broken = new Set(violations.map((v) => v.slo));
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    const status = (slo: SloName, target: number, current: number, total: number, bad: number, allowed: number): SloStatus => {
      const burnRate = total === 0 ? 0 : bad / total / allowed;
      return { slo, unit: SECONDS_SLOS.has(slo) ? 'seconds' : 'ratio', target, current, compliant: !broken.has(slo), total, bad, allowedBadRatio: allowed, burnRate, errorBudgetRemaining: 1 - burnRate };
    };
    const statuses = [
      status(SLO_NAMES.maxPodCreationTime, slos.maxPodCreationTime, slis.currentPodCreationTime, sum(t.creation),
        countAbove(slos.maxPodCreationTime, POD_DURATION_BUCKETS, t.creation), P95_ALLOWED_SLOW),
      status(SLO_NAMES.minWorkerCreationSuccessRate, slos.minWorkerCreationSuccessRate, slis.workerCreationSuccessRate,
        t.created + t.failed, t.failed, 1 - slos.minWorkerCreationSuccessRate),
      status(SLO_NAMES.maxApiErrorRate, slos.maxApiErrorRate, slis.currentApiErrorRate, t.api, t.apiErrors, slos.maxApiErrorRate),
      status(SLO_NAMES.maxHpaResponseTime, slos.maxHpaResponseTime, slis.currentHpaResponseTime, sum(t.hpa),
        countAbove(slos.maxHpaResponseTime, HPA_RESPONSE_BUCKETS, t.hpa), P95_ALLOWED_SLOW),
      status(SLO_NAMES.maxQueueWaitTime, slos.maxQueueWaitTime, slis.currentQueueWaitTime, sum(t.queueWait),
        countAbove(slos.maxQueueWaitTime, QUEUE_WAIT_BUCKETS, t.queueWait), P95_ALLOWED_SLOW),
      status(SLO_NAMES.maxScheduleStartDelay, slos.maxScheduleStartDelay, slis.currentScheduleStartDelay, sum(t.scheduleDelay),
        countAbove(slos.maxScheduleStartDelay, SCHEDULE_DELAY_BUCKETS, t.scheduleDelay), P95_ALLOWED_SLOW),
    ];
    return { slis, compliant: violations.length === 0, violations, statuses };
  }
}
