// hodei diagnose / hodei incident: what the observability guide's troubleshooting section sends
// people to kubectl for, in one screen; and a Markdown timeline to start a post-mortem.
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { diagnose } from '../diagnostics/analyze.js';
import { INCIDENT_EVENT_TYPES, renderIncident } from '../diagnostics/incident.js';
import { renderDiagnosis } from '../diagnostics/render.js';
import { takeSnapshot } from '../diagnostics/snapshot.js';
import { addClientOptions, clientFrom, type ClientFlags } from './common.js';
import { parseDurationMs } from '../util/duration.js';
import { renderOne } from './output.js';

const DIAGNOSE_TYPES = ['worker.created', 'worker.failed', 'worker.deleted', 'namespace.created', 'network_policy.violation', 'schedule.missed'];

/** "90s", "10m", "2h", "7d" → minutes. */
export function durationMinutes(flag: string) {
  return (v: string): number => {
    const msValue = parseDurationMs(v);
    if (msValue === null) throw new InvalidArgumentError(`${flag} must be a duration like 30m, 2h or 1d, got '${v}'`);
    return msValue / 60_000;
  };
}

export function registerDiagnoseCommands(program: Command): void {
  addClientOptions(program.command('diagnose').description('one-screen diagnosis: creation rate, pods, failures, API errors, health, SLOs, likely causes')
    .option('--window <duration>', 'how far back to look at events', durationMinutes('--window'), 60), ['table', 'json', 'yaml'])
    .action(async (flags: ClientFlags & { window: number }) => {
      const snap = await takeSnapshot(clientFrom(flags), `${Math.round(flags.window * 60)}s`, DIAGNOSE_TYPES);
      const d = diagnose(snap, flags.window);
      process.stdout.write(renderOne(flags, d, () => renderDiagnosis(d)));
    });

  addClientOptions(program.command('incident').description('write a Markdown incident timeline (start of a post-mortem)')
    .option('--since <duration>', 'how far back', durationMinutes('--since'), 120)
    .option('--file <path>', 'write to a file instead of stdout'), ['markdown', 'json', 'yaml'])
    .action(async (flags: Omit<ClientFlags, 'output'> & { output?: string; since: number; file?: string }) => {
      const since = `${Math.round(flags.since * 60)}s`;
      const snap = await takeSnapshot(clientFrom({ ...flags, output: undefined }), since, [...new Set([...INCIDENT_EVENT_TYPES, ...DIAGNOSE_TYPES])]);
      const d = diagnose(snap, flags.since);
      const md = renderIncident({ ...snap, events: snap.events.filter((e) => e.event_type !== 'worker.created') }, d, new Date(snap.at.getTime() - flags.since * 60_000).toISOString());
      const events = snap.events.filter((e) => e.event_type !== 'worker.created');
      const doc = { since: new Date(snap.at.getTime() - flags.since * 60_000).toISOString(), at: snap.at.toISOString(), diagnosis: d, events };
      const format = flags.json ? 'json' : flags.output ?? 'markdown';
      const text = format === 'markdown' ? md : renderOne({ output: format as 'json' | 'yaml' }, doc, () => md);
      if (flags.file) writeFileSync(flags.file, text);
      else process.stdout.write(text);
    });
}
