// hodei events [--type] [--worker] [--job] [--since] [--limit] [--follow] [--json]: recorded events,
// oldest first; with --follow keeps printing new ones as the server records them.
import { InvalidArgumentError, type Command } from 'commander';
import type { HodeiEvent } from '../observability/events/types.js';
import { addClientOptions, clientFrom, parseInteger, type ClientFlags } from './common.js';
import { parseDurationMs } from '../util/duration.js';
import { formatOf, renderDocument } from './output.js';

interface EventsFlags extends ClientFlags {
  type?: string; worker?: string; job?: string; since?: string; limit: number; follow?: boolean;
}

/** A duration (the server reads 90s, 10m, 2h, 7d) or an ISO time. */
const parseSinceFlag = (v: string): string => {
  const iso = /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
  const duration = parseDurationMs(v);
  // Sent as whole seconds, a form every reader of `since` accepts.
  if (duration !== null) return `${Math.max(1, Math.round(duration / 1000))}s`;
  if (!iso) throw new InvalidArgumentError(`--since must be a duration like 10m or an ISO time, got '${v}'`);
  return v;
};

export function formatEvent(e: HodeiEvent): string {
  const details = Object.entries(e.details)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(' ');
  return [
    e.timestamp, e.event_type.padEnd(24), (e.success ? 'ok' : 'FAIL').padEnd(4), (e.worker_id ?? '-').padEnd(12),
    e.namespace ?? '-', e.duration_ms === null ? '-' : `${Math.round(e.duration_ms)}ms`, details,
  ].join('  ').trimEnd() + '\n';
}

export function registerEventsCommand(program: Command): void {
  addClientOptions(program.command('events').description('show recorded events (worker lifecycle, HPA, namespaces, API failures, SLO changes)')
    .option('--type <type>', 'only this event type, e.g. worker.failed')
    .option('--worker <id>', 'only events of this worker')
    .option('--job <id>', 'only events of this job')
    .option('--since <when>', 'only events since a duration ago (90s, 10m, 2h, 7d) or an ISO time', parseSinceFlag)
    .option('--limit <n>', 'at most n past events', parseInteger('--limit', 1, 1000), 100)
    .option('-f, --follow', 'keep printing new events'), ['table', 'json', 'yaml'])
    .action(async (flags: EventsFlags) => {
      const client = clientFrom(flags);
      const p = new URLSearchParams({ limit: String(flags.limit) });
      if (flags.type) p.set('type', flags.type);
      if (flags.worker) p.set('worker_id', flags.worker);
      if (flags.job) p.set('job_id', flags.job);
      if (flags.since) p.set('since', flags.since);
      if (!flags.follow) {
        const { events } = await client.getJson<{ events: HodeiEvent[] }>(`/v1/events?${p}`);
        const doc = renderDocument(formatOf(flags), { events });
        if (doc !== null) process.stdout.write(doc);
        else for (const e of events.reverse()) process.stdout.write(formatEvent(e));
        return;
      }
      p.set('follow', 'true');
      p.set('format', 'ndjson');
      for await (const e of client.ndjson<HodeiEvent>(`/v1/events?${p}`)) {
        const format = formatOf(flags);
        process.stdout.write(format === 'json' ? JSON.stringify(e) + '\n' : format === 'yaml' ? `---\n${renderDocument('yaml', e) ?? ''}` : formatEvent(e));
      }
    });
}
