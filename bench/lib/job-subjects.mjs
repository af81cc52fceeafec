// The subjects of the jobs benchmark, each run in its own child process (bench/jobs.mjs forks this
// file with the subject's key): a process that spawns jobs pays for its own size at every fork, so
// no subject may carry another's heap (PGlite alone is hundreds of MB). Driven over IPC:
// {op: 'start'|'batch'|'single'|'stop', n} → {ok, value} | {ok: false, error}.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanes, now, progress, waitFor } from './common.mjs';

const C = 8;
const databaseUrl = () => process.env.HODEI_BENCH_SUBJECT_DB ?? '';

const spawnTrue = () => new Promise((resolve, reject) => {
  spawn('/bin/true', [], { stdio: 'ignore' }).on('close', resolve).on('error', reject);
});

/** Every subject: start(), batch(n) → {seconds, latencies}, single() → ms, stop(). */
function bareSpawn() {
  return {
    async start() {},
    async batch(n) {
      const t0 = now();
      const lat = [];
      await lanes(n, C, async () => { lat.push(now() - t0); await spawnTrue(); });
      return { seconds: (now() - t0) / 1000, latencies: lat };
    },
    async single() {
      const t0 = now();
      await new Promise((resolve, reject) => spawn('/bin/true', [], { stdio: 'ignore' }).on('spawn', resolve).on('error', reject));
      return now() - t0;
    },
    async stop() {},
  };
}

/** A peer's handler side: records when job k started and finished, spawning /bin/true in between. */
function tracker() {
  const sent = new Map(), started = new Map();
  let done = 0;
  return {
    sent, started,
    get done() { return done; },
    reset() { sent.clear(); started.clear(); done = 0; },
    async run(k) { started.set(k, now()); await spawnTrue(); done++; },
    latencies() { return [...started].map(([k, t]) => t - sent.get(k)); },
  };
}

function pgBoss() {
  const t = tracker();
  let boss, workerId, seq = 0;
  return {
    async start() {
      const { default: PgBoss } = await import('pg-boss');
      boss = new PgBoss({ connectionString: databaseUrl(), supervise: false, schedule: false, max: 10 });
      boss.on('error', (err) => progress(`pg-boss: ${err.message}`));
      await boss.start();
      await boss.createQueue('bench');
      // Its fastest path: large batches, and notifyWorker after each insert instead of its poll sleep.
      workerId = await boss.work('bench', { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        await lanes(jobs.length, C, (i) => t.run(jobs[i].data.k));
      });
    },
    async batch(n) {
      t.reset();
      const t0 = now();
      const jobs = Array.from({ length: n }, () => ({ name: 'bench', data: { k: ++seq } }));
      for (const j of jobs) t.sent.set(j.data.k, t0);
      await boss.insert(jobs);
      boss.notifyWorker(workerId);
      await waitFor(() => t.done >= n, 'pg-boss jobs', 300_000, 5);
      return { seconds: (now() - t0) / 1000, latencies: t.latencies() };
    },
    async single() {
      t.reset();
      const k = ++seq;
      t.sent.set(k, now());
      await boss.send('bench', { k });
      boss.notifyWorker(workerId);
      await waitFor(() => t.done >= 1, 'pg-boss job', 30_000, 1);
      return t.latencies()[0];
    },
    async stop() { await boss?.stop({ graceful: false, wait: true, close: true }); },
  };
}

