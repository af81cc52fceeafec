// Runs one job as a child process in its own process group, so a timeout or cancel can kill the
// whole tree the job started (background processes included), not just its first process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AssignedJob, JobResult } from '../gateway/backend.js';

export interface RunJobOptions {
  /** Environment the job's env is laid over (the agent's own, minus its token). */
  baseEnv: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL delay when stopping a job. @defaultValue 2000 */
  killGraceMs?: number;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

export interface RunningJob {
  /** The child's pid, which is also its process group id; undefined when spawn failed. */
  readonly pid: number | undefined;
  /** Settles once the process exited and its output was fully read; never rejects. */
  readonly result: Promise<JobResult>;
  /** Kills the process group (SIGTERM, then SIGKILL after the grace period). First call wins. */
  stop(outcome: 'timed_out' | 'cancelled' | 'interrupted', message: string): void;
  /** SIGKILL to the process group now (the agent must go at once); `stop` should have named the outcome. */
  kill(): void;
  pauseOutput(): void;
  resumeOutput(): void;
}

/** Sends a signal to every process in the group; false when the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * A command that could not start, reported as a shell (and `docker run`) would: 127 when it is not
 * found (ENOENT), 126 when it cannot be executed (EACCES, not a program, no working directory).
 * The control plane turns these into reasons CommandNotFound / CommandNotExecutable.
 */
function spawnFailure(job: AssignedJob, err: NodeJS.ErrnoException): JobResult {
  const noDir = job.workingDir !== undefined && !existsSync(job.workingDir);
  const why = noDir ? `working directory ${job.workingDir} does not exist` : err.message;
  const exitCode = err.code === 'ENOENT' && !noDir ? 127 : 126;
  return { outcome: 'error', exitCode, message: `could not start ${job.command}: ${why}` };
}

/** After the job's first process exited, how long its output may still be read before the pipes are closed. */
const PIPE_DRAIN_MS = 2_000;

export function startJob(job: AssignedJob, opts: RunJobOptions): RunningJob {
  const graceMs = opts.killGraceMs ?? 2_000;
  let child: ChildProcess;
  let stopped: { outcome: 'timed_out' | 'cancelled' | 'interrupted'; message: string } | null = null;
  let spawnError: NodeJS.ErrnoException | null = null;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  let timeoutTimer: NodeJS.Timeout | null = null;
  let settle!: (r: JobResult) => void;
  const result = new Promise<JobResult>((resolve) => { settle = resolve; });

  const finish = (r: JobResult): void => {
    if (killTimer) clearTimeout(killTimer);
    if (timeoutTimer) clearTimeout(timeoutTimer);
    settle(r);
  };

  const stop = (outcome: 'timed_out' | 'cancelled' | 'interrupted', message: string): void => {
    if (stopped || exit || spawnError || child.pid === undefined) return;
    stopped = { outcome, message };
    const pgid = child.pid;
    killGroup(pgid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pgid, 'SIGKILL'), graceMs);
  };

  try {
    child = spawn(job.command, job.args, {
      cwd: job.workingDir,
      env: { ...opts.baseEnv, ...job.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // Synchronous throws (e.g. a NUL byte in an argument) are reported like a failed exec.
    const e = err as NodeJS.ErrnoException;
    finish(spawnFailure(job, e));
    return { pid: undefined, result, stop: () => undefined, kill: () => undefined, pauseOutput: () => undefined, resumeOutput: () => undefined };
  }

  child.stdout?.on('data', (chunk: Buffer) => opts.onOutput('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => opts.onOutput('stderr', chunk));

  child.on('error', (err: NodeJS.ErrnoException) => {
    if (child.pid === undefined && !spawnError) {
      spawnError = err;
      finish(spawnFailure(job, err));
    }
  });

  child.on('exit', (code, signal) => {
    exit = { code, signal };
    // The job is over when its first process exits: anything it left running in its group is
    // killed, which also closes the pipes those leftovers held open.
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    // A process that left the group (setsid) may still hold the pipes open, and 'close' would never
    // come: the job's result (and the agent's exit) must not wait on it.
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, PIPE_DRAIN_MS).unref();
  });

  child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
    if (spawnError || child.pid === undefined) return;
    const e = exit ?? { code, signal };
    if (stopped) finish({ outcome: stopped.outcome, exitCode: e.code, signal: e.signal, message: stopped.message });
    else finish({ outcome: 'exited', exitCode: e.code, signal: e.signal });
  });

  const kill = (): void => {
    if (exit || spawnError || child.pid === undefined) return;
    killGroup(child.pid, 'SIGKILL');
  };

  if (job.timeoutSeconds !== undefined && child.pid !== undefined) {
    const seconds = job.timeoutSeconds;
    timeoutTimer = setTimeout(() => stop('timed_out', `job exceeded its timeout of ${seconds}s`), Math.min(seconds * 1000, 2 ** 31 - 1));
  }

  return {
    get pid() { return child.pid; },
    result,
    stop,
    kill,
    pauseOutput() {
      child.stdout?.pause();
      child.stderr?.pause();
    },
    resumeOutput() {
      child.stdout?.resume();
      child.stderr?.resume();
    },
  };
}
