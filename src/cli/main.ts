#!/usr/bin/env node
// The `hodei` command line. Commands are registered from their own modules; `hodei worker` (started
// once per job by providers) loads only what the agent needs, so a worker starts fast.
import { CommanderError } from 'commander';
import { buildProgram, isRunInvocation } from './program.js';

const argv = process.argv.slice(2);
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
