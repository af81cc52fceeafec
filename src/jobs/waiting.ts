// Why a job that has not started is still waiting, in words: shown on GET /v1/jobs/{id}, in
// listings and by `hodei jobs get`, so a paused or saturated queue is never a mystery.
import type { Job } from '../domain/job.js';
import type { QueueRecord, Store } from '../store/store.js';

/** Per-request memo, so a page of jobs reads each queue once. */
export interface WaitingCache {
  queues: Map<string, QueueRecord | null>;
  active: Map<string, number>;
}

export const newWaitingCache = (): WaitingCache => ({ queues: new Map(), active: new Map() });

export async function explainWaiting(store: Store, job: Job, now: Date, cache: WaitingCache = newWaitingCache()): Promise<string | undefined> {
  const name = job.spec.queue ?? 'default';
  if (job.state === 'scheduled') return `runAt ${job.notBefore}`;
  if (job.state === 'blocked') {
    const pending = (await store.dependenciesOf(job.id)).filter((d) => d.state !== 'succeeded');
    return `dependencies: ${pending.map((d) => `${d.id} (${d.state ?? 'deleted'})`).join(', ')}`;
  }
  if (job.state !== 'queued') return undefined;
  if (Date.parse(job.notBefore) > now.getTime()) return `retry backoff until ${job.notBefore}`;
  let queue = cache.queues.get(name);
  if (queue === undefined) {
    queue = await store.getQueue(name);
    cache.queues.set(name, queue);
  }
  if (queue?.paused) return `queue '${name}' is paused`;
  if (queue?.concurrency !== null && queue?.concurrency !== undefined) {
    let active = cache.active.get(name);
    if (active === undefined) {
      const [stats] = await store.queueStats(now, name);
      active = stats ? stats.counts.provisioning + stats.counts.assigned + stats.counts.running : 0;
      cache.active.set(name, active);
    }
    if (active >= queue.concurrency) return `queue '${name}' is at its concurrency limit (${active}/${queue.concurrency})`;
  }
  return `waiting for a worker in queue '${name}'`;
}
