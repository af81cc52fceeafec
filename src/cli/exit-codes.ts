// Exit codes a script can rely on, as `docker run` and GNU `timeout` use them (docs/cli.md):
// `hodei run` passes the job's own code through, so hodei's own failures need codes a job would
// not normally use; every other command answers 0 ok, 1 failure, 2 usage.
import { constants } from 'node:os';
import type { Job } from '../domain/job.js';

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `hodei run`: the job ran past its timeout (as GNU timeout). */
  timedOut: 124,
  /** `hodei run`: hodei itself failed (usage, server unreachable, token refused, the job never ran). */
  hodeiFailed: 125,
  /** The command exists but cannot be executed (permission, not a program). */
  cannotExecute: 126,
  /** The command was not found. */
  notFound: 127,
  /** 128 + N: killed by signal N. */
  signalBase: 128,
  /** `hodei run`: the job was cancelled (as a shell reports Ctrl-C), whether or not it had started. */
  cancelled: 130,
} as const;

/** Signal number of a name such as "SIGKILL"; null for an unknown name. */
export function signalNumber(name: string): number | null {
  return (constants.signals as Record<string, number | undefined>)[name] ?? null;
}

/**
 * The exit code `hodei run` ends with for a job that has ended, and — when hodei itself is to
 * blame (the job never produced an exit of its own) — the line that says so.
 */
export function runExitCode(job: Job): { code: number; hodeiFailure?: string } {
  if (job.state === 'succeeded') return { code: EXIT.ok };
  if (job.state === 'timed_out') return { code: EXIT.timedOut };
  if (job.state === 'cancelled') return { code: EXIT.cancelled };
  const signal = job.signal ?? (job.reason === 'OOMKilled' ? 'SIGKILL' : null);
  const n = signal ? signalNumber(signal) : null;
  if (n !== null) return { code: EXIT.signalBase + n };
  if (job.exitCode !== null && job.exitCode > 0) return { code: Math.min(job.exitCode, 255) };
  const why = `${job.reason ?? 'no exit code'}${job.message ? `: ${job.message}` : ''}`;
  return { code: EXIT.hodeiFailed, hodeiFailure: `the job never produced an exit code (${why})` };
}
