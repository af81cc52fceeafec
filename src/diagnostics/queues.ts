// Queue and schedule causes for `hodei diagnose`: a stalled queue (due jobs wait, nothing started
// for a while, not paused), schedule ticks recorded missed, each with its likely reason, and the
// queue wait / schedule punctuality SLOs when violated without a stall or a miss to explain them.
import { sum, type Snapshot } from './snapshot.js';

/** Seconds without progress before a queue counts as stalled (the HodeiQueueStalled alert uses 600). */
export const STALLED_AFTER_SECONDS = 300;

const labelled = (s: Snapshot, metric: string, label: string): Map<string, number> =>
  new Map((s.metrics.get(metric) ?? []).flatMap((m) => (m.labels[label] === undefined ? [] : [[m.labels[label] ?? '', m.value] as const])));

export function queueCauses(s: Snapshot, stalledAfter = STALLED_AFTER_SECONDS): string[] {
  const out: string[] = [];
  const oldest = labelled(s, 'hodei_queue_oldest_queued_seconds', 'queue');
  const lastStart = labelled(s, 'hodei_queue_last_start_timestamp_seconds', 'queue');
  const paused = labelled(s, 'hodei_queue_paused', 'queue');
  const now = s.at.getTime() / 1000;
  for (const [queue, waited] of oldest) {
    const idle = now - (lastStart.get(queue) ?? 0);
    if (waited <= stalledAfter || idle <= stalledAfter || paused.get(queue) === 1) continue;
    const active = ['provisioning', 'assigned', 'running'].reduce((a, st) => a + sum(s.metrics, 'hodei_queue_jobs', { queue, state: st }), 0);
    const queued = sum(s.metrics, 'hodei_queue_jobs', { queue, state: 'queued' });
    const why = active > 0
      ? `its ${active} running jobs hold every slot: stuck jobs (cancel them, set timeoutSeconds) or a ceiling too low (hodei queues set ${queue} --concurrency N)`
      : 'nothing of it runs: no worker could be provisioned (see worker failures above), or its quota is smaller than the job at its head (hodei queues get ' + queue + ')';
    out.push(`Queue ${queue} is stalled: ${queued} queued, the oldest waiting ${Math.round(waited)} s, no start for ${Math.round(Math.min(idle, 1e9))} s, not paused; ${why}`);
  }
  const missed = new Map<string, { count: number; reason: string }>();
  for (const e of s.events.filter((ev) => ev.event_type === 'schedule.missed')) {
    const name = String(e.details.schedule ?? '?');
    missed.set(name, { count: (missed.get(name)?.count ?? 0) + 1, reason: String(e.details.reason ?? '') });
  }
  for (const [name, m] of missed) {
    out.push(`Schedule ${name} missed ${m.count} tick${m.count === 1 ? '' : 's'} (latest: ${m.reason}): hodei schedules get ${name}`);
  }
  return [...out, ...sloCauses(s, out.length > 0, missed.size > 0, oldest)];
}

/** A violated queue wait or punctuality SLO that no stall or miss above explains: jobs start, but late. */
function sloCauses(s: Snapshot, stalled: boolean, missedTicks: boolean, oldest: Map<string, number>): string[] {
  const out: string[] = [];
  const broken = (name: string) => s.slo?.slos.find((x) => x.slo === name && !x.compliant);
  const wait = broken('queue_wait_time');
  if (wait && !stalled) {
    const worst = [...oldest].sort((a, b) => b[1] - a[1])[0];
    const head = worst && worst[1] > 0 ? `; longest wait now: queue ${worst[0]} (${Math.round(worst[1])} s, hodei queues get ${worst[0]})` : '';
    out.push(`Queue wait SLO violated: P95 ${wait.current.toFixed(1)} s > target ${wait.target} s. Jobs start, but late: a queue's concurrency or quota is too small for its load, or workers are slow to provision (see pod_creation_time)${head}`);
  }
  const late = broken('schedule_punctuality');
  if (late && !missedTicks) {
    out.push(`Schedule punctuality SLO violated: P95 tick → running ${late.current.toFixed(1)} s > target ${late.target} s. Runs start late: their queue waits (see queue wait) or workers are slow to provision: hodei schedules list`);
  }
  return out;
}
