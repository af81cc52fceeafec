// Builds the commander program: every command, in one place, so the CLI, the completion scripts
// and the docs/cli.md check all see the same tree.
import { Command } from 'commander';
import { VERSION } from '../version.js';

/** `hodei run ...`: its failures use 125 so they never look like the job's own exit code. */
export function isRunInvocation(argv: readonly string[]): boolean {
  return argv.find((a) => !a.startsWith('-')) === 'run';
}

export async function buildProgram(o: { onlyWorker?: boolean; run?: boolean } = {}): Promise<Command> {
  const program = new Command('hodei')
    .description('Hodei: run jobs on local processes or Kubernetes pods, with metrics, health and SLOs you can trust')
    .version(VERSION, '-V, --version', 'print the client version (hodei version also asks the server)')
    .configureOutput({
      // One line per usage error, saying what was wrong (and, under `hodei run`, that it was usage).
      outputError: (str, write) => write(`${str.trim().replace(/^error: /, o.run ? 'error: usage: ' : 'error: ')} (see --help)\n`),
    })
    .exitOverride();
  (await import('./worker.js')).registerWorkerCommand(program);
  if (o.onlyWorker) return program;
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
  (await import('./templates.js')).registerTemplatesCommand(program);
  (await import('./version.js')).registerVersionCommand(program);
  (await import('./login.js')).registerLoginCommands(program);
  (await import('./completion.js')).registerCompletionCommand(program);
  return program;
}
