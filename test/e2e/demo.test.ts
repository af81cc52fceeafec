// The README's first promise: `hodei demo` runs every sample job to its expected end, prints where
// to look, and cleans up after itself.
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runCli } from './harness.js';

it('hodei demo runs every sample job to its expected end and prints where to look', async () => {
  const r = await runCli(['demo', '--port', '0'], {}, 120_000);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('[hello] hello from a Hodei worker');
  expect(r.stdout).toContain('[fails stderr] about to fail');
  expect(r.stdout).toMatch(/Metrics: +http:\/\/127\.0\.0\.1:\d+\/metrics/);
  expect(r.stdout).toMatch(/Console: +http:\/\/127\.0\.0\.1:\d+\/ /);
  expect(r.stdout).toContain('hodei_jobs_finished_total{result="succeeded"} 3');
  expect(r.stdout).toContain('every job ended as expected');
  expect(r.stdout).not.toContain('s3cr3t-demo-value');
  // Without --keep the demo removes the temporary data directory it created.
  const dataDir = /store: embedded PGlite in ([^,\s]+)/.exec(r.stdout)?.[1];
  expect(dataDir).toBeTruthy();
  expect(existsSync(dataDir!)).toBe(false);
}, 150_000);
