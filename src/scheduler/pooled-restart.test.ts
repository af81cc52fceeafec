// A pooled agent takes its next job in store statements (its read, then claim, hold and assign). The control
// plane is killed after each of them in turn (every store call from that point fails, as after a
// SIGKILL), then a new control plane on the same store runs its reconciler and the agent resumes
// without the job.assign it never received. Whatever the crash point, the job runs exactly once
// and succeeds: it is never left assigned to a worker that does not hold it (failed as lost).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobService } from '../jobs/service.js';
import { WorkerService } from '../jobs/workers.js';
import { WorkerSessions } from '../jobs/worker-sessions.js';
import { silentLogger } from '../observability/logger.js';
import { LocalProcessProvider } from '../providers/local/local-provider.js';
import type { Store } from '../store/store.js';
import { hashToken } from '../util/tokens.js';
import { jobSpec, newWorker } from '../../test/support/store/fixtures.js';
import { resettableStore, TEST_ENGINES, type ResettableStore } from '../../test/support/store/fresh.js';
import { Reconciler } from './reconciler.js';
import { Scheduler } from './scheduler.js';

const INTERVAL_MS = 500;
/** The scheduler's loop is not started here: nothing is offered or sent through the gateway. */
const NO_GATEWAY = { cancelJob: () => false, offerJob: async () => false, shutdownWorker: () => false, isConnected: () => false };

/** The store as a control plane killed after `calls` store calls sees it: every later call fails. */
function dyingAfter(store: Store, calls: number): { store: Store; died: () => boolean } {
  let made = 0;
  let died = false;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (made >= calls) {
          died = true;
          return Promise.reject(new Error('control plane killed'));
        }
        made++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, died: () => died };
}

describe.each(TEST_ENGINES)('a pooled agent\'s next job across a control-plane kill (%s)', (engine) => {
  let db: ResettableStore;
  beforeAll(async () => { db = await resettableStore(engine); });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  for (const order of ['reconciler first', 'agent first'] as const) {
    it(`the job runs once and succeeds whichever statement the kill follows (${order})`, async () => {
      const logger = silentLogger();
      let crashPoints = 0;
      for (let calls = 0; ; calls++) {
        await db.reset();
        const store = db.store;
        let clock = Date.now();
        const now = (): Date => new Date(clock);
        const jobs = new JobService(store, logger, now);
        const { job } = await jobs.submit(jobSpec({ command: 'true' }));
        const sessionToken = `session-${calls}`;
        await store.insertWorker(newWorker('w-pooled', { ephemeral: false, createdAt: now() }));
        await store.transitionWorker('w-pooled', ['provisioning'], 'ready',
          { registeredAt: now(), lastHeartbeatAt: now(), sessionHash: hashToken(sessionToken) }, now());

        // The first control plane hands the idle agent its next job and is killed after `calls` statements.
        const dying = dyingAfter(store, calls);
        const handed = await new WorkerSessions(new JobService(dying.store, logger, now), logger, now).nextJob('w-pooled').catch(() => null);
        if (!dying.died()) {
          // Every statement completed: the job.assign is the last thing lost with the process.
          expect(handed?.jobId).toBe(job.id);
          break;
        }
        crashPoints++;

        // A new control plane on the same store; the agent resumes without the job it never got.
        clock += 1000;
        const jobs2 = new JobService(store, logger, now);
        const workers = new WorkerService(store, now);
        const provider = new LocalProcessProvider({ logger });
        const scheduler = new Scheduler({
          jobs: jobs2, workers, provider, logger, serverUrl: () => 'http://127.0.0.1:1', maxWorkers: 1, ephemeral: false, now,
          gateway: NO_GATEWAY,
        });
        const reconciler = new Reconciler({
          jobs: jobs2, workers, provider, scheduler, logger, intervalMs: INTERVAL_MS,
          workerLostAfterMs: 20_000, registrationTimeoutMs: 30_000, now,
        });
        const sessions = new WorkerSessions(jobs2, logger, now);
        const passes = async (n: number): Promise<void> => {
          for (let i = 0; i < n; i++) {
            clock += INTERVAL_MS + 100;
            await reconciler.reconcile();
          }
        };
        const agentRuns = async (): Promise<string[]> => {
          expect(await sessions.resumeWorker('w-pooled', sessionToken)).not.toBeNull();
          const ran: string[] = [];
          // What the agent does after resuming: asks for work until there is none, running each job.
          for (let next = await sessions.nextJob('w-pooled'); next; next = await sessions.nextJob('w-pooled')) {
            expect(await sessions.jobStarted('w-pooled', next.jobId, next.attempt)).toBe('ok');
            expect(await sessions.jobFinished('w-pooled', next.jobId, next.attempt, { outcome: 'exited', exitCode: 0 })).toBe('ok');
            ran.push(next.jobId);
          }
          return ran;
        };
        let ran: string[];
        if (order === 'reconciler first') {
          await passes(4);
          ran = await agentRuns();
        } else {
          ran = await agentRuns();
          await passes(4);
          ran.push(...await agentRuns()); // a job the reconciler handed back to the queue
        }
        await passes(2);

        const after = await jobs2.find(job.id);
        expect({ calls, state: after?.state, reason: after?.reason, message: after?.message }).toEqual({ calls, state: 'succeeded', reason: 'Completed', message: null });
        expect({ calls, ran }).toEqual({ calls, ran: [job.id] });
        expect(after?.transitions.filter((t) => t.state === 'running')).toHaveLength(1);
        const w = await store.getWorker('w-pooled');
        expect({ calls, state: w?.state, jobId: w?.jobId }).toEqual({ calls, state: 'ready', jobId: null });
      }
      // The read, then the claim that holds and assigns in one statement (hodei_claim_jobs): each a crash point.
      expect(crashPoints).toBeGreaterThanOrEqual(2);
    });
  }

  it('a registered worker gone while it holds a job never handed to it: the job waits for another worker, same attempt', async () => {
    const logger = silentLogger();
    const store = db.store;
    const jobs = new JobService(store, logger);
    const workers = new WorkerService(store);
    const { job } = await jobs.submit(jobSpec({ command: 'true' }));
    await store.insertWorker(newWorker('w-pooled', { ephemeral: false }));
    await store.transitionWorker('w-pooled', ['provisioning'], 'ready', { registeredAt: new Date(), lastHeartbeatAt: new Date() });
    // The state a kill between "the worker holds it" and "it is assigned" leaves behind.
    const [claimed] = await store.claimQueuedJobs(1, new Date());
    await store.transitionWorker('w-pooled', ['ready'], 'busy', { jobId: claimed?.id ?? null });
    const scheduler = new Scheduler({
      jobs, workers, provider: new LocalProcessProvider({ logger }), logger, serverUrl: () => 'http://127.0.0.1:1', maxWorkers: 1, ephemeral: false,
      gateway: NO_GATEWAY,
    });
    await scheduler.onWorkerGone('w-pooled', 'WorkerLost', 'no heartbeat for 20 s');
    const after = await jobs.find(job.id);
    expect({ state: after?.state, attempt: after?.attempt, workerId: after?.workerId }).toEqual({ state: 'queued', attempt: 1, workerId: null });
    expect((await store.getWorker('w-pooled'))?.state).toBe('failed');
  });
});
