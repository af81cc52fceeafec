// hodei queues list|get|pause|resume|set over /v1/queues, and the queue flags of `hodei run`
// (--queue --priority --in --at --key --depends-on --idempotency-key).
import { InvalidArgumentError, type Command } from 'commander';
import type { JobSubmission } from '../client/client.js';
import { ValidationError } from '../errors/errors.js';
import type { QueueView } from '../jobs/queues.js';
import { addClientOptions, age, clientFrom, parseInteger, type ClientFlags } from './common.js';
import { printOne, table } from './output.js';

// ── hodei run flags ──────────────────────────────────────────────────────────────────────────

export interface QueueRunFlags {
  queue?: string; priority?: number; in?: number; at?: string; key?: string; dependsOn?: string[]; idempotencyKey?: string;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90s", "10m", "1h30m", "2d" → seconds. */
export function parseDuration(flag: string) {
  return (value: string): number => {
    const parts = [...value.trim().matchAll(/(\d+)([smhd])/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim()) {
      throw new InvalidArgumentError(`${flag} must be a duration like 30s, 10m, 1h30m or 2d, got '${value}'`);
    }
    return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2] ?? 's'] ?? 1), 0);
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

export function formatQueues(queues: QueueView[]): string {
  if (queues.length === 0) return 'no queues\n';
  return table(['NAME', 'STATE', 'CONCURRENCY', 'QUOTA', 'QUEUED', 'RUNNING', 'SCHEDULED', 'BLOCKED', 'OLDEST WAIT', 'LAST START'], queues.map((q) => [
    q.name, q.paused ? 'paused' : 'active', q.concurrency === null ? '-' : String(q.concurrency), quotaText(q.quota),
    String(q.jobs.queued), String(q.jobs.provisioning + q.jobs.assigned + q.jobs.running), String(q.jobs.scheduled), String(q.jobs.blocked),
    q.oldestQueuedSeconds > 0 ? `${Math.round(q.oldestQueuedSeconds)}s` : '-', q.lastStartedAt ? `${age(q.lastStartedAt)} ago` : '-',
  ]));
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
      printOne(flags, r, () => formatQueues(r.queues));
    });
  addClientOptions(queues.command('get').description('one queue').argument('<name>', 'queue name'))
    .action(async (name: string, flags: ClientFlags) => {
      const q = await clientFrom(flags).getJson<QueueView>(path(name));
      printOne(flags, q, () => formatQueues([q]));
    });
  for (const [verb, paused] of [['pause', true], ['resume', false]] as const) {
    addClientOptions(queues.command(verb).description(paused ? 'stop starting jobs of the queue (they stay queued)' : 'start jobs of the queue again').argument('<name>', 'queue name'))
      .action(async (name: string, flags: ClientFlags) => {
        const q = await clientFrom(flags).send<QueueView>('PATCH', path(name), { paused });
        printOne(flags, q, () => `queue ${name} ${paused ? 'paused' : 'resumed'} (${q.jobs.queued} queued)\n`);
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
      printOne(flags, q, () => formatQueues([q]));
    });
}
