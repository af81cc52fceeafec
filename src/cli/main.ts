#!/usr/bin/env node
// The `hodei` command line. Commands are registered from their own modules; `hodei worker` (started
// once per job by providers) loads only what the agent needs, so a worker starts fast.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
if (argv[0] === 'worker') {
  // The agent alone (dist/agent.js, bundled by the build; the module tree when it is missing).
  const bundle = new URL('../agent.js', import.meta.url);
  const agent = (await import(existsSync(fileURLToPath(bundle)) ? bundle.href : './worker-main.js')) as typeof import('./worker-main.js');
  await agent.workerMain(argv.slice(1)); // returns only for --help and usage errors, which the CLI below reports
}
// Loaded after the worker's fast path above, which needs neither.
const { CommanderError } = await import('commander');
const { buildProgram, isRunInvocation } = await import('./program.js');
const run = isRunInvocation(argv);
const program = await buildProgram({ onlyWorker: argv[0] === 'worker', run });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const { reportError } = await import('./common.js');
  if (!(err instanceof CommanderError)) process.exitCode = reportError(err, run);
  // help and --version exit 0; commander already printed the one-line usage error.
  else process.exitCode = err.exitCode === 0 ? 0 : run ? 125 : 2;
}
