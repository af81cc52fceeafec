// Compiles src/ to dist/, copies non-TS assets (SQL migrations) the runtime reads from disk, and
// builds the web console (src/console, type-checked, bundled by Vite into dist/console, which the
// control plane serves at /). The console is plain static files: no CDN, works offline.
import { execFileSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = (project) => execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { stdio: 'inherit' });
// `--console` rebuilds only the console (while working on it).
if (!process.argv.includes('--console')) {
  // dist is overwritten in place (not wiped) so concurrently running tests keep a working CLI.
  tsc('tsconfig.build.json');
  if (existsSync('src/store/migrations')) cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
  chmodSync('dist/cli/main.js', 0o755);
  // The package's main/types (src/index.ts): fail the build, not the user's import, if either is missing.
  for (const f of ['dist/index.js', 'dist/index.d.ts']) if (!existsSync(f)) throw new Error(`build did not emit ${f}`);

  // Served by GET /version and shown by `hodei version`: which commit this build is, and when.
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { /* not a git checkout (e.g. an unpacked tarball) */ }
  writeFileSync('dist/build-info.json', JSON.stringify({ commit, builtAt: new Date().toISOString() }) + '\n');

  // The worker agent as one file: a process started per job (or per warm-pool slot) loads one
  // module instead of a few hundred, and none of the CLI (src/cli/worker-main.ts).
  const { build: bundle } = await import('rolldown');
  await bundle({
    input: 'dist/cli/worker-main.js',
    platform: 'node',
    logLevel: 'warn',
    // ws's optional native helpers: absent here, and ws works without them.
    external: ['bufferutil', 'utf-8-validate'],
    output: { file: 'dist/agent.js', format: 'esm', minify: true, sourcemap: false },
  });
}

tsc('src/console/tsconfig.json');
const { build } = await import('vite');
await build({
  configFile: false,
  root: resolve('src/console'),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve('dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts: the page runs under a CSP of script-src 'self'.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // On a busy machine Rolldown would print which plugin was slow: noise, not a problem.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
