// What runs behind a container: a real process (the Hodei agent) or a simulated one (a timer with
// a chosen exit code). Both end with an ExitResult the kubelet turns into a terminated state.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ContainerLog } from './logs.js';
import { signalContainer, type MemoryWatch } from './rss.js';

export interface ExitResult {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled' | 'StartError';
  signal?: number;
  message?: string;
}

export interface ContainerRun {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitResult>;
  /** SIGTERM: ask to stop; SIGKILL: stop now (every process of the container). */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** Kill it as the kernel's OOM killer would (exit 137, reason OOMKilled). */
  oomKill(): void;
}

const reasonOf = (code: number): ExitResult['reason'] => (code === 0 ? 'Completed' : 'Error');

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  log: ContainerLog;
  memoryLimitBytes?: number;
  memoryWatch?: MemoryWatch;
}

/** Spawn a real process in its own process group; stdout+stderr go to the container log. */
export function startProcess(argv: readonly string[], o: ProcessOptions): ContainerRun {
  const [cmd, ...args] = argv;
  let oom = false;
  let unwatch: (() => void) | undefined;
  const child = spawn(cmd ?? '', args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (b: Buffer) => o.log.append(b));
  child.stderr.on('data', (b: Buffer) => o.log.append(b));
  const pid = child.pid;
  const exited = new Promise<ExitResult>((resolve) => {
    child.once('error', (e) => { unwatch?.(); o.log.end(); resolve({ exitCode: 128, reason: 'StartError', message: `failed to start container process: ${e.message}` }); });
    child.once('close', (code, signal) => {
      unwatch?.();
      // The leader is gone: like a container runtime tearing down the cgroup, nothing of it survives.
      if (pid !== undefined) signalContainer(pid, 'SIGKILL');
      o.log.end();
      const sig = signal ? constants.signals[signal] : undefined;
      const exitCode = code ?? 128 + (sig ?? 9);
      if (oom) resolve({ exitCode: 137, reason: 'OOMKilled', signal: 9 });
      else resolve({ exitCode, reason: reasonOf(exitCode), ...(sig !== undefined ? { signal: sig } : {}) });
    });
  });
  if (pid !== undefined && o.memoryLimitBytes !== undefined && o.memoryWatch) {
    unwatch = o.memoryWatch.add(pid, o.memoryLimitBytes, () => { oom = true; signalContainer(pid, 'SIGKILL'); });
  }
  return {
    pid,
    exited,
    kill(signal) {
      if (pid === undefined) return;
      if (signal === 'SIGKILL') signalContainer(pid, 'SIGKILL');
      else { try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ } }
    },
    oomKill() { if (pid !== undefined) { oom = true; signalContainer(pid, 'SIGKILL'); } },
  };
}

export interface SimulatedOptions {
  /** Infinity = until killed. */
  runMs: number;
  exitCode: number;
  oom: boolean;
}

/** A container that "runs" for a while and exits with a chosen code (or is OOMKilled). */
export function startSimulated(o: SimulatedOptions): ContainerRun {
  let finish: (r: ExitResult) => void = () => {};
  const exited = new Promise<ExitResult>((resolve) => { finish = resolve; });
  let timer: NodeJS.Timeout | undefined;
  const done = (r: ExitResult) => { if (timer) clearTimeout(timer); timer = undefined; finish(r); finish = () => {}; };
  if (Number.isFinite(o.runMs)) {
    timer = setTimeout(() => done(o.oom ? { exitCode: 137, reason: 'OOMKilled', signal: 9 } : { exitCode: o.exitCode, reason: reasonOf(o.exitCode) }), o.runMs);
    timer.unref();
  }
  return {
    pid: undefined,
    exited,
    kill(signal) { done(signal === 'SIGKILL' ? { exitCode: 137, reason: 'Error', signal: 9 } : { exitCode: 143, reason: 'Error', signal: 15 }); },
    oomKill() { done({ exitCode: 137, reason: 'OOMKilled', signal: 9 }); },
  };
}

/** A container whose process could not be started (e.g. the hodei CLI is not built). */
export function failedStart(message: string): ContainerRun {
  return { pid: undefined, exited: Promise.resolve({ exitCode: 128, reason: 'StartError', message }), kill() {}, oomKill() {} };
}