function graphileWorker() {
  const t = tracker();
  let runner, utils, seq = 0;
  return {
    async start() {
      const { run, makeWorkerUtils, Logger } = await import('graphile-worker');
      const connectionString = databaseUrl();
      const logger = new Logger(() => () => undefined);
      utils = await makeWorkerUtils({ connectionString, logger });
      await utils.migrate();
      runner = await run({
        connectionString, concurrency: C, noHandleSignals: true, pollInterval: 2000, logger,
        taskList: { t: async (payload) => t.run(payload.k) },
        preset: { worker: { localQueue: { size: 50 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      });
    },
    async batch(n) {
      t.reset();
      const t0 = now();
      const jobs = Array.from({ length: n }, () => ({ identifier: 't', payload: { k: ++seq } }));
      for (const j of jobs) t.sent.set(j.payload.k, t0);
      await utils.addJobs(jobs);
      await waitFor(() => t.done >= n, 'graphile-worker jobs', 300_000, 5);
      return { seconds: (now() - t0) / 1000, latencies: t.latencies() };
    },
    async single() {
      t.reset();
      const k = ++seq;
      t.sent.set(k, now());
      await utils.addJob('t', { k });
      await waitFor(() => t.done >= 1, 'graphile-worker job', 30_000, 1);
      return t.latencies()[0];
    },
    async stop() {
      await runner?.stop();
      await utils?.release();
    },
  };
}

/** Hodei's control plane in this process (as `hodei server` runs it), local provider, `true` jobs. */
function hodei(mode, store) {
  let cp, client, dataDir;
  const started = new Map(), finished = new Map(), created = new Map();
  return {
    async start() {
      const [{ loadConfig }, { startControlPlane }, { createLogger }, { HodeiClient }] = await Promise.all([
        import('../../dist/config.js'), import('../../dist/control-plane/control-plane.js'),
        import('../../dist/observability/logger.js'), import('../../dist/client/client.js')]);
      dataDir = mkdtempSync(join(tmpdir(), 'hodei-bench-'));
      const flags = { port: 0, dataDir, maxWorkers: C, logLevel: 'silent', workerMode: mode,
        ...(store === 'pg' ? { databaseUrl: databaseUrl() } : {}) };
      cp = await startControlPlane({ config: loadConfig({ env: {}, flags }), logger: createLogger({ level: 'silent' }) });
      client = new HodeiClient(cp.url, cp.apiToken);
      cp.jobs.bus.on('job.changed', (job) => {
        if (job.startedAt && !started.has(job.id)) started.set(job.id, Date.parse(job.startedAt));
        if (job.finishedAt) finished.set(job.id, job.state);
        created.set(job.id, Date.parse(job.createdAt));
      });
      await this.batch(C); // warm: the store, the agents (pooled) and the JIT
    },
    async batch(n) {
      const t0 = now();
      const ids = [];
      await lanes(n, C, async () => { ids.push((await client.submit({ command: 'true' })).id); });
      await waitFor(() => ids.length === n && ids.every((id) => finished.has(id)), `hodei ${mode} jobs`, 600_000, 5);
      const failed = ids.filter((id) => finished.get(id) !== 'succeeded').length;
      if (failed) throw new Error(`${failed} of ${n} hodei jobs did not succeed`);
      return { seconds: (now() - t0) / 1000, latencies: ids.map((id) => started.get(id) - created.get(id)) };
    },
    async single() {
      const { id } = await client.submit({ command: 'true' });
      await waitFor(() => finished.has(id), 'hodei job', 60_000, 2);
      return started.get(id) - created.get(id);
    },
    async stop() {
      await cp?.stop({ terminateWorkers: true });
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const SUBJECTS = {
  spawn: bareSpawn, 'pg-boss': pgBoss, 'graphile-worker': graphileWorker,
  'hodei-pooled-pg': () => hodei('pooled', 'pg'), 'hodei-pooled-pglite': () => hodei('pooled', 'pglite'),
  'hodei-ephemeral-pg': () => hodei('ephemeral', 'pg'), 'hodei-ephemeral-pglite': () => hodei('ephemeral', 'pglite'),
};

const subject = SUBJECTS[process.argv[2]]?.();
if (!subject || !process.send) throw new Error(`usage: fork(job-subjects.mjs, [${Object.keys(SUBJECTS).join('|')}])`);
process.on('message', async ({ op, n }) => {
  try {
    const value = await subject[op](n);
    process.send({ ok: true, value });
    if (op === 'stop') process.disconnect();
  } catch (err) {
    process.send({ ok: false, error: err.stack ?? String(err) });
  }
});
