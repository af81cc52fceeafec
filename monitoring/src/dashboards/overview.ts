// hodei-overview.json: the observability guide's 11 panels, in its order and with its titles, then
// the Kubernetes API by status code (a 403 storm is not an SLO error but must be seen) and its latency,
// then the "Queues & schedules" row (dashboards/queues.ts).
import { DashboardBuilder, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  BigValueGraphMode, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, StackingConfigBuilder, StackingMode,
} from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { M, increaseNewAware } from '../metrics.js';
import type { MonitoringOptions } from '../options.js';
import { DATASOURCE, K, REFRESH, RI, layout, pieChart, steps, target, timeSeries, upperBound, variables, type PanelLike } from './common.js';
import { queuesRow } from './queues.js';

export const OVERVIEW_UID = 'hodei-overview';

const q = (p: number, sel = K): string => `histogram_quantile(${p}, sum by (le) (rate(${M.podCreation}_bucket${sel}[${RI}])))`;
// Sparse event counters (HPA operations, violations) use increaseNewAware: a series born at its
// first event would otherwise show 0 for that event.
const sumRate = (metric: string, by = ''): string => `sum${by ? ` by (${by})` : ''}(rate(${metric}${K}[${RI}]))`;

export function overviewDashboard(o: MonitoringOptions): Dashboard {
  const { slos } = o;
  const ts = timeSeries;
  const stat = (title: string, unit: string): Stat =>
    new Stat().title(title).unit(unit).datasource(DATASOURCE).graphMode(BigValueGraphMode.Area);

  const panels = layout<PanelLike | RowBuilder>([
    [stat('Active Workers', 'short').description('Workers currently alive (pods of the Kubernetes provider).')
      .thresholds(steps([[null, 'green']]))
      .withTarget(target(`sum(${M.workersActive}${K})`, 'active', 'A')), 6, 5],
    [stat('Worker Creation Rate', 'ops').description('Workers created per second.')
      .thresholds(steps([[null, 'green']]))
      .withTarget(target(sumRate(M.workersCreated), 'created/s', 'A')), 6, 5],
    [stat('Pod Creation Duration (P95)', 's').description(`P95 from create request to pod Running and agent registered. SLO: below ${slos.maxPodCreationTime} s.`)
      .thresholds(upperBound(slos.maxPodCreationTime))
      .withTarget(target(q(0.95), 'P95', 'A')), 6, 5],
    [stat('API Error Rate', 'percentunit').description(`Failed Kubernetes API requests / all requests. SLO: at most ${slos.maxApiErrorRate * 100} %.`)
      .thresholds(upperBound(slos.maxApiErrorRate, 0.5)).decimals(2)
      .withTarget(target(`(${sumRate(M.apiErrors)} or vector(0))\n/\nclamp_min(${sumRate(M.apiRequests)}, 1e-9)`, 'error ratio', 'A')), 6, 5],
    [ts('Workers Created/Deleted', 'ops').description('Worker lifecycle per second: created, deleted, failed to create.')
      .withTarget(target(sumRate(M.workersCreated, 'provider'), 'created {{provider}}', 'A'))
      .withTarget(target(sumRate(M.workersDeleted, 'provider'), 'deleted {{provider}}', 'B'))
      .withTarget(target(sumRate(M.workersFailed, 'provider, reason'), 'failed {{provider}} {{reason}}', 'C')), 12, 8],
    [ts('Pod Creation Duration', 's').description(`avg, P50, P95, P99; the red line is the SLO (${slos.maxPodCreationTime} s).`)
      .thresholds(steps([[null, 'green'], [slos.maxPodCreationTime, 'red']]))
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed))
      .withTarget(target(`${sumRate(`${M.podCreation}_sum`)}\n/\n${sumRate(`${M.podCreation}_count`)}`, 'avg', 'A'))
      .withTarget(target(q(0.5), 'P50', 'B'))
      .withTarget(target(q(0.95), 'P95', 'C'))
      .withTarget(target(q(0.99), 'P99', 'D')), 12, 8],
    [pieChart('Pods by State', 'short')
      .description('Pods of the provider by phase, from the informer view.')
      .withTarget(target(`sum by (state) (${M.podsByState}${K})`, '{{state}}', 'A', true)), 8, 8],
    [ts('API Request Rate by Endpoint', 'reqps').description('Kubernetes API requests per second by endpoint.')
      .withTarget(target(sumRate(M.apiRequests, 'endpoint'), '{{endpoint}}', 'A')), 16, 8],
    [ts('Resource Utilization', 'short').description('Resources requested by live workers: CPU cores, memory, GPUs.')
      .withTarget(target(`sum(${M.cpuRequest}${K}) / 1000`, 'CPU cores', 'A'))
      .withTarget(target(`sum(${M.memoryRequest}${K})`, 'memory', 'B'))
      .withTarget(target(`sum(${M.gpuCount}${K})`, 'GPUs', 'C'))
      .overrideByQuery('B', [{ id: 'unit', value: 'bytes' }, { id: 'custom.axisPlacement', value: 'right' }]), 8, 8],
    [ts('HPA Operations', 'short').description('HPA operations of the worker pools per rate interval.')
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
      .withTarget(target(`sum by (operation) (${increaseNewAware(`${M.hpaOperations}${K}`, RI)})`, '{{operation}}', 'A')), 8, 8],
    [ts('Network Policy Violations', 'short').description('Network policy violations by source; any is worth a look.')
      .thresholds(steps([[null, 'green'], [1, 'red']]))
      .withTarget(target(`sum by (source) (${increaseNewAware(`${M.networkPolicyViolations}${K}`, RI)})`, '{{source}}', 'A')), 8, 8],
    [ts('API Requests by Status Code', 'reqps').description('Kubernetes API requests per second by HTTP status (`<error>` = no response). 4xx are answers, not SLO errors: a 403 storm (RBAC) or 409s show here.')
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
      .withTarget(target(sumRate(M.apiRequests, 'code'), '{{code}}', 'A')), 12, 8],
    [ts('API Request Duration', 's').description('Kubernetes API request latency by verb: P95 and P99 (each retry is a request; a watch is timed to its headers).')
      .withTarget(target(`histogram_quantile(0.95, sum by (verb, le) (rate(${M.apiDuration}_bucket${K}[${RI}])))`, 'P95 {{verb}}', 'A'))
      .withTarget(target(`histogram_quantile(0.99, sum by (verb, le) (rate(${M.apiDuration}_bucket${K}[${RI}])))`, 'P99 {{verb}}', 'B')), 12, 8],
    ...queuesRow(o),
  ]);

  const d = new DashboardBuilder('Hodei Overview').uid(OVERVIEW_UID).tags(['hodei', 'kubernetes'])
    .description('Hodei job platform: workers, pods, Kubernetes API, network policy, queues and schedules (generated by monitoring/, do not edit).')
    .refresh(REFRESH).time({ from: 'now-6h', to: 'now' }).timezone('browser').editable().variables(variables());
  for (const p of panels) {
    if (p instanceof RowBuilder) d.withRow(p);
    else d.withPanel(p);
  }
  return d.build();
}
