// What `hodei run` shows while a job waits: its state and why it waits, taken from the job record
// and the events the API records for it (quota, image pulls, Unschedulable...). On a terminal one
// status line is redrawn in place; otherwise each change is one plain line. Always on stderr.
import type { HodeiClient } from '../client/client.js';
import { isTerminal, type Job } from '../domain/job.js';
import type { HodeiEvent } from '../observability/events/types.js';

export interface ProgressOptions {
  client: HodeiClient;
  jobId: string;
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  tty: boolean;
  /** Poll period. @defaultValue 1000 */
  intervalMs?: number;
}

/** "waiting: quota exceeded ..." from an event about the job; null when it says nothing useful. */
export function describeEvent(e: HodeiEvent): string | null {
  const d = e.details;
  const reason = typeof d.reason === 'string' ? d.reason : null;
  const message = typeof d.message === 'string' ? d.message : null;
  if (e.event_type === 'worker.created') return `worker ${e.worker_id ?? ''} created${typeof d.pod === 'string' ? ` (pod ${d.pod})` : ''}`.replace('  ', ' ');
  if (!reason && !message) return null;
  return `${e.success ? '' : 'waiting: '}${[reason, message].filter(Boolean).join(': ')}`;
}

/** Follows the job until it runs or ends (or `stop` is called); resolves when done. */
export function showProgress(o: ProgressOptions): { stop(): Promise<void> } {
  let stopped = false;
  let lastState = '';
  let lastLine = '';
  let drawn = false;
  const seen = new Set<string>();
  const write = (line: string): void => {
    if (line === lastLine) return;
    lastLine = line;
    if (o.tty) {
      o.out.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else o.out.write(`${line}\n`);
  };
  const clear = (): void => {
    if (o.tty && drawn) o.out.write('\r\x1b[2K');
    drawn = false;
  };
  const tick = async (): Promise<boolean> => {
    const job: Job = await o.client.getJob(o.jobId);
    if (!o.tty && job.state !== lastState) {
      lastState = job.state;
      write(`hodei: job ${o.jobId.slice(0, 8)} ${job.state}`);
    }
    let why = '';
    try {
      const { events } = await o.client.getJson<{ events: HodeiEvent[] }>(`/v1/events?job_id=${encodeURIComponent(o.jobId)}&limit=20`);
      for (const e of [...events].reverse()) {
        const text = describeEvent(e);
        if (!text) continue;
        const key = `${e.timestamp}|${e.event_type}|${text}`;
        if (!o.tty && !seen.has(key)) write(`hodei: job ${o.jobId.slice(0, 8)}: ${text}`);
        seen.add(key);
        why = text;
      }
    } catch { /* events are a nicety: the job's state is enough */ }
    if (o.tty) write(`hodei: job ${o.jobId.slice(0, 8)} ${job.state}${why ? ` · ${why}` : ''}`);
    return job.state === 'running' || isTerminal(job.state);
  };
  const done = (async () => {
    while (!stopped) {
      try {
        if (await tick()) break;
      } catch { /* the log stream reports an unreachable server; keep quiet here */ }
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
    }
    clear();
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}
