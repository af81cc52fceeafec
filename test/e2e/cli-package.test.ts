// What `npm pack` ships: the built code, docs, LICENSE and the monitoring assets; never tests,
// test helpers or their source maps. (`npm pack --dry-run` lists without building a tarball.)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

it('npm pack contains the product and no tests', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const must of ['LICENSE', 'README.md', 'package.json', 'dist/cli/main.js', 'docs/cli.md', 'docs/configuration.md',
    'monitoring/grafana/hodei-overview.json', 'monitoring/prometheus/hodei-alerts.yaml', 'monitoring/prometheus/hodei-slo-rules.yaml']) {
    expect(files, must).toContain(must);
  }
  expect(files.some((f) => f.startsWith('dist/store/migrations/') && f.endsWith('.sql'))).toBe(true);
  const unwanted = files.filter((f) => /\.test\.|(^|\/)(test|testing|support)\//.test(f) || f.startsWith('src/') || f.startsWith('bench/'));
  expect(unwanted).toEqual([]);
  expect(readFileSync(join(packageRoot(), 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
});
