// docs/jobs.md runs as written: every ```sh block, in order, through `sh -e` with the real CLI
// as `hodei` on PATH, against a real server.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hodeiCliCommand, packageRoot } from '../../src/util/paths.js';
import { startTestServer, type TestServer } from './harness.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.stop(); });

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

function sh(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-e', '-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}

it('runs every shell example of docs/jobs.md', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'hodei-doc-bin-'));
  const quote = (a: string): string => `'${a.replaceAll("'", "'\\''")}'`;
  writeFileSync(join(bin, 'hodei'), `#!/bin/sh\nexec ${hodeiCliCommand().map(quote).join(' ')} "$@"\n`);
  chmodSync(join(bin, 'hodei'), 0o755);
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HODEI_URL: s.url, HODEI_API_TOKEN: s.token };
  const blocks = shellBlocks(readFileSync(join(packageRoot(), 'docs', 'jobs.md'), 'utf8'));
  expect(blocks.length).toBeGreaterThanOrEqual(9);
  for (const block of blocks) {
    const r = await sh(block, env);
    expect(r.code, `${block}\n---\n${r.out}`).toBe(0);
  }
  // What the examples made is really there.
  const backup = await s.client.getJson<{ suspend: boolean; timezone: string; concurrencyPolicy: string }>('/v1/schedules/nightly-backup');
  expect(backup).toMatchObject({ suspend: true, timezone: 'Europe/Madrid', concurrencyPolicy: 'Forbid' });
  const reports = await s.client.getJson<{ concurrency: number; quota: object }>('/v1/queues/reports');
  expect(reports).toMatchObject({ concurrency: 2, quota: { cpu: '4', memory: '8Gi' } });
  const template = await s.client.getJson<{ version: number }>('/v1/templates/backup');
  expect(template.version).toBe(2);
  const orders = await s.client.getJson<{ template: object; job: { args: string[] } }>('/v1/schedules/orders-backup');
  expect(orders).toMatchObject({ template: { name: 'backup', params: { db: 'orders' } }, job: { args: ['-c', 'echo "dump orders to weekly (v2)"'] } });
  const dead = await s.client.listJobs({ dead: true });
  expect(dead.jobs.map((j) => j.reason)).toContain('NonZeroExit');
}, 240_000);
