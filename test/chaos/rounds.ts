// Control-plane SIGKILL rounds: submit jobs that append their id to a ledger file, kill the
// control plane with SIGKILL while some run and others are being provisioned, restart it on the
// same store, and count what a crash must never cause: lost jobs (ended other than succeeded),
// jobs run twice (a ledger line twice), stuck jobs (not ended in time), orphaned worker processes
// (local) and pods/Secrets (Kubernetes). HODEI_CHAOS_ROUNDS / HODEI_CHAOS_JOBS size it; with
// HODEI_CHAOS_REPORT=<file> each round appends its figures as a JSON line (docs/reliability.md); with
// HODEI_CHAOS_DEBUG=<file> the servers log at info and a round with a lost or stuck job appends
// those jobs (transitions included) and both servers' output there.
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HodeiClient, type JobSubmission } from '../../src/client/client.js';

import { isTerminal } from '../../src/domain/job.js';
import { newToken } from '../../src/util/tokens.js';
import { processesWithEnv } from '../../src/providers/local/process-tree.js';
import { freePort, startServerProcess, waitFor } from '../e2e/harness.js';

export const ROUNDS = Number(process.env.HODEI_CHAOS_ROUNDS ?? 1);
export const JOBS = Number(process.env.HODEI_CHAOS_JOBS ?? 40);

export interface RoundFigures {
  target: string;
  round: number;
  jobs: number;
  /** Jobs provisioning (claimed, no agent registered yet) and running when the SIGKILL came. */
  atKill: { provisioning: number; running: number };
  lost: number;
  /** Why the lost jobs ended, by reason. */
  lostReasons: Record<string, number>;
  runTwice: number;
  stuck: number;
  orphans: number;
  /** Restart → every job ended, seconds. */
  recoverySeconds: number;
}

export interface RoundTarget {
  name: string;
  /** Extra server args and env (store, provider). */
  args: string[];
  env: Record<string, string>;
  /** What is left behind once every job ended and the control plane stopped (processes, pods, Secrets). */
  orphans: () => Promise<number>;
}

/**
 * Worker processes (agents, jobs) still alive a few seconds after everything ended: each carries
 * the mark in its environment, inherited from the control plane that started it.
 */
