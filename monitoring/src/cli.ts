// `npm run monitoring:generate` writes the generated assets; `npm run monitoring:check` exits 1
// (listing the files) when the checked-in copies differ from what the code generates.
// `npm run monitoring:generate -- --config hodei.yaml --out dir` generates for a deployment whose
// config file overrides SLO targets (`slo:` section), into `dir` (the repo keeps the defaults).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from './generate.js';
import { slosFromConfigFile } from './slo-source.js';

/** Paths whose checked-in content differs from `files` (missing files count). */
export function drift(root: string, files: Record<string, string>): string[] {
  return Object.entries(files)
    .filter(([path, content]) => !existsSync(join(root, path)) || readFileSync(join(root, path), 'utf8') !== content)
    .map(([path]) => path);
}

const flag = (argv: string[], name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

export function main(argv: string[], root: string): number {
  const config = flag(argv, '--config');
  const out = flag(argv, '--out');
  if (config && !out) {
    console.error('monitoring: --config needs --out <dir> (the checked-in files stay on the default SLOs)');
    return 2;
  }
  const files = generateAll(config ? { slos: slosFromConfigFile(config) } : {});
  const target = out ? resolve(root, out) : root;
  if (argv.includes('--check')) {
    const stale = drift(target, files);
    if (stale.length === 0) {
      console.log(`monitoring: ${Object.keys(files).length} generated files up to date`);
      return 0;
    }
    console.error(`monitoring: generated files differ from the code:\n${stale.map((p) => `  ${p}`).join('\n')}\nRun: npm run monitoring:generate`);
    return 1;
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), content);
    console.log(`wrote ${join(out ?? '', path)}`);
  }
  return 0;
}

/** The repo root, found from this file whether run from source or from the compiled copy. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'monitoring'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`no repo root above ${from}`);
    dir = up;
  }
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2), process.env.HODEI_REPO_ROOT ?? process.cwd());
}
