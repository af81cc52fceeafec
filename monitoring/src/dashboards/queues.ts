// The "Queues & schedules" row of the overview dashboard (issue 17): what waits in each queue and
// for how long, which queues are paused, queue wait and schedule start delay against their SLOs,
// and schedule runs by result. Queue gauges are read from the store by every replica (the same
// truth), so they are combined with max, never summed; counters and histograms are summed.
import { MappingType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { M, increaseNewAware } from '../metrics.js';
import type { MonitoringOptions } from '../options.js';
import { LATENCY_QUANTILE } from '../rules/sli.js';
import { DATASOURCE, P, RI, steps, target, timeSeries, upperBound, type PanelLike } from './common.js';

export const QUEUES_ROW_TITLE = 'Queues & schedules';

/** Label series are born with: a query over them is empty before the first schedule; this keeps one 0 line instead of "No data". */
const orZero = (expr: string, label: string): string => `${expr}\nor on ()\nlabel_replace(vector(0), "${label}", "none", "", "")`;

export function queuesRow(o: MonitoringOptions): [PanelLike | RowBuilder, number, number][] {
  const { slos } = o;
  const dashed = new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed);
  const p95 = (histogram: string, by: string): string =>
    `histogram_quantile(${LATENCY_QUANTILE}, sum by (${by ? `${by}, ` : ''}le) (rate(${histogram}_bucket${P}[${RI}])))`;
  const state = (s: string): string => `{namespace=~"$namespace", state=~"${s}"}`;
  return [
    [new RowBuilder(QUEUES_ROW_TITLE), 24, 1],
    [timeSeries('Queued Jobs by Queue', 'short').description('Due jobs waiting for a worker, per queue (scheduled and blocked jobs are not due yet).')
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
      .withTarget(target(`max by (queue) (${M.queueJobs}${state('queued')})`, '{{queue}}', 'A')), 8, 8],
    [timeSeries('Active Jobs by Queue', 'short').description('Jobs holding a slot of their queue: provisioning, assigned or running (the concurrency ceiling counts these).')
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
      .withTarget(target(`max by (queue) (${M.queueJobs}${state('provisioning|assigned|running')})`, '{{queue}}', 'A')), 8, 8],
    [new Stat().title('Paused Queues').datasource(DATASOURCE).unit('none')
      .description('Each queue: Paused (jobs stay queued, on purpose) or Active.')
      .mappings([{ type: MappingType.ValueToText, options: { '0': { text: 'Active', color: 'green' }, '1': { text: 'Paused', color: 'orange' } } }])
      .thresholds(steps([[null, 'green'], [1, 'orange']]))
      .withTarget(target(`max by (queue) (${M.queuePaused}${P})`, '{{queue}}', 'A', true)), 8, 8],
    [timeSeries('Oldest Queued Job', 's').description(`How long the longest-waiting due job of each queue has waited. The red line is where HodeiQueueStalled starts counting (${o.alerts.queueStalledSeconds} s with no start, queue not paused).`)
      .thresholds(steps([[null, 'green'], [o.alerts.queueStalledSeconds, 'red']])).thresholdsStyle(dashed)
      .withTarget(target(`max by (queue) (${M.queueOldest}${P})`, '{{queue}}', 'A')), 12, 8],
    [timeSeries('Queue Wait vs SLO', 's').description(`P95 time from queued to running, all queues and per queue; the line is the SLO (${slos.maxQueueWaitTime} s).`)
      .thresholds(upperBound(slos.maxQueueWaitTime)).thresholdsStyle(dashed)
      .withTarget(target(p95(M.jobQueueWait, ''), 'P95 all queues', 'A'))
      .withTarget(target(p95(M.jobQueueWait, 'queue'), 'P95 {{queue}}', 'B')), 12, 8],
    [timeSeries('Schedule Start Delay vs SLO', 's').description(`P95 from a schedule tick to its job running; the line is the schedule punctuality SLO (${slos.maxScheduleStartDelay} s; a missed tick counts as late).`)
      .thresholds(upperBound(slos.maxScheduleStartDelay)).thresholdsStyle(dashed)
      .withTarget(target(p95(M.scheduleStartDelay, ''), 'P95', 'A')), 12, 8],
    [timeSeries('Schedule Runs', 'short').description('Schedule ticks per rate interval by schedule and result: triggered (a job was made) or missed (past startingDeadlineSeconds, or held by Forbid). Any missed tick fires HodeiScheduleMissed.')
      .thresholds(steps([[null, 'green']]))
      .withTarget(target(orZero(`sum by (schedule, result) (${increaseNewAware(`${M.scheduleRuns}${P}`, RI)})`, 'schedule'), '{{schedule}} {{result}}', 'A')), 12, 8],
  ];
}
