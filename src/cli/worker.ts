// `hodei worker --server URL`: the agent a provider starts in a pod or child process. The one-time
// token comes from HODEI_WORKER_TOKEN, or from the file HODEI_WORKER_TOKEN_FILE names (a Kubernetes
// worker pod mounts its token Secret), and both are removed from the environment at once, so
// nothing the job starts is pointed at it.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createLogger, type Logger } from '../observability/logger.js';
import { runAgent, workerUrl, type AgentOptions } from '../worker/agent.js';

export interface WorkerCommandOptions {
  server?: string;
  connectTimeout?: string;
}

/** Exit code for usage errors (missing token, bad URL or timeout). */
export const USAGE_EXIT = 64;

/**
 * Validates the command's inputs, consumes HODEI_WORKER_TOKEN (or _FILE) from `env`, and runs the agent.
 * Resolves with the process exit code; usage errors are written to `stderr`.
 */
export async function runWorkerCommand(
  opts: WorkerCommandOptions,
  deps: { env?: NodeJS.ProcessEnv; stderr?: NodeJS.WritableStream; logger?: Logger; signal?: AbortSignal;
    agent?: Partial<AgentOptions> } = {},
): Promise<number> {
  const env = deps.env ?? process.env;
  const stderr = deps.stderr ?? process.stderr;
  const usage = (msg: string): number => {
    stderr.write(`hodei worker: ${msg}\n`);
    return USAGE_EXIT;
  };
  const tokenFile = env.HODEI_WORKER_TOKEN_FILE;
  let token = env.HODEI_WORKER_TOKEN;
  delete env.HODEI_WORKER_TOKEN;
  delete env.HODEI_WORKER_TOKEN_FILE;
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      return usage(`HODEI_WORKER_TOKEN_FILE: cannot read ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!token) return usage(`HODEI_WORKER_TOKEN_FILE: ${tokenFile} is empty`);
  }
  if (!token) return usage('HODEI_WORKER_TOKEN (or HODEI_WORKER_TOKEN_FILE) is not set: the control plane passes a one-time token to each worker it starts');
  const server = opts.server ?? env.HODEI_URL;
  if (!server) return usage('--server <url> (or HODEI_URL) is required');
  try {
    workerUrl(server);
  } catch (err) {
    return usage((err as Error).message);
  }
  const rawTimeout = opts.connectTimeout ?? env.HODEI_WORKER_CONNECT_TIMEOUT;
  let connectTimeoutMs = 60_000;
  if (rawTimeout !== undefined && rawTimeout !== '') {
    const seconds = Number(rawTimeout);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      return usage(`connect timeout must be a positive number of seconds (got '${rawTimeout}')`);
    }
    connectTimeoutMs = seconds * 1000;
  }
  // The agent's own JSON lines go to stderr; the job's output is echoed to stdout/stderr as it ran,
  // so `kubectl logs` of a worker pod reads like the job (HODEI_WORKER_ECHO_OUTPUT=0 turns it off).
  // A control plane that died leaves our pipes broken: an EPIPE must never take the agent (and the
  // job it keeps running until the control plane is back) down with it.
  for (const out of [process.stdout, process.stderr]) out.on('error', () => undefined);
  const logger = deps.logger ?? createLogger({ name: 'hodei-worker', destination: process.stderr });
  const echo = env.HODEI_WORKER_ECHO_OUTPUT === '0' ? {}
    : { echoJobOutput: (stream: 'stdout' | 'stderr', data: string) => void (stream === 'stdout' ? process.stdout : process.stderr).write(data) };
  return runAgent({ serverUrl: server, token, logger, connectTimeoutMs, signal: deps.signal, ...echo, ...deps.agent });
}

/** Adds `hodei worker` to the CLI program. */
export function registerWorkerCommand(program: Command): Command {
  return program
    .command('worker')
    .description('run the worker agent: connect to the control plane, run assigned jobs, report results')
    .option('--server <url>', 'control-plane URL (default: $HODEI_URL)')
    .option('--connect-timeout <seconds>', 'give up after this long without a connection (default: $HODEI_WORKER_CONNECT_TIMEOUT or 60)')
    .action(runWorkerProcess);
}

/** The agent as this process's whole life: runs it and exits with its code. */
export async function runWorkerProcess(opts: WorkerCommandOptions): Promise<never> {
  // SIGTERM (pod deletion, provider terminate): interrupt the running job (it is retried), report it, exit 143.
  // A second one: kill the job's process group now and exit. The handler stays installed: were the
  // default action to take the agent down instead, the job (its own process group) would live on.
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => (stop.signal.aborted ? force : stop).abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const code = await runWorkerCommand(opts, { signal: stop.signal, agent: { forceSignal: force.signal } });
  process.exit(code);
}
