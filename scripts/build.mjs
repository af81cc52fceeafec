// Compiles src/ to dist/ and copies non-TS assets (SQL migrations) the runtime reads from disk.
import { execFileSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// dist is overwritten in place (not wiped) so concurrently running tests keep a working CLI.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('src/store/migrations')) cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
chmodSync('dist/cli/main.js', 0o755);

// Served by GET /version and shown by `hodei version`: which commit this build is, and when.
let commit = null;
try {
  commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch { /* not a git checkout (e.g. an unpacked tarball) */ }
writeFileSync('dist/build-info.json', JSON.stringify({ commit, builtAt: new Date().toISOString() }) + '\n');
