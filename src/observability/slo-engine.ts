// The SLO engine: owns the SLI window, evaluates compliance on a timer and on every scrape or
// /v1/slo request, exports hodei_slo_* / hodei_sli_value gauges, and records slo.violated /
// slo.recovered events (and a log line) when an SLO changes state.
import { Gauge, type Registry } from 'prom-client';
import {
  KubernetesSLOs, SliTracker, type KubernetesSLIsData, type SloName, type SloStatus, type SloTargets, type SloViolation,
} from '../providers/kubernetes/slo.js';
import type { EventSource } from './events/types.js';
import type { Logger } from './logger.js';

export interface SloEngineOptions {
  slos?: Partial<SloTargets>;
  /** Rolling window. @defaultValue 3600 */
  windowSeconds?: number;
  /** @defaultValue 60 */
  bucketSeconds?: number;
  registry?: Registry;
  events?: EventSource;
  logger?: Logger;
  /** `provider` of slo.* events. @defaultValue "kubernetes" */
  provider?: string;
  /** @defaultValue 15000 */
  evaluateIntervalMs?: number;
  now?: () => number;
}

export interface SloReport {
  evaluatedAt: string;
  windowSeconds: number;
  targets: SloTargets;
  slis: KubernetesSLIsData;
  compliant: boolean;
  violations: SloViolation[];
  slos: SloStatus[];
}

/** SLI gauge label values (`hodei_sli_value{sli}`). */
const SLI_LABELS = {
  currentPodCreationTime: 'pod_creation_time_seconds',
  workerCreationSuccessRate: 'worker_creation_success_rate',
  currentApiErrorRate: 'api_error_rate',
  currentHpaResponseTime: 'hpa_response_time_seconds',
  workersCreatedLastHour: 'workers_created_window',
  workersFailedLastHour: 'workers_failed_window',
  currentQueueWaitTime: 'queue_wait_time_seconds',
  currentScheduleStartDelay: 'schedule_start_delay_seconds',
  scheduleTicksMissed: 'schedule_ticks_missed_window',
} as const satisfies Record<keyof KubernetesSLIsData, string>;

export class SloEngine {
  readonly tracker: SliTracker;
  private targets: SloTargets;
  private readonly violated = new Set<SloName>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: SloEngineOptions = {}) {
    this.now = o.now ?? Date.now;
    this.targets = KubernetesSLOs.from(o.slos ?? {});
    this.tracker = new SliTracker({ windowSeconds: o.windowSeconds ?? 3600, bucketSeconds: o.bucketSeconds ?? 60, now: this.now });
    if (o.registry) this.registerGauges(o.registry);
  }

  get slos(): SloTargets {
    return { ...this.targets };
  }

  /** Changes targets at run time (validated like the config file). */
  setSlos(partial: Partial<SloTargets>): void {
    this.targets = KubernetesSLOs.from({ ...this.targets, ...partial });
  }

  /** Evaluates now: returns the full report and records transitions. */
  report(): SloReport {
    const r = this.tracker.evaluate(this.targets);
    for (const s of r.statuses) this.transition(s, r.violations.find((v) => v.slo === s.slo));
    return {
      evaluatedAt: new Date(this.now()).toISOString(), windowSeconds: this.tracker.windowSeconds, targets: this.slos,
      slis: { ...r.slis }, compliant: r.compliant, violations: r.violations, slos: r.statuses,
    };
  }

  start(): void {
    this.timer = setInterval(() => {
      try {
        this.report();
      } catch (err) {
        this.o.logger?.error({ err }, 'SLO evaluation failed');
      }
    }, this.o.evaluateIntervalMs ?? 15_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private transition(s: SloStatus, v: SloViolation | undefined): void {
    const was = this.violated.has(s.slo);
    if (was === !s.compliant) return;
    const type = s.compliant ? 'slo.recovered' : 'slo.violated';
    const message = v?.message ?? `${s.slo}: back within target (${s.current} vs ${s.target})`;
    if (s.compliant) this.violated.delete(s.slo);
    else this.violated.add(s.slo);
    const details = { slo: s.slo, target: s.target, current: s.current, message, window_seconds: this.tracker.windowSeconds };
    this.o.events?.record(type, { provider: this.o.provider ?? 'kubernetes', success: s.compliant, details });
    const log = { slo: s.slo, target: s.target, current: s.current, burnRate: s.burnRate, errorBudgetRemaining: s.errorBudgetRemaining };
    if (s.compliant) this.o.logger?.info(log, `SLO recovered: ${message}`);
    else this.o.logger?.warn(log, `SLO violated: ${message}`);
  }

  private registerGauges(registry: Registry): void {
    const registers = [registry];
    // One evaluation per scrape: prom-client calls every collect() in one synchronous pass.
    let last: SloReport | undefined;
    const current = (): SloReport => {
      if (!last) {
        last = this.report();
        queueMicrotask(() => { last = undefined; });
      }
      return last;
    };
    new Gauge({
      name: 'hodei_slo_compliant', help: '1 when the SLO is met over the window, 0 when violated.', labelNames: ['slo'], registers,
      collect(this: Gauge<'slo'>) { for (const s of current().slos) this.set({ slo: s.slo }, s.compliant ? 1 : 0); },
    });
    new Gauge({
      name: 'hodei_slo_error_budget_remaining_ratio', help: 'Error budget left over the window: 1 untouched, 0 spent, < 0 overspent.', labelNames: ['slo'], registers,
      collect(this: Gauge<'slo'>) { for (const s of current().slos) this.set({ slo: s.slo }, s.errorBudgetRemaining); },
    });
    new Gauge({
      name: 'hodei_slo_burn_rate', help: 'Error budget burn rate over the window (1 = spending exactly the budget).', labelNames: ['slo'], registers,
      collect(this: Gauge<'slo'>) { for (const s of current().slos) this.set({ slo: s.slo }, s.burnRate); },
    });
    new Gauge({
      name: 'hodei_sli_value', help: 'Current SLI values over the window (seconds, ratios, counts).', labelNames: ['sli'], registers,
      collect(this: Gauge<'sli'>) {
        const slis = current().slis;
        for (const [k, label] of Object.entries(SLI_LABELS)) this.set({ sli: label }, slis[k as keyof KubernetesSLIsData]);
      },
    });
  }
}
