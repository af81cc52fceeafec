// jobs: trivial jobs (`true`) at concurrency 8 through the whole path of each system, measured in
// the same run, in interleaved rounds: a bare spawn of /bin/true (the limit), pg-boss and
// graphile-worker in their fastest configurations on the same PostgreSQL, Hodei (warm pool and
// ephemeral agents) on PostgreSQL and PGlite. Per subject: jobs/s, queued→running p50/p99 under
// that load, and queued→running of a single job on an otherwise idle system. Each subject runs in
// its own process (bench/lib/job-subjects.mjs).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Cleanup, QUICK, interleaved, median, percentile, progress, round, sleep } from './lib/common.mjs';
import { freshDatabase } from './lib/postgres.mjs';

const C = 8;
const version = (pkg) => createRequire(import.meta.url)(`${pkg}/package.json`).version;

/** Forks the subject's process; `call(op, n)` resolves with its answer. */
function forkSubject(key, name, env) {
  // HODEI_BENCH_PROFILE=<key> (e.g. hodei-pooled-pg): that subject's process writes a V8 CPU profile
  // under bench/results/profiles/ (summarise it with `node bench/lib/profile-summary.mjs FILE`).
  const profile = process.env.HODEI_BENCH_PROFILE === key ? ['--cpu-prof', '--cpu-prof-dir', join(import.meta.dirname, 'results', 'profiles')] : [];
  const child = fork(join(import.meta.dirname, 'lib', 'job-subjects.mjs'), [key], { env: { ...process.env, ...env }, execArgv: profile, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let pending = null;
  child.on('message', (m) => { const p = pending; pending = null; if (m.ok) p?.resolve(m.value); else p?.reject(new Error(`${name}: ${m.error}`)); });
  child.on('exit', (code) => { pending?.reject(new Error(`${name}: process exited (${code})`)); pending = null; });
  return {
    name,
    call: (op, n) => new Promise((resolve, reject) => { pending = { resolve, reject }; child.send({ op, n }); }),
    async stop() {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise((r) => child.once('exit', r));
      await Promise.race([this.call('stop'), sleep(20_000)]).catch(() => undefined);
      if (child.exitCode === null) setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      await exited;
    },
  };
}

export default {
  name: 'jobs',
  description: `trivial jobs (\`true\`) at concurrency ${C}: jobs/s, queued→running p50/p99, single job on an idle system`,
  async run() {
    const { loadConfig } = await import('../dist/config.js');
    const defaultMode = loadConfig({ env: {}, flags: { provider: 'local' } }).workerMode;
    const n = QUICK ? 150 : 1000;
    const nSlow = QUICK ? 24 : 100; // ephemeral agents start a Node process per job: fewer jobs keep rounds short
    const rounds = QUICK ? 2 : 3;
    const singles = QUICK ? 7 : 21;
    const hodeiName = (mode, store) => `hodei ${mode === 'pooled' ? 'warm pool' : 'ephemeral agents'}${mode === defaultMode ? ' (default)' : ''}, ${store === 'pg' ? 'PostgreSQL' : 'PGlite'}`;
    const specs = [
      ['spawn', 'spawn /bin/true (the limit)', false],
      ['pg-boss', `pg-boss ${version('pg-boss')} (batch 100 + notifyWorker), PostgreSQL`, 'pg'],
      ['graphile-worker', `graphile-worker ${version('graphile-worker')} (local queue 50), PostgreSQL`, 'pg'],
      ...['pooled', 'ephemeral'].flatMap((mode) => ['pg', 'pglite'].map((store) => [`hodei-${mode}-${store}`, hodeiName(mode, store), store === 'pg', mode === 'ephemeral'])),
    ];
    const cleanup = new Cleanup();
    try {
      const subjects = [];
      for (const [key, name, pg, slow] of specs) {
        progress(`starting ${name}`);
        const env = pg ? { HODEI_BENCH_SUBJECT_DB: await freshDatabase(`bench_${key.replace(/-/g, '_')}`) } : {};
        const s = forkSubject(key, name, env);
        s.slow = slow;
        cleanup.add(() => s.stop());
        await s.call('start');
        subjects.push(s);
      }
      const byName = Object.fromEntries(subjects.map((s) => [s.name, s]));
      const runs = await interleaved(subjects.map((s) => s.name), rounds, (name) => byName[name].call('batch', byName[name].slow ? nSlow : n));
      // One job at a time, on a system with nothing else queued; subjects interleaved here too.
      const single = Object.fromEntries(subjects.map((s) => [s.name, []]));
      progress(`single jobs on an idle system (${singles} each, interleaved)`);
      for (let i = 0; i < singles; i++) {
        for (const s of subjects) {
          await sleep(100);
          single[s.name].push(await s.call('single'));
        }
      }
      const rows = subjects.map((s) => {
        const r = runs[s.name];
        const rates = r.map((x) => x.latencies.length / x.seconds);
        const lat = r.flatMap((x) => x.latencies);
        return { subject: s.name, 'jobs/s': round(median(rates)), 'queued→running p50 ms': round(percentile(lat, 50)),
          'p99 ms': round(percentile(lat, 99)), 'single job p50 ms': round(median(single[s.name]), 1), 'single p99 ms': round(percentile(single[s.name], 99), 1) };
      });
      const peer = Math.max(...rows.filter((r) => /pg-boss|graphile/.test(r.subject)).map((r) => r['jobs/s']));
      for (const r of rows) r['vs faster peer'] = round(r['jobs/s'] / peer, 3);
      return {
        rows, params: { jobsPerRound: n, ephemeralJobsPerRound: nSlow, concurrency: C, rounds, singles, defaultMode },
        notes: [`${rounds} interleaved rounds of ${n} jobs (${nSlow} for ephemeral agents), medians; queued→running under that load includes waiting in the queue behind the others.`],
      };
    } finally {
      await cleanup.run();
    }
  },
};
