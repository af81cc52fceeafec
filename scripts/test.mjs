// The one test command (README, .ci/run): system packages, lint, typecheck, build, then every test.
// Prints each step's duration, a summary of them and the slowest test files (the suite's budget is
// 10 minutes on 2 cores: docs/testing.md), and ends with a plain "N passed, N failed" line so CI
// can read the result. HODEI_RECORD_TIMES=1 writes the files' wall times to test/file-times.json,
// which orders the next runs longest first (test/sequencer.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureSystemPackages } from './system-packages.mjs';

const started = performance.now();
const durations = [];
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const timed = (name, fn) => {
  const t = performance.now();
  const r = fn();
  durations.push([name, performance.now() - t]);
  console.log(`=== ${name}: ${secs(performance.now() - t)}`);
  return r;
};
const summary = () => {
  console.log(`\nsteps: ${durations.map(([n, ms]) => `${n} ${secs(ms)}`).join(', ')}; total ${secs(performance.now() - started)}`);
};
const step = (name, cmd, args) => {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = timed(name, () => spawnSync(cmd, args, { stdio: 'inherit' }));
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal})`);
    summary();
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
};

timed('system packages', () => ensureSystemPackages());
const npx = (bin) => join('node_modules', '.bin', bin);
step('lint', npx('eslint'), ['.']);
step('typecheck', npx('tsc'), ['--noEmit', '-p', 'tsconfig.check.json']);
step('layering', npx('depcruise'), ['src', '--config', '.dependency-cruiser.mjs', '--ignore-known', '.dependency-cruiser-known-violations.json', '--output-type', 'err']);
step('build', process.execPath, ['scripts/build.mjs']);

// The real Kubernetes control plane (test/k8s-control-plane): built once, then cached; without Go
// (or with HODEI_K8S_REAL=0) the vitest global setup says so in one line and the rest runs.
if (process.env.HODEI_K8S_REAL !== '0' && spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) {
  step('kubernetes control plane', process.execPath, ['scripts/k8s-control-plane.mjs']);
}

const out = join(mkdtempSync(join(tmpdir(), 'hodei-test-')), 'vitest.json');
const extra = process.argv.slice(2);
console.log(`\n=== tests: vitest run ${extra.join(' ')}`);
const r = timed('tests', () => spawnSync(npx('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra], { stdio: 'inherit' }));
let passed = 0, failed = 0, skipped = 0;
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests; failed = j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0); skipped = j.numPendingTests + (j.numTodoTests ?? 0);
  const files = j.testResults.map((f) => [relative(process.cwd(), f.name), (f.endTime - f.startTime) / 1000]).sort((a, b) => b[1] - a[1]);
  const busy = files.reduce((a, [, s]) => a + s, 0);
  console.log(`\nslowest files (wall time; ${files.length} files, ${busy.toFixed(0)} s in all):`);
  for (const [f, s] of files.slice(0, 12)) console.log(`  ${s.toFixed(1).padStart(6)} s  ${f}`);
  if (process.env.HODEI_RECORD_TIMES === '1' && extra.length === 0) {
    writeFileSync('test/file-times.json', `${JSON.stringify(Object.fromEntries(files.map(([f, s]) => [f, Math.round(s * 10) / 10])), null, 1)}\n`);
    console.log('wrote test/file-times.json');
  }
} catch { failed = Math.max(failed, 1); }
if (r.status !== 0 && failed === 0) failed = 1;
// A run that executed no test (a global setup that died, a filter that matched nothing) is a failure.
if (passed === 0 && failed === 0) failed = 1;
summary();
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
