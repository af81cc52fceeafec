// hodei diagnose / hodei incident: what the observability guide's troubleshooting section sends
// people to kubectl for, in one screen; and a Markdown timeline to start a post-mortem.
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { diagnose } from '../diagnostics/analyze.js';
import { INCIDENT_EVENT_TYPES, renderIncident } from '../diagnostics/incident.js';
import { renderDiagnosis } from '../diagnostics/render.js';
import { takeSnapshot } from '../diagnostics/snapshot.js';
import { addClientOptions, clientFrom, type ClientFlags } from './common.js';

const DIAGNOSE_TYPES = ['worker.created', 'worker.failed', 'schedule.missed'];

/** "90s", "10m", "2h", "7d" → minutes. */
export function durationMinutes(flag: string) {
  return (v: string): number => {
    const m = /^(\d+)(s|m|h|d)$/.exec(v);
    if (!m?.[1] || !m[2]) throw new InvalidArgumentError(`${flag} must be a duration like 30m, 2h or 1d, got '${v}'`);
    return Number(m[1]) * { s: 1 / 60, m: 1, h: 60, d: 1440 }[m[2] as 's' | 'm' | 'h' | 'd'];
  };
}

export function registerDiagnoseCommands(program: Command): void {
  addClientOptions(program.command('diagnose').description('one-screen diagnosis: creation rate, pods, failures, API errors, health, SLOs, likely causes')
    .option('--window <duration>', 'how far back to look at events', durationMinutes('--window'), 60))
    .action(async (flags: ClientFlags & { window: number }) => {
      const snap = await takeSnapshot(clientFrom(flags), `${Math.round(flags.window * 60)}s`, DIAGNOSE_TYPES);
      const d = diagnose(snap, flags.window);
      process.stdout.write(flags.json ? JSON.stringify(d, null, 2) + '\n' : renderDiagnosis(d));
    });

  addClientOptions(program.command('incident').description('write a Markdown incident timeline (start of a post-mortem)')
    .option('--since <duration>', 'how far back', durationMinutes('--since'), 120)
    .option('-o, --output <file>', 'write to a file instead of stdout'))
    .action(async (flags: ClientFlags & { since: number; output?: string }) => {
      const since = `${Math.round(flags.since * 60)}s`;
      const snap = await takeSnapshot(clientFrom(flags), since, [...new Set([...INCIDENT_EVENT_TYPES, ...DIAGNOSE_TYPES])]);
      const d = diagnose(snap, flags.since);
      const md = renderIncident({ ...snap, events: snap.events.filter((e) => e.event_type !== 'worker.created') }, d, new Date(snap.at.getTime() - flags.since * 60_000).toISOString());
      if (flags.output) writeFileSync(flags.output, md);
      else process.stdout.write(md);
    });
}