export async function leftoverProcesses(mark: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const n = processesWithEnv('HODEI_CHAOS_MARK', mark).length;
    if (n === 0 || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Jobs that append their id to `ledger` (a line twice = run twice), submitted 50 at a time.
 * `perAttempt`: the line is id/attempt, for rounds where a retry after the fault is expected.
 */
export async function submitLedgerJobs(client: HodeiClient, jobs: number, ledger: string, extra: Partial<JobSubmission> = {}, perAttempt = false): Promise<string[]> {
  const ids: string[] = [];
  const line = perAttempt ? '$HODEI_JOB_ID/$HODEI_JOB_ATTEMPT' : '$HODEI_JOB_ID';
  for (let i = 0; i < jobs; i += 50) {
    ids.push(...await Promise.all(Array.from({ length: Math.min(50, jobs - i) }, () =>
      client.submit({ command: 'sh', args: ['-c', `echo "${line}" >> "${ledger}"; sleep 1; echo done`], ...extra }).then((j) => j.id))));
  }
  return ids;
}

export const newLedger = (): string => join(mkdtempSync(join(tmpdir(), 'hodei-chaos-')), 'ran.txt');

export interface Tally {
  lost: number;
  lostReasons: Record<string, number>;
  runTwice: number;
  stuck: number;
  /** Every job's last reason (succeeded: Completed), counted. */
  reasons: Record<string, number>;
}

/** Waits up to `timeoutMs` for every job to end, then counts: lost (ended other than succeeded, or with a reason not in `allowed`), run twice, stuck. */
export async function tally(client: HodeiClient, ids: string[], ledger: string, timeoutMs: number, allowedFailures: readonly string[] = []): Promise<Tally> {
  await waitFor('every job to end', async () => {
    const all = await Promise.all(ids.map((id) => client.getJob(id)));
    return all.every((j) => isTerminal(j.state));
  }, timeoutMs).catch(() => undefined);
  const all = await Promise.all(ids.map((id) => client.getJob(id)));
  const lostReasons: Record<string, number> = {};
  const stuckJobs = all.filter((j) => !isTerminal(j.state));
  const stuck = stuckJobs.length;
  for (const j of stuckJobs) lostReasons[`stuck ${j.state}`] = (lostReasons[`stuck ${j.state}`] ?? 0) + 1;
  const lostJobs = all.filter((j) => isTerminal(j.state) && j.state !== 'succeeded' && !allowedFailures.includes(j.reason ?? ''));
  for (const j of lostJobs) {
    if (process.env.HODEI_CHAOS_DEBUG) appendFileSync(process.env.HODEI_CHAOS_DEBUG, `${JSON.stringify({ lost: j })}\n`);
    const k = `${j.reason ?? j.state}: ${(j.message ?? '').slice(0, 80)}`;
    lostReasons[k] = (lostReasons[k] ?? 0) + 1;
  }
  const reasons: Record<string, number> = {};
  for (const j of all) reasons[j.reason ?? j.state] = (reasons[j.reason ?? j.state] ?? 0) + 1;
  const lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { lost: lostJobs.length, lostReasons, runTwice: lines.length - new Set(lines).size, stuck, reasons };
}

/** Appends one JSON line of figures to HODEI_CHAOS_REPORT (docs/reliability.md). */
export function report(figures: object): void {
  if (process.env.HODEI_CHAOS_REPORT) appendFileSync(process.env.HODEI_CHAOS_REPORT, `${JSON.stringify(figures)}\n`);
}

/** One round: returns its figures; a non-zero lost/runTwice/stuck/orphans is the test's to judge. */
export async function crashRound(t: RoundTarget, round: number, jobs = JOBS): Promise<RoundFigures> {
  const token = newToken();
  const port = await freePort();
  const env = {
    HODEI_API_TOKEN: token, HODEI_HEARTBEAT_INTERVAL_MS: '500', HODEI_WORKER_LOST_AFTER_MS: '20000',
    HODEI_RECONCILE_INTERVAL_MS: '500', HODEI_REGISTRATION_TIMEOUT_MS: '30000', HODEI_LOG_LEVEL: process.env.HODEI_CHAOS_DEBUG ? 'info' : 'warn', ...t.env,
  };
  const args = ['--port', String(port), '--max-workers', '16', ...t.args];
  const ledger = newLedger();
  const first = await startServerProcess(args, env);
  const client = new HodeiClient(first.url, token);
  const ids = await submitLedgerJobs(client, jobs, ledger);
  // Kill while the first wave runs and the next is being provisioned.
  await waitFor('jobs running', async () => (await client.listJobs({ state: 'running', limit: 100 })).jobs.length >= 4, 60_000)
    .catch(async (err: unknown) => {
      first.proc.kill('SIGTERM'); // no server left behind by a failed round
      await first.exited;
      throw err;
    });
  const atKill = {
    provisioning: (await client.listJobs({ state: 'provisioning', limit: 200 })).jobs.length,
    running: (await client.listJobs({ state: 'running', limit: 200 })).jobs.length,
  };
  first.proc.kill('SIGKILL');
  await first.exited;

  const second = await startServerProcess(args, env);
  const restarted = Date.now();
  try {
    const { lost, lostReasons, runTwice, stuck } = await tally(client, ids, ledger, 60_000 + jobs * 500);
    if (process.env.HODEI_CHAOS_DEBUG && lost + stuck > 0) {
      appendFileSync(process.env.HODEI_CHAOS_DEBUG, `--- first server\n${first.output()}\n--- second server\n${second.output()}\n`);
    }
    const recoverySeconds = (Date.now() - restarted) / 1000;
    second.proc.kill('SIGTERM');
    await second.exited;
    const orphans = await t.orphans();
    const figures: RoundFigures = { target: t.name, round, jobs, atKill, lost, lostReasons, runTwice, stuck, orphans, recoverySeconds };
    report(figures);
    return figures;
  } finally {
    if (second.proc.exitCode === null) {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  }
}
