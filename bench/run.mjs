// `npm run bench` runs every benchmark; `npm run bench -- NAME [NAME...]` only those. `--quick` (or
// HODEI_BENCH_QUICK=1) runs smaller rounds so a whole run takes minutes on a shared machine.
// Each benchmark runs its baseline, peers and Hodei in the same run, in interleaved rounds, and
// reports ratios. Progress goes to stderr; the tables to stdout; the results as JSON to
// bench/results/<name>.json (latest) — docs/performance.md carries the table and this command.
// Not part of the test suite: nothing here passes or fails on a number.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { QUICK, progress, table } from './lib/common.mjs';
import { stopPostgres } from './lib/postgres.mjs';
import { stopCluster } from './lib/cluster.mjs';

const ALL = ['jobs', 'provision', 'probe', 'scrape', 'memory'];
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !ALL.includes(a));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}: expected one of ${ALL.join(', ')}\n`);
  process.exit(2);
}
const names = asked.length ? asked : ALL;
const resultsDir = join(import.meta.dirname, 'results');
mkdirSync(resultsDir, { recursive: true });

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg1mAtStart: Number(loadavg()[0].toFixed(2)) };
const command = `npm run bench --${QUICK ? ' --quick' : ''}${asked.length ? ` ${asked.join(' ')}` : ''}`;
let failed = 0;
try {
  for (const name of names) {
    const bench = (await import(`./${name}.mjs`)).default;
    progress(`${name}: ${bench.description}${QUICK ? ' (quick)' : ''}`);
    const started = Date.now();
    try {
      const result = await bench.run();
      const out = { benchmark: name, description: bench.description, quick: QUICK, command, at: new Date().toISOString(),
        seconds: Math.round((Date.now() - started) / 1000), machine: { ...machine, loadavg1mAtEnd: Number(loadavg()[0].toFixed(2)) }, ...result };
      writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(out, null, 2) + '\n');
      process.stdout.write(table(`${name}: ${bench.description}`, result.rows));
      if (result.notes) for (const n of result.notes) process.stdout.write(`  ${n}\n`);
      process.stdout.write('\n');
    } catch (err) {
      failed++;
      progress(`${name} failed: ${err.stack ?? err}`);
    }
  }
} finally {
  await stopCluster();
  await stopPostgres();
}
process.stderr.write(`load average (1 min) at start ${machine.loadavg1mAtStart}, now ${loadavg()[0].toFixed(2)} on ${machine.cpus} cores\n`);
process.exit(failed ? 1 : 0);
