// hodei jobs list|get|cancel|logs and hodei workers list.
import type { Command } from 'commander';
import { addClientOptions, age, clientFrom, parseInteger, print, table, type ClientFlags } from './common.js';

export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('inspect and control jobs');

  addClientOptions(jobs.command('list').description('list jobs, newest first')
    .option('--state <state>', 'only jobs in this state')
    .option('--label <key=value>', 'only jobs with this label (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--limit <n>', 'at most n jobs', parseInteger('--limit', 1, 500), 50))
    .action(async (flags: ClientFlags & { state?: string; label?: string[]; limit: number }) => {
      const page = await clientFrom(flags).listJobs({ ...(flags.state ? { state: flags.state } : {}), labels: flags.label ?? [], limit: flags.limit });
      print(flags.json, page, () => table(['ID', 'STATE', 'EXIT', 'ATTEMPT', 'AGE', 'COMMAND'], page.jobs.map((j) => [
        j.id, j.state, j.exitCode === null ? '-' : String(j.exitCode), String(j.attempt), age(j.createdAt),
        [j.spec.command, ...j.spec.args].join(' ').slice(0, 60),
      ])));
    });

  addClientOptions(jobs.command('get').description('show one job').argument('<id>'))
    .action(async (id: string, flags: ClientFlags) => {
      const j = await clientFrom(flags).getJob(id);
      print(flags.json, j, () => [
        `id:        ${j.id}`, `state:     ${j.state}${j.reason ? ` (${j.reason})` : ''}`,
        `command:   ${[j.spec.command, ...j.spec.args].join(' ')}`, `exit code: ${j.exitCode ?? '-'}`,
        `attempt:   ${j.attempt} of ${j.spec.retries + 1}`, `worker:    ${j.workerId ?? '-'}`,
        `created:   ${j.createdAt}`, `started:   ${j.startedAt ?? '-'}`, `finished:  ${j.finishedAt ?? '-'}`,
        ...(j.message ? [`message:   ${j.message}`] : []),
        `queue:     ${j.spec.queue ?? 'default'} (priority ${j.spec.priority ?? 0})`, ...(j.waitingFor ? [`waiting:   ${j.waitingFor}`] : []),
        'history:', ...j.transitions.map((t) => `  ${t.at}  ${t.state}${t.reason ? ` (${t.reason})` : ''}`),
      ].join('\n') + '\n');
    });

  addClientOptions(jobs.command('cancel').description('cancel a job that has not ended').argument('<id>'))
    .action(async (id: string, flags: ClientFlags) => {
      const j = await clientFrom(flags).cancel(id);
      print(flags.json, j, () => `${j.id} ${j.state}\n`);
    });

  addClientOptions(jobs.command('logs').description('print a job\'s output').argument('<id>')
    .option('-f, --follow', 'keep streaming until the job ends'))
    .action(async (id: string, flags: ClientFlags & { follow?: boolean }) => {
      const client = clientFrom(flags);
      for await (const e of flags.follow ? client.followLogs(id) : client.logEntries(id, false)) {
        if (flags.json) process.stdout.write(JSON.stringify(e) + '\n');
        else (e.stream === 'stderr' ? process.stderr : process.stdout).write(e.data);
      }
    });

  const workers = program.command('workers').description('inspect workers');
  addClientOptions(workers.command('list').description('list live workers').option('--all', 'include ended workers'))
    .action(async (flags: ClientFlags & { all?: boolean }) => {
      const r = await clientFrom(flags).listWorkers(flags.all === true);
      print(flags.json, r, () => table(['ID', 'PROVIDER', 'STATE', 'JOB', 'HANDLE', 'AGE', 'LAST HEARTBEAT'], r.workers.map((w) => [
        w.id, w.providerId, w.state, w.jobId ?? '-', w.handle ?? '-', age(w.createdAt), age(w.lastHeartbeatAt),
      ])));
    });
}
