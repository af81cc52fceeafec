// Job throughput of the whole path (API → scheduler → local provider → agent → result), printed as
// a ratio against baselines measured side by side in the same run on the same machine:
//   - spawning a bare `node` process per job (what a local worker costs at minimum), and
//   - spawning `/bin/true` per job.
// Usage: npm run build && node bench/job-throughput.mjs [jobs=100] [concurrency=8]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HodeiClient } from '../dist/client/client.js';
import { loadConfig } from '../dist/config.js';
import { startControlPlane } from '../dist/control-plane/control-plane.js';
import { createLogger } from '../dist/observability/logger.js';

const N = Number(process.argv[2] ?? 100);
const C = Number(process.argv[3] ?? 8);

async function spawnAll(cmd, args) {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < N) {
      next++;
      await new Promise((resolve, reject) => spawn(cmd, args, { stdio: 'ignore' }).on('close', resolve).on('error', reject));
    }
  };
  await Promise.all(Array.from({ length: C }, lane));
  return N / ((performance.now() - started) / 1000);
}

async function hodeiJobs() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hodei-bench-'));
  const config = loadConfig({ env: {}, flags: { port: 0, dataDir, maxWorkers: C, logLevel: 'silent' } });
  const cp = await startControlPlane({ config, logger: createLogger({ level: 'silent' }) });
  const client = new HodeiClient(cp.url, cp.apiToken);
  await client.submit({ command: 'true' }); // warm up the store and the first worker
  while ((await cp.store.countJobsByState()).succeeded < 1) await new Promise((r) => setTimeout(r, 20));
  const started = performance.now();
  await Promise.all(Array.from({ length: N }, () => client.submit({ command: 'true' })));
  for (;;) {
    const c = await cp.store.countJobsByState();
    if (c.succeeded + c.failed >= N + 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const rate = N / ((performance.now() - started) / 1000);
  await cp.stop({ terminateWorkers: true });
  return rate;
}

const trueRate = await spawnAll('/bin/true', []);
const nodeRate = await spawnAll(process.execPath, ['-e', '']);
const hodeiRate = await hodeiJobs();
console.log(`jobs=${N} concurrency=${C}`);
console.log(`spawn /bin/true      ${trueRate.toFixed(1)} /s  (baseline)`);
console.log(`spawn bare node      ${nodeRate.toFixed(1)} /s  ratio to /bin/true ${(nodeRate / trueRate).toFixed(3)}`);
console.log(`hodei jobs (local)   ${hodeiRate.toFixed(1)} /s  ratio to bare node ${(hodeiRate / nodeRate).toFixed(3)}, to /bin/true ${(hodeiRate / trueRate).toFixed(3)}`);
