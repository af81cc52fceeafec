// hodei run [flags] -- CMD ARGS...: queue a job, stream its output live, exit with its exit code.
import { InvalidArgumentError, type Command } from 'commander';
import type { JobEgress } from '../domain/job.js';
import type { HodeiClient, JobSubmission } from '../client/client.js';
import { addConnectionOptions, clientFrom, parseInteger, parseKeyValue, type ClientFlags } from './common.js';
import { runExitCode } from './exit-codes.js';
import { showProgress } from './progress.js';
import { addQueueRunOptions, parseDuration, queueFields, type QueueRunFlags } from './queues.js';
import { addTemplateRunOptions, templateFields, type TemplateRunFlags } from './templates.js';
import { ValidationError } from '../errors/errors.js';

interface RunFlags extends ClientFlags, QueueRunFlags, TemplateRunFlags {
  retryOn?: string[]; ttl?: number;
  image?: string; cpu?: string; memory?: string; gpu?: number; timeout?: number; retries?: number;
  env?: Record<string, string>; label?: Record<string, string>; secret?: Record<string, string>;
  workdir?: string; detach?: boolean; egress?: JobEgress[]; quiet?: boolean;
}

export function registerRunCommand(program: Command): void {
  addConnectionOptions(addTemplateRunOptions(addQueueRunOptions(program.command('run')
    .description('queue a job and stream its output; exits with the job\'s exit code (docs/cli.md: exit codes)')
    .argument('[command]', 'command to run (put it after --); or --template')
    .argument('[args...]', 'its arguments')
    .option('--image <ref>', 'container image (container providers)')
    .option('--cpu <quantity>', 'CPU request, e.g. 500m')
    .option('--memory <quantity>', 'memory request, e.g. 256Mi')
    .option('--gpu <n>', 'GPUs', parseInteger('--gpu', 0, 64))
    .option('--timeout <seconds>', 'kill the job after this many seconds (exit 124)', parseInteger('--timeout', 1))
    .option('--retries <n>', 'retry a failed attempt up to n times', parseInteger('--retries', 0, 20))
    .option('--retry-on <reason>', 'retry only failures with this reason, e.g. WorkerLost (repeatable; needs --retries)', (v: string, p: string[] = []) => [...p, v])
    .option('--ttl <duration>', 'delete the job with its logs this long after it ends, e.g. 1h (ttlSecondsAfterFinished)', parseDuration('--ttl'))
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', parseKeyValue('--env'))
    .option('--secret <KEY=VALUE>', 'secret environment variable, never shown back (repeatable)', parseKeyValue('--secret'))
    .option('--label <key=value>', 'label (repeatable)', parseKeyValue('--label'))
    .option('--workdir <dir>', 'working directory of the job')
    .option('--egress <CIDR[:PORT]>', 'network destination the job needs, e.g. 10.0.0.0/8:443 (repeatable)', parseEgress)
    .option('--detach', 'print the job id and return at once')
    .option('-q, --quiet', 'no progress lines on stderr while the job waits')
    .option('--json', 'print the ended job as JSON instead of its output'))))
    .action(async (command: string | undefined, args: string[], flags: RunFlags) => {
      const client = clientFrom(flags);
      if (flags.retryOn && flags.retries === undefined) throw new ValidationError('--retry-on needs --retries (how many times to retry)');
      const byTemplate = templateFields(flags, command);
      const sub: JobSubmission = {
        ...(command !== undefined ? { command, args } : byTemplate as { template: string }),
        ...(flags.env ? { env: flags.env } : {}), ...(flags.secret ? { secrets: flags.secret } : {}),
        ...(flags.label ? { labels: flags.label } : {}), ...(flags.image ? { image: flags.image } : {}),
        ...(flags.workdir ? { workingDir: flags.workdir } : {}),
        ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
        ...(flags.retries !== undefined ? (flags.retryOn ? { retryPolicy: { limit: flags.retries, onReasons: flags.retryOn } } : { retries: flags.retries }) : {}),
        ...(flags.ttl !== undefined ? { ttlSecondsAfterFinished: flags.ttl } : {}),
        ...(flags.egress ? { egress: flags.egress } : {}),
        ...(flags.cpu || flags.memory || flags.gpu !== undefined
          ? { resources: { ...(flags.cpu ? { cpu: flags.cpu } : {}), ...(flags.memory ? { memory: flags.memory } : {}), ...(flags.gpu !== undefined ? { gpu: flags.gpu } : {}) } } : {}),
        ...queueFields(flags),
      };
      const job = await client.submit(sub, flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {});
      printWarnings(job.warnings);
      if (flags.detach) {
        process.stdout.write(flags.json ? JSON.stringify(job, null, 2) + '\n' : `${job.id}\n`);
        return;
      }
      process.exitCode = await streamUntilDone(client, job.id, { json: flags.json === true, progress: flags.quiet !== true });
    });
}

/** The server's warnings (fields the provider cannot honour), one `Warning:` line each on stderr. */
export function printWarnings(warnings: readonly string[] | undefined): void {
  for (const w of warnings ?? []) process.stderr.write(`Warning: ${w}\n`);
}

/** `--egress CIDR[:PORT][/udp]` (repeatable); the server validates the CIDR. */
export function parseEgress(value: string, previous: JobEgress[] = []): JobEgress[] {
  const m = /^(.+\/\d{1,3})(?::(\d{1,5}))?(?:\/(tcp|udp))?$/i.exec(value.trim());
  if (!m?.[1]) throw new InvalidArgumentError(`--egress: expected CIDR[:PORT], e.g. 10.0.0.0/8:443, got '${value}'`);
  const port = m[2] !== undefined ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidArgumentError(`--egress: port must be 1-65535, got ${port}`);
  return [...previous, { cidr: m[1], ...(port !== undefined ? { port } : {}), ...(m[3] ? { protocol: m[3].toUpperCase() as 'TCP' | 'UDP' } : {}) }];
}

/**
 * Follows the job's output to stdout/stderr (progress while it waits goes to stderr); Ctrl-C
 * cancels the job. Returns the exit code to use (docs/cli.md).
 */
export async function streamUntilDone(client: HodeiClient, jobId: string, o: { json: boolean; progress?: boolean }): Promise<number> {
  const onSigint = (): void => {
    process.stderr.write(`\ncancelling job ${jobId}...\n`);
    client.cancel(jobId).catch(() => undefined);
  };
  process.once('SIGINT', onSigint);
  const progress = o.progress === false ? null : showProgress({ client, jobId, out: process.stderr, tty: process.stderr.isTTY === true });
  try {
    for await (const e of client.followLogs(jobId)) {
      await progress?.stop();
      if (o.json) continue;
      // stdout carries the job's stdout only; its stderr and hodei's system lines go to stderr.
      (e.stream === 'stdout' ? process.stdout : process.stderr).write(e.data);
    }
  } finally {
    process.off('SIGINT', onSigint);
    await progress?.stop();
  }
  const job = await client.getJob(jobId);
  const { code, hodeiFailure } = runExitCode(job);
  if (o.json) process.stdout.write(JSON.stringify(job, null, 2) + '\n');
  else if (hodeiFailure) process.stderr.write(`error: job never ran: ${hodeiFailure}\n`);
  else if (job.state !== 'succeeded') {
    const signal = job.signal ? `, signal ${job.signal}` : '';
    process.stderr.write(`job ${job.id} ${job.state}${job.reason ? ` (${job.reason}${signal})` : ''}${job.message ? `: ${job.message}` : ''}\n`);
  }
  return code;
}
