// The spec's five recommended alerts plus target/metrics-absent alerts. Expressions divide only by
// series filtered to be non-zero, so zero traffic yields no series (silent), never NaN or +Inf.
import { BY_PROVIDER, BY_TARGET, M, increaseNewAware } from '../metrics.js';
import type { MonitoringOptions } from '../options.js';
import { round } from './sli.js';
import type { AlertingRule, RuleGroup } from './types.js';
import { queueAlertGroup } from './queue-alerts.js';

export type Severity = 'critical' | 'high' | 'warning';

interface AlertSpec {
  alert: string;
  expr: string;
  for?: string;
  severity: Severity;
  summary: string;
  description: string;
}

export function alertRule(o: MonitoringOptions, a: AlertSpec): AlertingRule {
  return {
    alert: a.alert,
    expr: a.expr,
    ...(a.for ? { for: a.for } : {}),
    labels: { severity: a.severity, team: o.team },
    annotations: { summary: a.summary, description: a.description, runbook_url: `${o.runbookBaseUrl}${a.alert}.md` },
  };
}

const rate = (metric: string, w = '5m'): string => `sum by (${BY_PROVIDER}) (rate(${metric}[${w}]))`;
const increase = (selector: string, w = '5m'): string => `sum by (${BY_PROVIDER}) (${increaseNewAware(selector, w)})`;

function kubernetesAlerts(o: MonitoringOptions): AlertingRule[] {
  const { slos } = o;
  const workers = `{__name__=~"${M.workersCreated}|${M.workersFailed}"}`;
  return [
    alertRule(o, {
      alert: 'HighAPIErrorRate',
      expr: `${rate(M.apiErrors)}\n/\n(${rate(M.apiRequests)} > 0)\n> ${slos.maxApiErrorRate}`,
      for: '5m', severity: 'critical',
      summary: 'High API error rate detected',
      description: `Kubernetes API error rate of provider {{ $labels.provider }} in {{ $labels.namespace }} is {{ $value | humanizePercentage }} (SLO: at most ${round(slos.maxApiErrorRate * 100)} %).`,
    }),
    alertRule(o, {
      alert: 'SlowPodCreation',
      expr: `histogram_quantile(0.95, sum by (${BY_PROVIDER}, le) (rate(${M.podCreation}_bucket[5m])))\n> ${slos.maxPodCreationTime}`,
      for: '5m', severity: 'warning',
      summary: 'Slow pod creation detected',
      description: `95th percentile pod creation time of provider {{ $labels.provider }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} (SLO: below ${slos.maxPodCreationTime} s).`,
    }),
    alertRule(o, {
      alert: 'WorkerCreationFailures',
      // Increases, not rates: failures are sparse and a reason's series is born at its first failure.
      expr: `${increase(M.workersFailed)}\n/\n(${increase(workers)} > 0)\n> ${o.alerts.workerCreationFailureRatio}`,
      for: '10m', severity: 'critical',
      summary: 'Worker creation failures',
      description: `{{ $value | humanizePercentage }} of worker creations of provider {{ $labels.provider }} in {{ $labels.namespace }} fail (threshold ${round(o.alerts.workerCreationFailureRatio * 100)} %).`,
    }),
    alertRule(o, {
      alert: 'SLOViolation',
      expr: `min by (${BY_TARGET}, slo) (${M.sloCompliant}) == 0`,
      for: '1m', severity: 'high',
      summary: 'SLO {{ $labels.slo }} violated',
      description: 'The in-process SLO check of {{ $labels.namespace }} reports SLO {{ $labels.slo }} violated over its rolling window; `hodei slo` and GET /v1/slo show target and current value.',
    }),
    alertRule(o, {
      alert: 'NetworkPolicyViolations',
      // Any violation; a source's counter is born with its first violation (counted too).
      expr: `${increase(M.networkPolicyViolations)} > 0`,
      severity: 'warning',
      summary: 'Network policy violations detected',
      description: '{{ $value }} network policy violations by workers of provider {{ $labels.provider }} in {{ $labels.namespace }} in the last 5 minutes.',
    }),
  ];
}

function targetAlerts(o: MonitoringOptions): AlertingRule[] {
  const up = `up{job="${o.job}"}`;
  return [
    alertRule(o, {
      alert: 'HodeiTargetDown', expr: `${up} == 0`, for: '5m', severity: 'critical',
      summary: 'Hodei control plane is down or not scrapable',
      description: 'Prometheus cannot scrape {{ $labels.instance }} in {{ $labels.namespace }}: Hodei metrics and every alert built on them are blind.',
    }),
    alertRule(o, {
      alert: 'HodeiTargetMissing', expr: `absent(${up})`, for: '10m', severity: 'critical',
      summary: 'No Hodei scrape target',
      description: `Prometheus discovers no target with job="${o.job}": the ServiceMonitor, Service or scrape config no longer matches Hodei.`,
    }),
    alertRule(o, {
      alert: 'HodeiMetricsMissing',
      expr: `count by (${BY_TARGET}) (${up} == 1)\nunless\ncount by (${BY_TARGET}) (${M.jobsQueued}{job="${o.job}"})`,
      for: '10m', severity: 'warning',
      summary: 'Hodei target up but Hodei metrics missing',
      description: 'The target {{ $labels.job }} in {{ $labels.namespace }} answers but exposes no hodei_jobs_queued: wrong port or path, or not a Hodei control plane.',
    }),
  ];
}

export function alertRuleGroups(o: MonitoringOptions): RuleGroup[] {
  return [
    { name: 'hodei-kubernetes', rules: kubernetesAlerts(o) },
    { name: 'hodei-target', rules: targetAlerts(o) },
    queueAlertGroup(o),
  ];
}
