#!/usr/bin/env node
// The `hodei` command line.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { reportError } from './common.js';
import { registerDemoCommand } from './demo.js';
import { registerJobsCommands } from './jobs.js';
import { registerRunCommand } from './run.js';
import { registerServerCommand } from './server.js';
import { registerWorkerCommand } from './worker.js';

const program = new Command('hodei')
  .description('Hodei: run jobs on local processes or Kubernetes pods, with metrics, health and SLOs you can trust')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerServerCommand(program);
registerWorkerCommand(program);
registerRunCommand(program);
registerJobsCommands(program);
registerDemoCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode;
  else process.exitCode = reportError(err);
}
