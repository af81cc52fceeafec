// Alerts on queues and schedules (issue 17): a queue with due jobs that started nothing for a
// while although it is not paused, and a schedule tick recorded missed. The gauges are read from
// the store by every replica (max over replicas); missed runs are counted by the replica that
// recorded them (sum over replicas).
import { BY_TARGET, increaseNewAware } from '../metrics.js';
import type { MonitoringOptions } from '../options.js';
import { alertRule } from './alerts.js';
import type { RuleGroup } from './types.js';

/** Minutes a queue may hold due jobs without starting any before it counts as stalled. */
export const QUEUE_STALLED_MINUTES = 10;

export function queueAlertGroup(o: MonitoringOptions): RuleGroup {
  const by = `${BY_TARGET}, queue`;
  const stalled = QUEUE_STALLED_MINUTES * 60;
  return {
    name: 'hodei-queues',
    rules: [
      alertRule(o, {
        alert: 'HodeiQueueStalled',
        expr: [
          `max by (${by}) (hodei_queue_oldest_queued_seconds) > ${stalled}`,
          `and on (${by}) (time() - max by (${by}) (hodei_queue_last_start_timestamp_seconds)) > ${stalled}`,
          `and on (${by}) max by (${by}) (hodei_queue_paused) == 0`,
        ].join('\n'),
        for: '2m', severity: 'high',
        summary: 'Queue {{ $labels.queue }} is stalled',
        description: `Queue {{ $labels.queue }} in {{ $labels.namespace }} has had a due job waiting {{ $value | humanizeDuration }} and started none for over ${QUEUE_STALLED_MINUTES} minutes although it is not paused; \`hodei diagnose\` and \`hodei queues get {{ $labels.queue }}\` say why (ceiling, quota, no workers).`,
      }),
      alertRule(o, {
        alert: 'HodeiScheduleMissed',
        expr: `sum by (${BY_TARGET}, schedule) (${increaseNewAware('hodei_schedule_runs_total{result="missed"}', '15m')}) > 0`,
        severity: 'warning',
        summary: 'Schedule {{ $labels.schedule }} missed a run',
        description: 'Schedule {{ $labels.schedule }} in {{ $labels.namespace }} recorded {{ $value }} missed ticks in the last 15 minutes (past startingDeadlineSeconds or held by concurrencyPolicy Forbid); `hodei schedules get {{ $labels.schedule }}` shows the reason.',
      }),
    ],
  };
}
