#!/usr/bin/env node
// The `hodei` command line. Commands are registered from their own modules; `hodei worker` (started
// once per job by providers) loads only what the agent needs, so a worker starts fast.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';

const program = new Command('hodei')
  .description('Hodei: run jobs on local processes or Kubernetes pods, with metrics, health and SLOs you can trust')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const onlyWorker = process.argv[2] === 'worker';
(await import('./worker.js')).registerWorkerCommand(program);
if (!onlyWorker) {
  (await import('./server.js')).registerServerCommand(program);
  (await import('./run.js')).registerRunCommand(program);
  (await import('./jobs.js')).registerJobsCommands(program);
  (await import('./demo.js')).registerDemoCommand(program);
  (await import('./kube-sim.js')).registerKubeSimCommand(program);
  (await import('./diagnose.js')).registerDiagnoseCommands(program);
  (await import('./events.js')).registerEventsCommand(program);
  (await import('./slo.js')).registerSloCommand(program);
  (await import('./health.js')).registerHealthCommand(program);
  (await import('./pools.js')).registerPoolsCommand(program);
  (await import('./queues.js')).registerQueuesCommand(program);
  (await import('./schedules.js')).registerSchedulesCommand(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode;
  else process.exitCode = (await import('./common.js')).reportError(err);
}
