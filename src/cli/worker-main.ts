// The worker agent's own entry point, without the rest of the CLI: `hodei worker` lands here, and
// the build bundles this file and what it imports into one file, dist/agent.js, which the local
// provider starts directly (`node dist/agent.js --server URL`). One file instead of a tree of
// modules and no command framework: an agent starts in a fraction of the CLI's time.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runWorkerProcess, USAGE_EXIT } from './worker.js';

/**
 * Runs the agent with `args` (what follows `hodei worker`) and exits with its code. Returns false,
 * running nothing, when the arguments are not just --server/--connect-timeout: help and usage
 * errors are the full CLI's to print.
 */
export async function workerMain(args: string[]): Promise<boolean> {
  let values: { server?: string; 'connect-timeout'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { server: { type: 'string' }, 'connect-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch {
    return false;
  }
  if (values.help) return false;
  return runWorkerProcess({
    ...(values.server !== undefined ? { server: values.server } : {}),
    ...(values['connect-timeout'] !== undefined ? { connectTimeout: values['connect-timeout'] } : {}),
  });
}

/** True when this module is the process's entry (`node dist/agent.js ...`), not imported by the CLI. */
function isEntry(): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry() && !(await workerMain(process.argv.slice(2)))) {
  process.stderr.write('usage: node agent.js --server <url> [--connect-timeout <seconds>] (HODEI_WORKER_TOKEN or HODEI_WORKER_TOKEN_FILE in the environment)\n');
  process.exit(USAGE_EXIT);
}
