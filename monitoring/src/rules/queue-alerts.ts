// Alerts on queues and schedules (issue 17): a queue with due jobs that started nothing for a
// while although it is not paused, and a schedule tick recorded missed. The gauges are read from
// the store by every replica (max over replicas); missed runs are counted by the replica that
// recorded them (sum over replicas).
import { BY_TARGET, M, increaseNewAware } from '../metrics.js';
import type { MonitoringOptions } from '../options.js';
import { alertRule } from './alerts.js';
import type { RuleGroup } from './types.js';

const humanSeconds = (s: number): string => (s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} seconds`);

export function queueAlertGroup(o: MonitoringOptions): RuleGroup {
  const by = `${BY_TARGET}, queue`;
  const stalled = o.alerts.queueStalledSeconds;
  const window = o.alerts.scheduleMissedWindow;
  return {
    name: 'hodei-queues',
    rules: [
      alertRule(o, {
        alert: 'HodeiQueueStalled',
        expr: [
          `max by (${by}) (${M.queueOldest}) > ${stalled}`,
          `and on (${by}) (time() - max by (${by}) (${M.queueLastStart})) > ${stalled}`,
          `and on (${by}) max by (${by}) (${M.queuePaused}) == 0`,
        ].join('\n'),
        for: '2m', severity: 'high',
        summary: 'Queue {{ $labels.queue }} is stalled',
        description: `Queue {{ $labels.queue }} in {{ $labels.namespace }} has had a due job waiting {{ $value | humanizeDuration }} and started none for over ${humanSeconds(stalled)} although it is not paused; \`hodei diagnose\` and \`hodei queues get {{ $labels.queue }}\` say why (ceiling, quota, no workers).`,
      }),
      alertRule(o, {
        alert: 'HodeiScheduleMissed',
        expr: `sum by (${BY_TARGET}, schedule) (${increaseNewAware(`${M.scheduleRuns}{result="missed"}`, window)}) > 0`,
        severity: 'warning',
        summary: 'Schedule {{ $labels.schedule }} missed a run',
        description: `Schedule {{ $labels.schedule }} in {{ $labels.namespace }} recorded {{ $value }} missed ticks in the last ${window} (past startingDeadlineSeconds or held by concurrencyPolicy Forbid); \`hodei schedules get {{ $labels.schedule }}\` shows the reason.`,
      }),
    ],
  };
}
