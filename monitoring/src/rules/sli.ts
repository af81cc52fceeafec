// Each SLO of the config as a Prometheus error ratio (bad events / all events over a window), so
// recording rules and multi-window burn-rate alerts share one definition. Latency SLOs ("P95 below
// X s") become "at most 5 % of events slower than X s": the same statement, countable per window.
import { SLO_NAMES, type SloTargets } from '../../../src/providers/kubernetes/slo-config.js';
import { BY_TARGET, M, increaseNewAware } from '../metrics.js';

/** The quantile the latency SLOs are stated at (P95). */
export const LATENCY_QUANTILE = 0.95;

export interface SliDefinition {
  slo: string;
  /** Allowed error ratio: 1 − objective. */
  budget: number;
  /** Human sentence for docs and alert text. */
  objective: string;
  /** PromQL of the error ratio over a window (never divides by zero: 0 at zero traffic). */
  errorRatio(window: string): string;
}

const sum = (expr: string): string => `sum by (${BY_TARGET}) (${expr})`;
/** Events over the window: increases (ratio of increases = ratio of rates), counting new series. */
const events = (selector: string, w: string): string => sum(increaseNewAware(selector, w));
const safeRatio = (bad: string, total: string): string => `(${bad})\n/\nclamp_min(${total}, 1e-9)`;

/** le label value as prom-client renders a bucket bound. */
export const leLabel = (seconds: number): string => String(seconds);

function latency(slo: string, histogram: string, maxSeconds: number): SliDefinition {
  const total = (w: string): string => events(`${histogram}_count`, w);
  const fast = (w: string): string => events(`${histogram}_bucket{le="${leLabel(maxSeconds)}"}`, w);
  return {
    slo,
    budget: round(1 - LATENCY_QUANTILE),
    objective: `P${LATENCY_QUANTILE * 100} below ${maxSeconds} s (at most ${round((1 - LATENCY_QUANTILE) * 100)} % slower)`,
    errorRatio: (w) => safeRatio(`${total(w)}\n-\n${fast(w)}`, total(w)),
  };
}

/**
 * Schedule ticks: each either started its job (one start-delay observation) or was recorded missed.
 * A missed tick is late by definition: bad = missed + started later than the target.
 */
function schedulePunctuality(maxSeconds: number): SliDefinition {
  const started = (w: string): string => events(`${M.scheduleStartDelay}_count`, w);
  const onTime = (w: string): string => events(`${M.scheduleStartDelay}_bucket{le="${leLabel(maxSeconds)}"}`, w);
  // No schedule yet means no missed series: count it as 0 (same labels as the started count).
  const missed = (w: string): string => `(${events(`${M.scheduleRuns}{result="missed"}`, w)} or ${started(w)} * 0)`;
  return {
    slo: SLO_NAMES.maxScheduleStartDelay,
    budget: round(1 - LATENCY_QUANTILE),
    objective: `P${LATENCY_QUANTILE * 100} of schedule ticks start their job within ${maxSeconds} s, a missed tick counting as late`,
    errorRatio: (w) => safeRatio(`${missed(w)}\n+\n${started(w)}\n-\n${onTime(w)}`, `${missed(w)}\n+\n${started(w)}`),
  };
}

export function sliDefinitions(slos: Readonly<SloTargets>): SliDefinition[] {
  const workers = `{__name__=~"${M.workersCreated}|${M.workersFailed}"}`;
  return [
    latency(SLO_NAMES.maxPodCreationTime, M.podCreation, slos.maxPodCreationTime),
    {
      slo: SLO_NAMES.minWorkerCreationSuccessRate,
      budget: round(1 - slos.minWorkerCreationSuccessRate),
      objective: `at least ${round(slos.minWorkerCreationSuccessRate * 100)} % of worker creations succeed`,
      // created + failed = attempts; no failure yet means no failed series (hence `or … * 0`).
      errorRatio: (w) => safeRatio(`${events(M.workersFailed, w)} or ${events(workers, w)} * 0`, events(workers, w)),
    },
    {
      slo: SLO_NAMES.maxApiErrorRate,
      budget: slos.maxApiErrorRate,
      objective: `at most ${round(slos.maxApiErrorRate * 100)} % of Kubernetes API requests fail`,
      errorRatio: (w) => safeRatio(`${events(M.apiErrors, w)} or ${events(M.apiRequests, w)} * 0`, events(M.apiRequests, w)),
    },
    latency(SLO_NAMES.maxHpaResponseTime, M.hpaResponse, slos.maxHpaResponseTime),
    latency(SLO_NAMES.maxQueueWaitTime, M.jobQueueWait, slos.maxQueueWaitTime),
    schedulePunctuality(slos.maxScheduleStartDelay),
  ];
}

/** Avoids 0.010000000000000009 in generated files. */
export const round = (n: number): number => Number(n.toPrecision(12));
