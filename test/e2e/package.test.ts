// The README's promises: the demo runs and ends as expected, and `npm pack` produces a package that
// installs into an empty directory and runs `npx hodei --help` there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
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
}, 150_000);

it('npm pack installs into an empty directory and `npx hodei --help` runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hodei-pack-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: packageRoot(), encoding: 'utf8' });
  const filename = (JSON.parse(out) as Array<{ filename: string }>)[0]?.filename ?? '';
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'hodei-pack-check', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, filename)], { cwd: app, stdio: 'pipe' });
  const help = execFileSync('npx', ['--no-install', 'hodei', '--help'], { cwd: app, encoding: 'utf8' });
  expect(help).toContain('Usage: hodei');
  for (const cmd of ['server', 'worker', 'run', 'jobs', 'workers']) expect(help).toContain(cmd);
}, 300_000);
