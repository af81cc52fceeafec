// Compiles src/ to dist/ and copies non-TS assets (SQL migrations) the runtime reads from disk.
import { execFileSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// dist is overwritten in place (not wiped) so concurrently running tests keep a working CLI.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('src/store/migrations')) cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
chmodSync('dist/cli/main.js', 0o755);
// The package's main/types (src/index.ts): fail the build, not the user's import, if either is missing.
for (const f of ['dist/index.js', 'dist/index.d.ts']) if (!existsSync(f)) throw new Error(`build did not emit ${f}`);
