// The store stays bounded under a steady load: on both engines, jobs arrive, run, log and end at a
// steady rate (a fake clock) for five periods of the longest retention while the sweeper runs as it
// does in the server (batches, then space reclaimed). After the first periods the row counts stay
// under what the retention windows hold and the bytes stop growing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from '../store/testing/fresh.js';
import { RetentionSweeper } from './retention.js';
import { JobService } from './service.js';

const SUCCEEDED_S = 8;
const FAILED_S = 16;
const JOBS_PER_SECOND = 1;
const SWEEP_EVERY_S = 4;
const RUN_S = 5 * FAILED_S;

describe.each(TEST_ENGINES)('retention under a steady load on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  afterAll(async () => { await db?.store.close(); });

  it('keeps the row counts and the database size bounded over five retention periods', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const now = (): Date => new Date(clock);
    const jobs = new JobService(store, silentLogger(), now);
    const sweeper = new RetentionSweeper(jobs, { succeededMs: SUCCEEDED_S * 1000, failedMs: FAILED_S * 1000, intervalMs: 1000, batchSize: 25 }, silentLogger(), now);
    const deleted = { ttl: 0, retention: 0 };
    jobs.bus.on('jobs.deleted', (ev) => { if (ev.reason === 'ttl' || ev.reason === 'retention') deleted[ev.reason] += ev.count; });
    const samples: Array<{ t: number; jobs: number; logs: number; bytes: number }> = [];
    for (let t = 0; t < RUN_S; t++) {
      clock += 1000;
      for (let i = 0; i < JOBS_PER_SECOND; i++) {
        // One in three fails; one in six keeps itself for 5 s only (ttlSecondsAfterFinished).
        const n = t * JOBS_PER_SECOND + i;
        const { job } = await jobs.submit({ command: 'sh', args: ['-c', 'x'], env: {}, resources: {}, retries: 0, labels: {}, secrets: {},
          ...(n % 6 === 5 ? { ttlSecondsAfterFinished: 5 } : {}) }, n % 4 === 0 ? { idempotencyKey: `k-${n}`, body: { n } } : {});
        await store.claimQueuedJobs(1, now());
        await store.transitionJob(job.id, ['provisioning'], 'assigned', { workerId: 'w' }, { now: now() });
        await store.transitionJob(job.id, ['assigned'], 'running', {}, { now: now() });
        const lines = Array.from({ length: 12 }, (_, k) => ({ stream: 'stdout' as const, data: `line ${k} of job ${n} `.padEnd(200, '.') + '\n' }));
        await store.appendLogs(job.id, 1, lines, 1, { maxBytes: 2048 }); // capped: 10 lines and the note
        await jobs.endAttempt(job.id, 1, { outcome: 'exited', exitCode: n % 3 === 0 ? 1 : 0 });
      }
      if (t % SWEEP_EVERY_S === 0) {
        await sweeper.sweep();
        const f = await store.storeFootprint();
        samples.push({ t, jobs: f.rows.jobs ?? 0, logs: f.rows.job_logs ?? 0, bytes: f.bytes });
      }
    }
    // Steady state holds at most the jobs of the longest window plus one sweep interval.
    const maxJobs = JOBS_PER_SECOND * (FAILED_S + SWEEP_EVERY_S);
    const steady = samples.filter((s) => s.t >= 2 * FAILED_S);
    for (const s of samples) expect(s.jobs, `jobs at t=${s.t}`).toBeLessThanOrEqual(maxJobs);
    for (const s of samples) expect(s.logs, `log rows at t=${s.t}`).toBeLessThanOrEqual(maxJobs * 11);
    expect(deleted.ttl).toBeGreaterThan(0);
    expect(deleted.retention).toBeGreaterThan(0);
    // The bytes after two periods are the plateau: later samples stay within a quarter of it.
    const plateau = Math.max(...steady.slice(0, 3).map((s) => s.bytes));
    const last = steady.at(-1);
    expect(last?.bytes, JSON.stringify(samples.map((s) => [s.t, s.jobs, s.bytes]))).toBeLessThanOrEqual(plateau * 1.25);
    // The idempotency keys are pruned too (24 h is far beyond this run: they are all still kept).
    expect((await store.storeFootprint()).rows.idempotency_keys).toBe(Math.ceil((RUN_S * JOBS_PER_SECOND) / 4));
  }, 180_000);
});
