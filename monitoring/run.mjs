// Runs the monitoring generator: compiles monitoring/src with the project's tsc into
// node_modules/.cache/hodei-monitoring (Node 20 cannot run .ts), then runs its CLI.
// Usage: node monitoring/run.mjs [--check]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'monitoring/tsconfig.json')], { stdio: 'inherit' });
// Inside node_modules Node does not apply our package.json's "type": "module".
const out = join(root, 'node_modules/.cache/hodei-monitoring');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
const { main } = await import(pathToFileURL(join(out, 'monitoring/src/cli.js')).href);
process.exitCode = main(process.argv.slice(2), root);
