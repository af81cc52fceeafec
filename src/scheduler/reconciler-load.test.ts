// The reconciler on a loaded machine: a statement that queues behind others, or a control plane
// that stalls, must not turn into a failed job. A claimed job no worker has recorded yet was never
// handed to an agent (nothing ran): it waits again. A stall of this process is not the agents'
// silence: their heartbeats arrived, they are just not stored yet when the late timer fires.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobService } from '../jobs/service.js';
import { WorkerService } from '../jobs/workers.js';
import { silentLogger } from '../observability/logger.js';
import { LocalProcessProvider } from '../providers/local/local-provider.js';
import { jobSpec, newWorker } from '../../test/support/store/fixtures.js';
import { resettableStore, TEST_ENGINES, type ResettableStore } from '../../test/support/store/fresh.js';
import { Reconciler } from './reconciler.js';
import { Scheduler } from './scheduler.js';

const INTERVAL_MS = 500;
const LOST_AFTER_MS = 4000;
const NO_GATEWAY = { cancelJob: () => false, offerJob: async () => false, shutdownWorker: () => false, isConnected: () => false };

describe.each(TEST_ENGINES)('the reconciler under load (%s)', (engine) => {
  let db: ResettableStore;
  beforeAll(async () => { db = await resettableStore(engine); });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  function setup(): { jobs: JobService; reconciler: Reconciler; advance: (ms: number) => Date } {
    let clock = Date.now();
    const now = (): Date => new Date(clock);
    const logger = silentLogger();
    const jobs = new JobService(db.store, logger, now);
    const workers = new WorkerService(db.store, now);
    const provider = new LocalProcessProvider({ logger });
    const scheduler = new Scheduler({ jobs, workers, provider, gateway: NO_GATEWAY, logger, serverUrl: () => 'http://127.0.0.1:1', maxWorkers: 1, ephemeral: false, now });
    const reconciler = new Reconciler({ jobs, workers, provider, scheduler, logger, intervalMs: INTERVAL_MS, workerLostAfterMs: LOST_AFTER_MS, registrationTimeoutMs: 30_000, now });
    return { jobs, reconciler, advance: (ms) => new Date(clock += ms) };
  }

  it('a claimed job no worker recorded for two passes is queued again, same attempt, not failed', async () => {
    const { jobs, reconciler, advance } = setup();
    const { job } = await jobs.submit(jobSpec({ command: 'true' }));
    expect((await jobs.claim(1)).map((j) => j.id)).toEqual([job.id]);
    for (let i = 0; i < 4; i++) {
      advance(INTERVAL_MS + 100);
      await reconciler.reconcile();
    }
    const after = await jobs.find(job.id);
    expect({ state: after?.state, attempt: after?.attempt, reason: after?.reason }).toEqual({ state: 'queued', attempt: 1, reason: 'Reprovisioned' });
    expect(after?.transitions.some((t) => t.state === 'failed')).toBe(false);
  });

  it('a stall of the control plane longer than workerLostAfterMs loses no worker; silence after it still does', async () => {
    const { jobs, reconciler, advance } = setup();
    const at = advance(0);
    // A worker running a job, heard from at `at`.
    const { job } = await jobs.submit(jobSpec({ command: 'sleep', args: ['60'] }));
    await jobs.claim(1);
    await db.store.insertWorker(newWorker('w-busy', { ephemeral: false, createdAt: at }));
    await db.store.transitionWorker('w-busy', ['provisioning'], 'busy', { registeredAt: at, lastHeartbeatAt: at, jobId: job.id }, at);
    await db.store.transitionJob(job.id, ['provisioning'], 'assigned', { workerId: 'w-busy' }, { now: at });
    await db.store.transitionJob(job.id, ['assigned'], 'running', {}, { now: at });
    advance(INTERVAL_MS);
    await reconciler.reconcile();
    advance(LOST_AFTER_MS * 2); // the next timer fires 8 s late
    await reconciler.reconcile();
    expect((await db.store.getWorker('w-busy'))?.state).toBe('busy');
    expect((await jobs.find(job.id))?.state).toBe('running');
    // No heartbeat after the stall either: lost once workerLostAfterMs of real silence has passed.
    for (let t = 0; t <= LOST_AFTER_MS; t += INTERVAL_MS) {
      advance(INTERVAL_MS);
      await reconciler.reconcile();
    }
    expect(await db.store.getWorker('w-busy')).toMatchObject({ state: 'failed', reason: 'WorkerLost' });
    expect(await jobs.find(job.id)).toMatchObject({ state: 'failed', reason: 'WorkerLost' });
  });
});
