// Two control-plane replicas on one PostgreSQL database: every job runs exactly once.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase } from '../support/store/fresh.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  const database = await freshDatabase('postgres');
  [a, b] = await Promise.all([
    startTestServer({ database, config: { maxWorkers: 4 } }),
    startTestServer({ database, config: { maxWorkers: 4 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

it('never dispatches a job twice', async () => {
  const ledger = join(mkdtempSync(join(tmpdir(), 'hodei-replicas-')), 'ran.txt');
  const submit = (s: TestServer, i: number) => s.client.submit({ command: 'sh', args: ['-c', `echo "$HODEI_JOB_ID" >> "${ledger}"`], labels: { n: String(i) } });
  const jobs = await Promise.all(Array.from({ length: 40 }, (_, i) => submit(i % 2 ? a : b, i)));
  const done = await Promise.all(jobs.map((j) => waitForJob(a.client, j.id, 120_000)));
  expect(done.every((j) => j.state === 'succeeded' && j.attempt === 1)).toBe(true);
  const ran = readFileSync(ledger, 'utf8').trim().split('\n');
  expect(ran.sort()).toEqual(jobs.map((j) => j.id).sort());
  // One worker per job, no more: no replica provisioned for a job the other had claimed.
  expect(await a.cp.store.listWorkers()).toHaveLength(40);
}, 180_000);
