// hodei queues list|get|pause|resume|set over /v1/queues, and the queue flags of `hodei run`
// (--queue --priority --in --at --key --depends-on --idempotency-key).
import { InvalidArgumentError, type Command } from 'commander';
import type { JobSubmission } from '../client/client.js';
import { ValidationError } from '../errors/errors.js';
import { parseDurationMs } from '../util/duration.js';
import type { QueueView } from '../jobs/queues.js';
import { addClientOptions, age, clientFrom, parseInteger, type ClientFlags } from './common.js';
import { renderListOr, renderOne, type ListView, type OutputFlags } from './output.js';

// ── hodei run flags ──────────────────────────────────────────────────────────────────────────

export interface QueueRunFlags {
  queue?: string; priority?: number; in?: number; at?: string; key?: string; dependsOn?: string[]; idempotencyKey?: string;
}

/** "90s", "10m", "1h30m", "2d" → seconds (the project's one duration parser). */
export function parseDuration(flag: string) {
  return (value: string): number => {
    const v = parseDurationMs(value);
    if (v === null) throw new InvalidArgumentError(`${flag} must be a duration like 30s, 10m, 1h30m or 2d, got '${value}'`);
    return v / 1000;
  };
}

function parseAt(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`--at must be a date-time like 2026-01-01T09:00:00Z, got '${value}'`);
  return new Date(t).toISOString();
}

export function addQueueRunOptions(cmd: Command): Command {
  return cmd
    .option('--queue <name>', 'queue to wait in (default: default)')
    .option('--priority <n>', 'higher runs first (-1000..1000, default 0)', parseInteger('--priority', -1000, 1000))
    .option('--in <duration>', 'start no earlier than this from now, e.g. 10m', parseDuration('--in'))
    .option('--at <time>', 'start no earlier than this RFC 3339 time', parseAt)
    .option('--key <key>', 'singleton key: if an unfinished job holds it, that job answers')
    .option('--depends-on <jobId>', 'run after this job succeeded (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--idempotency-key <key>', 'a retried submission with this key answers the original job');
}

/** The submission fields the queue flags set. */
export function queueFields(f: QueueRunFlags, now = Date.now()): Partial<JobSubmission> {
  // Inside an action a commander error would exit silently: a ValidationError is reported.
  if (f.in !== undefined && f.at !== undefined) throw new ValidationError('give --in or --at, not both');
  const runAt = f.in !== undefined ? new Date(now + f.in * 1000).toISOString() : f.at;
  return {
    ...(f.queue ? { queue: f.queue } : {}), ...(f.priority !== undefined ? { priority: f.priority } : {}),
    ...(runAt ? { runAt } : {}), ...(f.key ? { key: f.key } : {}), ...(f.dependsOn ? { dependsOn: f.dependsOn } : {}),
  };
}

// ── hodei queues ─────────────────────────────────────────────────────────────────────────────

const quotaText = (q: QueueView['quota']): string =>
  [q.cpu ? `cpu=${q.cpu}` : '', q.memory ? `memory=${q.memory}` : '', q.gpu !== undefined ? `gpu=${q.gpu}` : ''].filter(Boolean).join(' ') || '-';

export const queueView: ListView<QueueView> = {
  name: (q) => `queue/${q.name}`,
  columns: [
    { header: 'NAME', value: (q) => q.name },
    { header: 'STATE', value: (q) => (q.paused ? 'paused' : 'active') },
    { header: 'CONCURRENCY', value: (q) => (q.concurrency === null ? '-' : String(q.concurrency)) },
    { header: 'QUOTA', value: (q) => quotaText(q.quota) },
    { header: 'QUEUED', value: (q) => String(q.jobs.queued) },
    { header: 'RUNNING', value: (q) => String(q.jobs.provisioning + q.jobs.assigned + q.jobs.running) },
    { header: 'SCHEDULED', value: (q) => String(q.jobs.scheduled) },
    { header: 'BLOCKED', value: (q) => String(q.jobs.blocked) },
    { header: 'OLDEST WAIT', value: (q) => (q.oldestQueuedSeconds > 0 ? `${Math.round(q.oldestQueuedSeconds)}s` : '-') },
    { header: 'LAST START', value: (q) => (q.lastStartedAt ? `${age(q.lastStartedAt)} ago` : '-') },
    { header: 'PAUSED SINCE', value: (q) => q.pausedAt ?? '-', wide: true },
    { header: 'CONFIGURED', value: (q) => (q.configured ? 'yes' : 'no'), wide: true },
  ],
};

