// The one test command (README, .ci/run): system packages, lint, typecheck, build, then every test.
// Ends with a plain "N passed, N failed" line so CI can read the result.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSystemPackages } from './system-packages.mjs';

const step = (name, cmd, args) => {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
};

ensureSystemPackages();
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
const r = spawnSync(npx('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra], { stdio: 'inherit' });
let passed = 0, failed = 0, skipped = 0;
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests; failed = j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0); skipped = j.numPendingTests + (j.numTodoTests ?? 0);
} catch { failed = Math.max(failed, 1); }
if (r.status !== 0 && failed === 0) failed = 1;
// A run that executed no test (a global setup that died, a filter that matched nothing) is a failure.
if (passed === 0 && failed === 0) failed = 1;
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
void execFileSync;
