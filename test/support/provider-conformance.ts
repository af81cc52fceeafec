// The WorkerProvider contract, asserted through a real control plane (store, scheduler, gateway,
// reconciler) for any provider: a job runs and its output comes back, its exit code propagates,
// provider events fire, list() reflects running workers, terminate() is idempotent, and a failed
// provision ends the job failed with a reason instead of leaving it waiting.
//
//   runProviderConformance(vitest, { name: 'local', create: () => new LocalProcessProvider(...), ... })
//
// The test runner is passed in (no runtime import of vitest from src/).
import type * as Vitest from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { defaultWorkerMode, loadConfig, type HodeiConfig } from '../../src/config.js';
import { startControlPlane, type ControlPlane } from '../../src/control-plane/control-plane.js';
import { isTerminal, type Job } from '../../src/domain/job.js';
import { silentLogger } from '../../src/observability/logger.js';
import { freshDatabase } from './store/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import type { ProviderEvents, WorkerProvider } from '../../src/providers/provider.js';

export interface ConformanceDeps {
  /** The control plane's store record of a worker (bound once the control plane is up). */
  lookupWorker: (workerId: string) => Promise<{ state: string; registeredAt: string | null; jobId: string | null } | null>;
}

export interface ConformanceTarget {
  name: string;
  /** A working provider. */
  create(deps: ConformanceDeps): WorkerProvider | Promise<WorkerProvider>;
  /** A provider whose provisioning fails (bad CLI path, unpullable worker image...). */
  createBroken(deps: ConformanceDeps): WorkerProvider | Promise<WorkerProvider>;
  /** Reasons a failed provision may be recorded with. */
  failureReasons: string[];
  /** Extra control-plane settings. */
  config?: Partial<HodeiConfig>;
}

type Runner = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'beforeAll' | 'afterAll'>;

interface Running { cp: ControlPlane; client: HodeiClient; provider: WorkerProvider }

async function startWith(target: ConformanceTarget, make: ConformanceTarget['create']): Promise<Running> {
  const db = await freshDatabase('pglite');
  const token = newToken();
  const config = loadConfig({
    env: {},
    flags: {
      port: 0, dataDir: db.location, apiToken: token, logLevel: 'silent', heartbeatIntervalMs: 500, workerLostAfterMs: 4000,
      reconcileIntervalMs: 500, registrationTimeoutMs: 20_000, ...target.config,
    },
  });
  const ref: { cp?: ControlPlane } = {};
  const provider = await make({ lookupWorker: async (id) => (ref.cp ? ref.cp.store.getWorker(id) : null) });
  // The config's default mode follows its own `provider` setting (local); this provider may differ.
  const mode = { workerMode: target.config?.workerMode ?? defaultWorkerMode(provider.kind) };
  const cp = await startControlPlane({ config: { ...config, ...mode }, provider, logger: silentLogger() });
  ref.cp = cp;
  return { cp, provider, client: new HodeiClient(cp.url, token) };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ended = (client: HodeiClient, id: string): Promise<Job> =>
  until(`job ${id} to end`, async () => { const j = await client.getJob(id); return isTerminal(j.state) ? j : null; }, 60_000);

export function runProviderConformance(t: Runner, target: ConformanceTarget): void {
  const { describe, it, expect, beforeAll, afterAll } = t;

  describe(`WorkerProvider conformance: ${target.name}`, () => {
    let r: Running;
    const exits: ProviderEvents['worker.exited'][0][] = [];
    beforeAll(async () => {
      r = await startWith(target, target.create);
      r.provider.events.on('worker.exited', (ev) => exits.push(ev));
    });
    afterAll(async () => {
      await r?.cp.stop({ terminateWorkers: true });
    });

    it('runs a job and returns its output', async () => {
      const job = await ended(r.client, (await r.client.submit({ command: 'sh', args: ['-c', 'echo conformance-out'] })).id);
      expect(job.state).toBe('succeeded');
      expect(job.exitCode).toBe(0);
      expect(await r.client.logsText(job.id)).toBe('conformance-out\n');
    });

    it('propagates a non-zero exit code', async () => {
      const job = await ended(r.client, (await r.client.submit({ command: 'sh', args: ['-c', 'exit 3'], retries: 0 })).id);
      expect(job.state).toBe('failed');
      expect(job.exitCode).toBe(3);
      expect(job.reason).toBe('NonZeroExit');
    });

    it('emits worker.exited for the worker that ran a job', async () => {
      const job = await ended(r.client, (await r.client.submit({ command: 'true' })).id);
      const workerId = job.workerId ?? (await r.cp.store.listWorkers({})).find((w) => w.jobId === job.id)?.id;
      expect(workerId).toBeTruthy();
      await until('worker.exited', async () => exits.some((e) => e.workerId === workerId));
    });

    it('list() shows a running worker with its job, and drops it once it ended', async () => {
      const job = await r.client.submit({ command: 'sleep', args: ['2'] });
      const w = await until('the worker in list()', async () => (await r.provider.list()).find((x) => x.jobId === job.id));
      expect(w.workerId).toMatch(/\S/);
      expect(w.handle).toMatch(/\S/);
      expect(['starting', 'running']).toContain(w.phase);
      expect((await ended(r.client, job.id)).state).toBe('succeeded');
      await until('the worker to leave list()', async () => !(await r.provider.list()).some((x) => x.workerId === w.workerId));
    });

    it('terminate() stops a worker and is idempotent', async () => {
      await r.provider.terminate('w-never-existed');
      const job = await r.client.submit({ command: 'sleep', args: ['60'], retries: 0 });
      const w = await until('a running worker', async () => (await r.provider.list()).find((x) => x.jobId === job.id && x.phase === 'running'));
      await Promise.all([r.provider.terminate(w.workerId, { graceMs: 500 }), r.provider.terminate(w.workerId, { graceMs: 500 })]);
      await r.provider.terminate(w.workerId);
      const end = await ended(r.client, job.id);
      expect(end.state).toBe('failed');
      await until('the worker to leave list()', async () => !(await r.provider.list()).some((x) => x.workerId === w.workerId));
      await r.provider.terminate(w.workerId);
    });
  });

  describe(`WorkerProvider conformance: ${target.name} (failing provision)`, () => {
    let r: Running;
    beforeAll(async () => {
      r = await startWith(target, target.createBroken);
    });
    afterAll(async () => {
      await r?.cp.stop({ terminateWorkers: true });
    });

    it('ends the job failed with a reason instead of leaving it waiting', async () => {
      const job = await ended(r.client, (await r.client.submit({ command: 'true', retries: 0 })).id);
      expect(job.state).toBe('failed');
      expect(target.failureReasons).toContain(job.reason);
      expect(job.message).toBeTruthy();
    });
  });
}
