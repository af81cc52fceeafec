// hodei schedules list|get|create|suspend|resume|delete over /v1/schedules.
import type { Command } from 'commander';
import type { ScheduleView } from '../schedules/service.js';
import { ValidationError } from '../errors/errors.js';
import { addClientOptions, age, clientFrom, parseInteger, type ClientFlags } from './common.js';
import { printOne, table } from './output.js';
import { addTemplateRunOptions, templateFields, type TemplateRunFlags } from './templates.js';

const when = (iso: string | null | undefined): string => {
  if (!iso) return '-';
  const ms = Date.parse(iso) - Date.now();
  return ms >= 0 ? `in ${Math.max(0, Math.round(ms / 1000))}s` : `${age(iso)} ago`;
};

export function formatSchedules(list: ScheduleView[]): string {
  if (list.length === 0) return 'no schedules\n';
  return table(['NAME', 'CRON', 'TIMEZONE', 'POLICY', 'SUSPENDED', 'LAST RUN', 'LAST RESULT', 'NEXT RUN'], list.map((s) => [
    s.name, s.cron, s.timezone, s.concurrencyPolicy, s.suspend ? 'yes' : 'no', when(s.lastRun?.tick), s.lastResult ?? '-', when(s.nextRun),
  ]));
}

interface CreateFlags extends ClientFlags, TemplateRunFlags {
  cron?: string; timezone?: string; policy?: string; deadline?: number; queue?: string; label?: Record<string, string>;
}

const path = (name: string): string => `/v1/schedules/${encodeURIComponent(name)}`;

export function registerSchedulesCommand(program: Command): void {
  const cmd = program.command('schedules').description('cron schedules: each run is an ordinary job labelled hodei.io/schedule');
  addClientOptions(cmd.command('list').description('schedules with last run, last result and next run'))
    .action(async (flags: ClientFlags) => {
      const r = await clientFrom(flags).getJson<{ schedules: ScheduleView[] }>('/v1/schedules');
      printOne(flags, r, () => formatSchedules(r.schedules));
    });
  addClientOptions(cmd.command('get').description('one schedule').argument('<name>'))
    .action(async (name: string, flags: ClientFlags) => {
      const s = await clientFrom(flags).getJson<ScheduleView>(path(name));
      printOne(flags, s, () => formatSchedules([s]) + (s.lastRun?.reason ? `last run: ${s.lastRun.result} (${s.lastRun.reason})\n` : ''));
    });
  addClientOptions(addTemplateRunOptions(cmd.command('create').description('create a schedule: hodei schedules create NAME --cron "0 3 * * *" -- CMD ARGS... (or --template NAME --param k=v)')
    .argument('<name>').argument('[command]').argument('[args...]'))
    .option('--cron <expr>', '5 fields, 6 with leading seconds, or @hourly/@daily...')
    .option('--timezone <zone>', 'IANA time zone (default UTC)')
    .option('--policy <Allow|Forbid|Replace>', 'what to do when the previous run is still going (default Allow)')
    .option('--deadline <seconds>', 'startingDeadlineSeconds: later than this a tick is recorded missed', parseInteger('--deadline', 1, 30 * 86400))
    .option('--queue <name>', 'queue of the runs')
    .option('--label <key=value>', 'label of the runs (repeatable)', (v: string, prev: Record<string, string> = {}) => {
      const i = v.indexOf('=');
      return i > 0 ? { ...prev, [v.slice(0, i)]: v.slice(i + 1) } : prev;
    }))
    .action(async (name: string, command: string | undefined, args: string[], flags: CreateFlags) => {
      if (!flags.cron) throw new ValidationError('create needs --cron');
      const byTemplate = templateFields(flags, command);
      const runFields = { ...(flags.queue ? { queue: flags.queue } : {}), ...(flags.label ? { labels: flags.label } : {}) };
      if (flags.template !== undefined && Object.keys(runFields).length > 0) throw new ValidationError('--queue and --label come from the template with --template');
      const body = {
        name, cron: flags.cron, ...(flags.timezone ? { timezone: flags.timezone } : {}), ...(flags.policy ? { concurrencyPolicy: flags.policy } : {}),
        ...(flags.deadline !== undefined ? { startingDeadlineSeconds: flags.deadline } : {}),
        ...(command !== undefined ? { job: { command, args, ...runFields } } : byTemplate),
      };
      const s = await clientFrom(flags).send<ScheduleView>('POST', '/v1/schedules', body);
      printOne(flags, s, () => `schedule ${name} created; next run ${s.nextRun ?? '-'}\n`);
    });
  for (const [verb, suspend] of [['suspend', true], ['resume', false]] as const) {
    addClientOptions(cmd.command(verb).description(suspend ? 'stop firing (ticks meanwhile are not run later)' : 'fire again').argument('<name>'))
      .action(async (name: string, flags: ClientFlags) => {
        const s = await clientFrom(flags).send<ScheduleView>('PATCH', path(name), { suspend });
        printOne(flags, s, () => `schedule ${name} ${suspend ? 'suspended' : 'resumed'}\n`);
      });
  }
  addClientOptions(cmd.command('delete').description('delete a schedule (its jobs stay)').argument('<name>'))
    .action(async (name: string, flags: ClientFlags) => {
      await clientFrom(flags).send('DELETE', path(name));
      printOne(flags, { deleted: name }, () => `schedule ${name} deleted\n`);
    });
}
