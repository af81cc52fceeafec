// hodei jobs list|get|cancel|logs and hodei workers list, with kubectl-shaped output and --watch.
import { InvalidArgumentError, type Command } from 'commander';
import { attemptHistory, isTerminal, type Job } from '../domain/job.js';
import type { Worker } from '../domain/worker.js';
import { addClientOptions, addConnectionOptions, age, clientFrom, parseInteger, type ClientFlags } from './common.js';
import { renderList, renderOne, toJson, type ListView } from './output.js';
import { watchRows } from './watch.js';

export const jobView: ListView<Job> = {
  name: (j) => `job/${j.id}`,
  columns: [
    { header: 'ID', value: (j) => j.id },
    { header: 'STATE', value: (j) => j.state },
    { header: 'EXIT', value: (j) => j.signal ?? (j.exitCode === null ? '-' : String(j.exitCode)) },
    { header: 'ATTEMPT', value: (j) => String(j.attempt) },
    { header: 'AGE', value: (j) => age(j.createdAt) },
    { header: 'REASON', value: (j) => j.reason ?? '-', wide: true },
    { header: 'WORKER', value: (j) => j.workerId ?? '-', wide: true },
    { header: 'LABELS', value: (j) => Object.entries(j.spec.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-', wide: true },
    { header: 'COMMAND', value: (j) => [j.spec.command, ...j.spec.args].join(' ').slice(0, 60) },
  ],
};

/** `hodei jobs list --dead`: each attempt's reason, in order. */
const attemptReasons = (j: Job): string => attemptHistory(j).map((a) => `${a.attempt}:${a.reason ?? '-'}`).join(' ');
export const deadJobView: ListView<Job> = {
  name: jobView.name,
  columns: [
    { header: 'ID', value: (j) => j.id },
    { header: 'STATE', value: (j) => j.state },
    { header: 'ATTEMPTS', value: (j) => `${j.attempt}/${j.spec.retries + 1}` },
    { header: 'REASONS', value: attemptReasons },
    { header: 'FINISHED', value: (j) => age(j.finishedAt) },
    { header: 'QUEUE', value: (j) => j.spec.queue ?? 'default', wide: true },
    { header: 'COMMAND', value: (j) => [j.spec.command, ...j.spec.args].join(' ').slice(0, 60) },
  ],
};

export const workerView: ListView<Worker> = {
  name: (w) => `worker/${w.id}`,
  columns: [
    { header: 'ID', value: (w) => w.id },
    { header: 'PROVIDER', value: (w) => w.providerId },
    { header: 'STATE', value: (w) => w.state },
    { header: 'JOB', value: (w) => w.jobId ?? '-' },
    { header: 'HANDLE', value: (w) => w.handle ?? '-' },
    { header: 'AGE', value: (w) => age(w.createdAt) },
    { header: 'LAST HEARTBEAT', value: (w) => age(w.lastHeartbeatAt) },
    { header: 'REASON', value: (w) => w.reason ?? '-', wide: true },
  ],
};

/** newest (default) or oldest first, by creation time. */
export function parseSort(v: string): 'newest' | 'oldest' {
  if (v !== 'newest' && v !== 'oldest') throw new InvalidArgumentError(`--sort must be newest or oldest, got '${v}'`);
  return v;
}

export function sortJobs(jobs: readonly Job[], sort: 'newest' | 'oldest'): Job[] {
  const sign = sort === 'newest' ? -1 : 1;
  return [...jobs].sort((a, b) => sign * (a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)));
}

function describeJob(j: Job): string {
  return [
    `id:        ${j.id}`, `state:     ${j.state}${j.reason ? ` (${j.reason})` : ''}`,
    `command:   ${[j.spec.command, ...j.spec.args].join(' ')}`, `exit code: ${j.exitCode ?? '-'}`,
    ...(j.signal ? [`signal:    ${j.signal}`] : []),
    `attempt:   ${j.attempt} of ${j.spec.retries + 1}${j.attempt > 1 || isTerminal(j.state) ? ` (${attemptReasons(j)})` : ''}`, `worker:    ${j.workerId ?? '-'}`,
    ...(j.spec.template ? [`template:  ${j.spec.template.name} v${j.spec.template.version}`] : []),
    `created:   ${j.createdAt}`, `started:   ${j.startedAt ?? '-'}`, `finished:  ${j.finishedAt ?? '-'}`,
    ...(j.message ? [`message:   ${j.message}`] : []),
    `queue:     ${j.spec.queue ?? 'default'} (priority ${j.spec.priority ?? 0})`, ...(j.waitingFor ? [`waiting:   ${j.waitingFor}`] : []),
    'history:', ...j.transitions.map((t) => `  ${t.at}  ${t.state}${t.reason ? ` (${t.reason})` : ''}`),
  ].join('\n') + '\n';
}

type ListFlags = ClientFlags & { state?: string; dead?: boolean; label?: string[]; limit: number; sort: 'newest' | 'oldest'; watch?: boolean };

export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('inspect and control jobs');

  addClientOptions(jobs.command('list').description('list jobs, newest first')
    .option('--state <state>', 'only jobs in this state')
    .option('--dead', 'only dead letters (failed or timed out for good), with each attempt\'s reason')
    .option('--label <key=value>', 'only jobs with this label (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--limit <n>', 'at most n jobs', parseInteger('--limit', 1, 500), 50)
    .option('--sort <order>', 'newest or oldest first', parseSort, 'newest')
    .option('-w, --watch', 'after the list, print a row for every job that changes (Ctrl-C to stop)'))
    .action(async (flags: ListFlags) => {
      const client = clientFrom(flags);
      const fetchPage = async (): Promise<{ jobs: Job[]; nextCursor: string | null }> => {
        const page = await client.listJobs({ ...(flags.state ? { state: flags.state } : {}), ...(flags.dead ? { dead: true } : {}), labels: flags.label ?? [], limit: flags.limit });
        return { ...page, jobs: sortJobs(page.jobs, flags.sort) };
      };
      const fetchJobs = async (): Promise<Job[]> => (await fetchPage()).jobs;
      const page = await fetchPage();
      const first = page.jobs;
      const view = flags.dead ? deadJobView : jobView;
      process.stdout.write(renderList(flags, page, first, view));
      if (flags.watch) await watchRows({ flags, view, initial: first, fetch: fetchJobs, key: (j) => j.id, version: (j) => j.updatedAt });
    });

  addClientOptions(jobs.command('get').description('show one job').argument('<id>')
    .option('-w, --watch', 'print the job again each time it changes, until it ends'))
    .action(async (id: string, flags: ClientFlags & { watch?: boolean }) => {
      const client = clientFrom(flags);
      const j = await client.getJob(id);
      const show = (job: Job): string => renderOne(flags, job, (wide) => (wide ? renderList(flags, null, [job], jobView) : describeJob(job)), () => jobView.name(job));
      if (!flags.watch) {
        process.stdout.write(show(j));
        return;
      }
      // Watching: one table row (or document) per change, ending when the job ends.
      const once = { ...flags, output: flags.output === undefined && !flags.json ? 'table' as const : flags.output };
      await watchRows({ flags: once, view: jobView, initial: [], fetch: async () => [await client.getJob(id)], key: (x) => x.id, version: (x) => x.updatedAt,
        until: (rows) => rows.every((x) => isTerminal(x.state)) });
    });

  addConnectionOptions(jobs.command('cancel').description('cancel a job that has not ended').argument('<id>')
    .option('--json', 'print the cancelled job as JSON'))
    .action(async (id: string, flags: ClientFlags) => {
      const j = await clientFrom(flags).cancel(id);
      process.stdout.write(flags.json ? toJson(j) : `job/${j.id} ${j.state}\n`);
    });

  addConnectionOptions(jobs.command('delete').description('delete a finished job with its logs').argument('<id>'))
    .action(async (id: string, flags: ClientFlags) => {
      await clientFrom(flags).send('DELETE', `/v1/jobs/${encodeURIComponent(id)}`);
      process.stdout.write(`job/${id} deleted\n`);
    });

  addConnectionOptions(jobs.command('logs').description('print a job\'s output').argument('<id>')
    .option('-f, --follow', 'keep streaming until the job ends')
    .option('--json', 'one JSON log entry per line'))
    .action(async (id: string, flags: ClientFlags & { follow?: boolean }) => {
      const client = clientFrom(flags);
      for await (const e of flags.follow ? client.followLogs(id) : client.logEntries(id, false)) {
        if (flags.json) process.stdout.write(JSON.stringify(e) + '\n');
        else (e.stream === 'stdout' ? process.stdout : process.stderr).write(e.data);
      }
    });

  const workers = program.command('workers').description('inspect workers');
  addClientOptions(workers.command('list').description('list live workers, newest first').option('--all', 'include ended workers')
    .option('-w, --watch', 'after the list, print a row for every worker that changes (Ctrl-C to stop)'))
    .action(async (flags: ClientFlags & { all?: boolean; watch?: boolean }) => {
      const client = clientFrom(flags);
      const fetchWorkers = async (): Promise<Worker[]> => [...(await client.listWorkers(flags.all === true)).workers].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const first = await fetchWorkers();
      process.stdout.write(renderList(flags, { workers: first }, first, workerView));
      if (flags.watch) await watchRows({ flags, view: workerView, initial: first, fetch: fetchWorkers, key: (w) => w.id, version: (w) => w.updatedAt });
    });
}
