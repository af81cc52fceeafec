// Where this package lives on disk, so a provider (or the Kubernetes simulator's kubelet) can
// start the `hodei` CLI of the same installation as a child process.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding hodei's package.json (works from src/ under tests and from dist/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('hodei package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  root = dir;
  return dir;
}

/**
 * argv that runs the hodei CLI: `[node, <root>/dist/cli/main.js]`. The compiled CLI is used even
 * under tests (the test command builds first) because a worker starts in ~100 ms that way.
 * HODEI_CLI overrides it (space-separated argv) for unusual installs.
 */
export function hodeiCliCommand(): string[] {
  const override = process.env.HODEI_CLI?.trim();
  if (override) return override.split(/\s+/);
  const entry = join(packageRoot(), 'dist', 'cli', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return [process.execPath, entry];
}

/**
 * argv that starts a worker agent (followed by `--server URL`): `[node, <root>/dist/agent.js]`,
 * the agent bundled into one file by the build, which starts in about a third of the CLI's CPU
 * time; `hodei worker` through the CLI when HODEI_CLI is set or the bundle is missing.
 */
export function hodeiAgentCommand(): string[] {
  const bundle = join(packageRoot(), 'dist', 'agent.js');
  if (!process.env.HODEI_CLI?.trim() && existsSync(bundle)) return [process.execPath, bundle];
  return [...hodeiCliCommand(), 'worker'];
}
