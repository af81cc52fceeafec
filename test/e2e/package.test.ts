// The README's promises: `npm pack` produces a package that ships the product and no tests,
// installs into an empty directory, runs `npx hodei --help` there, and serves as a library: the
// observability guide's examples (test/e2e/guide-examples, importing from 'hodei') type-check
// against the installed package's declarations and run with node. One pack and one install for
// all of it (the demo is in demo.test.ts, so that it runs beside this file).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

describe('the packed package', () => {
  const root = packageRoot();
  const examples = join(root, 'test/e2e/guide-examples');
  let app = '';
  let packed: string[] = [];
  const run = (name: string): string =>
    execFileSync(process.execPath, [join(app, 'out', `${name}.mjs`)], { cwd: app, encoding: 'utf8', timeout: 120_000 });

  beforeAll(() => {
    // The build step of the test command produced dist/ (with declarations); --ignore-scripts keeps
    // npm from rebuilding it under tests running concurrently.
    expect(existsSync(join(root, 'dist/index.js')) && existsSync(join(root, 'dist/index.d.ts')), 'dist/index.{js,d.ts} built').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'hodei-pack-'));
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
    const pack = (JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
    const filename = pack?.filename ?? '';
    packed = pack?.files.map((f) => f.path) ?? [];
    app = join(dir, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'hodei-pack-check', version: '1.0.0', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, filename)], { cwd: app, stdio: 'pipe' });
    for (const f of readdirSync(examples).filter((n) => n.endsWith('.mts'))) cpSync(join(examples, f), join(app, 'src', f));
    // A user's strict project; @types/node from this repository (the app installs nothing else).
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true,
        skipLibCheck: true, outDir: 'out', rootDir: 'src', typeRoots: [join(root, 'node_modules/@types')], types: ['node'],
      },
      include: ['src/**/*.mts'],
    }));
  }, 300_000);

  it('contains the product and no tests', () => {
    for (const must of ['LICENSE', 'README.md', 'package.json', 'dist/cli/main.js', 'docs/cli.md', 'docs/configuration.md',
      'monitoring/grafana/hodei-overview.json', 'monitoring/prometheus/hodei-alerts.yaml', 'monitoring/prometheus/hodei-slo-rules.yaml']) {
      expect(packed, must).toContain(must);
    }
    expect(packed.some((f) => f.startsWith('dist/store/migrations/') && f.endsWith('.sql'))).toBe(true);
    const unwanted = packed.filter((f) => /\.test\.|(^|\/)(test|testing|support)\//.test(f) || f.startsWith('src/') || f.startsWith('bench/'));
    expect(unwanted).toEqual([]);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });

  it('`npx hodei --help` runs', () => {
    const help = execFileSync('npx', ['--no-install', 'hodei', '--help'], { cwd: app, encoding: 'utf8' });
    expect(help).toContain('Usage: hodei');
    for (const cmd of ['server', 'worker', 'run', 'jobs', 'workers']) expect(help).toContain(cmd);
  });

  it("every guide example type-checks against the package's declarations (tsc)", () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
    expect(readdirSync(join(app, 'out')).sort()).toEqual(['control-plane.mjs', 'events.mjs', 'health.mjs', 'metrics.mjs', 'slis.mjs', 'slos.mjs']);
  }, 120_000);

  it('metrics: the summary and the scraped series count what was recorded', () => {
    const out = run('metrics');
    expect(out).toContain('Workers: created 1, deleted 0, failed 0, active 10');
    expect(out).toContain('Worker creation success rate: 100.00%');
    expect(out).toContain('Pod creation: P50 1.50 s, P95 1.50 s');
    expect(out).toContain('API requests: 2, errors 1, error rate 50.00%');
    expect(out).toContain('hodei_kubernetes_workers_created_total{provider="kubernetes"} 1');
    expect(out).toContain('hodei_kubernetes_pod_creation_duration_seconds_bucket{le="2",provider="kubernetes"} 1');
  });

  it('health: liveness and readiness of a real (simulated) cluster, with every check named', () => {
    const lines = run('health').split('\n');
    expect(lines[0]).toBe('Liveness: Healthy');
    expect(lines[1]).toBe('Readiness: Healthy');
    expect(lines).toContain("  kubernetes-namespace: namespace 'hodei-jobs-workers' Active");
    expect(lines.some((l) => l.startsWith('  kubernetes-api-error-rate: '))).toBe(true);
  }, 120_000);

  it("SLOs: the guide's defaults and a customised set", () => {
    expect(run('slos').trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { maxPodCreationTime: 30, minWorkerCreationSuccessRate: 0.99, maxApiErrorRate: 0.01, maxHpaResponseTime: 60 },
      { maxPodCreationTime: 20, minWorkerCreationSuccessRate: 0.995, maxApiErrorRate: 0.005, maxHpaResponseTime: 30 },
    ]);
  });

  it("SLIs: the guide's values comply with the defaults; stricter targets name each violation", () => {
    expect(run('slis').trim().split('\n')).toEqual([
      'compliant: true',
      'strict compliant: false',
      '  - pod_creation_time: P95 15.00 s > target 10.00 s',
      '  - api_error_rate: 0.30% > target 0.10%',
    ]);
  });

  it("events: a recorded event has the guide's structure and reaches the store and live subscribers", () => {
    const out = run('events');
    const json = JSON.parse(out.slice(0, out.indexOf('\ntypes:'))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['timestamp', 'event_type', 'provider', 'worker_id', 'namespace', 'duration_ms', 'success', 'details']);
    expect(json).toMatchObject({ event_type: 'worker.created', provider: 'kubernetes', worker_id: 'worker-123', namespace: 'hodei-jobs-workers', duration_ms: 1500, success: true,
      details: { image: 'alpine:latest', cpu_request: '100m', memory_request: '128Mi' } });
    expect(out).toContain('types: worker.created worker.deleted worker.failed hpa.created');
    expect(out).toContain('stored: 1, live: 1');
  });

  it('control plane: started in-process, a job queued through HodeiClient runs on a local worker', () => {
    expect(run('control-plane').trim().split('\n')).toEqual(['provider: local', 'job: succeeded', 'logs: hello from hodei']);
  }, 120_000);
});
