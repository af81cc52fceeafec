// LocalProcessProvider: each worker is a `hodei worker` child process on this machine (the
// embedded default). The token reaches the agent only through its environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../../observability/logger.js';
import { hodeiAgentCommand } from '../../util/paths.js';
import { descendants, processesWithEnv } from './process-tree.js';
import type { HealthCheckResult, ProviderEvents, ProviderWorker, ProvisionRequest, WorkerProvider } from '../provider.js';

export interface LocalProviderOptions {
  id?: string;
  logger: Logger;
  /** argv that runs the hodei CLI (`worker` is appended); defaults to this installation's bundled agent. */
  cliCommand?: string[];
  /** Extra environment for agents (never includes the control plane's own secrets). */
  env?: Record<string, string>;
}

interface Child {
  proc: ChildProcess;
  jobId: string | null;
  exited: Promise<void>;
}

/** Environment variables of the control plane that must never leak into workers. */
const PRIVATE_ENV = /^(HODEI_API_TOKEN|HODEI_DATABASE_URL|HODEI_WORKER_TOKEN)$/;

export class LocalProcessProvider implements WorkerProvider {
  readonly kind = 'local';
  /** Processes here run on this host as they are: no image, no GPU scheduling. */
  readonly unsupportedFields = ['image', 'resources.gpu'] as const;
  readonly id: string;
  readonly events = new EventEmitter<ProviderEvents>();
  private readonly children = new Map<string, Child>();
  private readonly log: Logger;

  constructor(private readonly opts: LocalProviderOptions) {
    this.id = opts.id ?? 'local';
    this.log = opts.logger.child({ provider: this.id });
  }

  async start(): Promise<void> {
    this.cliCommand(); // fails early with a clear message when the CLI is not built
  }

  /** argv that starts an agent, before `--server URL`. */
  private cliCommand(): string[] {
    return this.opts.cliCommand ? [...this.opts.cliCommand, 'worker'] : hodeiAgentCommand();
  }

  async provision(req: ProvisionRequest): Promise<{ handle: string }> {
    const [cmd, ...prefix] = this.cliCommand();
    if (!cmd) throw new Error('empty CLI command');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !PRIVATE_ENV.test(k)) env[k] = v;
    // The control plane stores the job's output itself: the agent need not echo it to our pipes.
    Object.assign(env, { HODEI_WORKER_ECHO_OUTPUT: '0' }, this.opts.env, { HODEI_WORKER_TOKEN: req.token, HODEI_WORKER_ID: req.workerId });
    const proc = spawn(cmd, [...prefix, '--server', req.serverUrl], {
      env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    const spawned = new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', reject);
    });
    const exited = new Promise<void>((resolve) => {
      proc.once('close', (code, signal) => {
        this.children.delete(req.workerId);
        // Whatever the agent left running (it was killed, or crashed) dies with it, before the
        // scheduler hears of the exit: a retry must never start beside the lost attempt.
        const left = killLeftovers(req.workerId);
        if (left) this.log.warn({ workerId: req.workerId, processes: left }, 'killed processes the worker agent left behind');
        this.log.debug({ workerId: req.workerId, code, signal }, 'worker process exited');
        this.events.emit('worker.exited', { workerId: req.workerId, exitCode: code, reason: null,
          message: signal ? `worker process killed by ${signal}` : `worker process exited with code ${code ?? 'none'}` });
        resolve();
      });
    });
    this.children.set(req.workerId, { proc, jobId: req.jobId, exited });
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => this.log.debug({ workerId: req.workerId, agent: line.slice(0, 2000) }, 'agent output'));
    }
    try {
      await spawned;
    } catch (err) {
      this.children.delete(req.workerId);
      throw new Error(`could not start worker process: ${(err as Error).message}`);
    }
    return { handle: `pid:${proc.pid}` };
  }

  async terminate(workerId: string, opts: { graceMs?: number } = {}): Promise<void> {
    const child = this.children.get(workerId);
    if (!child?.proc.pid) {
      // Not started by this process (a previous control plane's agent, or its job): found by environment.
      const left = killLeftovers(workerId);
      if (left) this.log.warn({ workerId, processes: left }, 'killed processes of a worker this control plane did not start');
      return;
    }
    const pgid = child.proc.pid;
    // The agent forwards SIGTERM to its job; the job's own group is remembered for the SIGKILL in
    // case the agent cannot (frozen, or killed before it could).
    const below = descendants(pgid);
    signalGroup(pgid, 'SIGTERM');
    const timer = setTimeout(() => {
      signalGroup(pgid, 'SIGKILL');
      for (const pid of below) signalGroup(pid, 'SIGKILL');
    }, opts.graceMs ?? 5000);
    await child.exited;
    clearTimeout(timer);
    for (const pid of below) signalGroup(pid, 'SIGKILL');
  }

  async list(): Promise<ProviderWorker[]> {
    return [...this.children].map(([workerId, c]) => ({
      workerId, handle: `pid:${c.proc.pid ?? 0}`, phase: 'running' as const, jobId: c.jobId,
    }));
  }

  async health(): Promise<HealthCheckResult> {
    const started = Date.now();
    let status: HealthCheckResult['status'] = 'Healthy';
    let message = `${this.children.size} worker processes`;
    try {
      this.cliCommand();
    } catch (err) {
      status = 'Unhealthy';
      message = (err as Error).message;
    }
    const check = { name: 'local-processes', status, message, durationMs: Date.now() - started };
    return { status, details: { workers: String(this.children.size), cli: message }, checks: [check],
      durationMs: check.durationMs, checkedAt: new Date().toISOString() };
  }

  async stop(opts: { terminateWorkers?: boolean } = {}): Promise<void> {
    if (opts.terminateWorkers) await Promise.all([...this.children.keys()].map((id) => this.terminate(id, { graceMs: 2000 })));
  }
}

/** SIGKILLs every process started for the worker (its environment names it); how many there were. */
function killLeftovers(workerId: string): number {
  let killed = 0;
  // A few passes: a process may fork between the scan and the kill.
  for (let pass = 0; pass < 3; pass++) {
    const left = processesWithEnv('HODEI_WORKER_ID', workerId);
    if (!left.length) break;
    for (const pid of left) {
      signalGroup(pid, 'SIGKILL'); // the job's whole group when pid leads one
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    killed += left.length;
  }
  return killed;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
