// What the generated monitoring assets depend on besides the SLO config: where runbooks live,
// which team is paged and how Prometheus names the Hodei scrape job. Tests pass their own.
import { DEFAULT_SLOS, type SloTargets } from '../../src/providers/kubernetes/slo-config.js';

export interface MonitoringOptions {
  /** The SLO targets (the single source of truth shared with the in-process checker). */
  slos: Readonly<SloTargets>;
  /** Runbook links are `${runbookBaseUrl}<AlertName>.md`. */
  runbookBaseUrl: string;
  /** `team` label on every alert; Alertmanager routes on it. @defaultValue 'platform' */
  team: string;
  /** Prometheus `job` label of the Hodei scrape target (the Service name under the Operator). @defaultValue 'hodei' */
  job: string;
  /** Alert thresholds the spec states that are not SLOs. */
  alerts: {
    /** Worker creation failure ratio that pages (the spec's 5 %; the 1 % SLO is watched by burn-rate alerts). @defaultValue 0.05 */
    workerCreationFailureRatio: number;
    /** Seconds a queue may hold a due job without starting any (and not paused) before HodeiQueueStalled. @defaultValue 600 */
    queueStalledSeconds: number;
    /** Window HodeiScheduleMissed looks back over for missed ticks; it resolves this long after the last miss. @defaultValue '15m' */
    scheduleMissedWindow: string;
  };
  /** Namespace of the PrometheusRule and the dashboards ConfigMap. @defaultValue 'hodei-jobs' */
  namespace: string;
}

export const DEFAULT_OPTIONS: Readonly<MonitoringOptions> = Object.freeze({
  slos: DEFAULT_SLOS,
  runbookBaseUrl: 'https://github.com/hodei/hodei/blob/main/docs/runbooks/',
  team: 'platform',
  job: 'hodei',
  alerts: { workerCreationFailureRatio: 0.05, queueStalledSeconds: 600, scheduleMissedWindow: '15m' },
  namespace: 'hodei-jobs',
});

/** Overrides of the defaults; `alerts` thresholds one by one. */
export type MonitoringOverrides = Partial<Omit<MonitoringOptions, 'alerts'>> & { alerts?: Partial<MonitoringOptions['alerts']> };

export function withOptions(overrides: MonitoringOverrides = {}): MonitoringOptions {
  return { ...DEFAULT_OPTIONS, ...overrides, alerts: { ...DEFAULT_OPTIONS.alerts, ...overrides.alerts } };
}