/** The table of queues (`no queues` when there is none), as `queues list` prints it by default. */
export function formatQueues(queues: QueueView[], flags: OutputFlags = {}): string {
  return renderListOr('no queues', flags, { queues }, queues, queueView);
}

function concurrency(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 1_000_000) throw new ValidationError(`--concurrency must be a whole number up to 1000000 or none, got '${v}'`);
  return Number(v);
}

interface SetFlags extends ClientFlags { concurrency?: string; cpu?: string; memory?: string; gpu?: number }

const path = (name: string): string => `/v1/queues/${encodeURIComponent(name)}`;

export function registerQueuesCommand(program: Command): void {
  const queues = program.command('queues').description('queues: concurrency, pause and quota per queue, with what waits in each');
  addClientOptions(queues.command('list').description('every queue with its settings, waiting and running jobs'))
    .action(async (flags: ClientFlags) => {
      const r = await clientFrom(flags).getJson<{ queues: QueueView[] }>('/v1/queues');
      process.stdout.write(renderListOr('no queues', flags, r, r.queues, queueView));
    });
  addClientOptions(queues.command('get').description('one queue').argument('<name>', 'queue name'))
    .action(async (name: string, flags: ClientFlags) => {
      const q = await clientFrom(flags).getJson<QueueView>(path(name));
      process.stdout.write(renderListOr('no queues', flags, q, [q], queueView));
    });
  for (const [verb, paused] of [['pause', true], ['resume', false]] as const) {
    addClientOptions(queues.command(verb).description(paused ? 'stop starting jobs of the queue (they stay queued)' : 'start jobs of the queue again').argument('<name>', 'queue name'))
      .action(async (name: string, flags: ClientFlags) => {
        const q = await clientFrom(flags).send<QueueView>('PATCH', path(name), { paused });
        process.stdout.write(renderOne(flags, q, () => `queue ${name} ${paused ? 'paused' : 'resumed'} (${q.jobs.queued} queued)\n`, () => queueView.name(q)));
      });
  }
  addClientOptions(queues.command('set').description('change a queue\'s concurrency or quota').argument('<name>', 'queue name')
    .option('--concurrency <n|none>', 'most jobs running at once, or none for no limit')
    .option('--cpu <quantity>', 'CPU quota of running jobs, e.g. 4')
    .option('--memory <quantity>', 'memory quota of running jobs, e.g. 8Gi')
    .option('--gpu <n>', 'GPU quota of running jobs', parseInteger('--gpu', 0, 100_000)))
    .action(async (name: string, flags: SetFlags) => {
      const body: Record<string, unknown> = {};
      if (flags.concurrency !== undefined) body.concurrency = flags.concurrency === 'none' ? null : concurrency(flags.concurrency);
      if (flags.cpu || flags.memory || flags.gpu !== undefined) {
        body.quota = { ...(flags.cpu ? { cpu: flags.cpu } : {}), ...(flags.memory ? { memory: flags.memory } : {}), ...(flags.gpu !== undefined ? { gpu: flags.gpu } : {}) };
      }
      if (Object.keys(body).length === 0) throw new ValidationError('nothing to set: give --concurrency, --cpu, --memory or --gpu');
      const q = await clientFrom(flags).send<QueueView>('PATCH', path(name), body);
      process.stdout.write(renderListOr('no queues', flags, q, [q], queueView));
    });
}
