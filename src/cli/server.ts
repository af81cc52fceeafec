// hodei server: run the control plane until SIGINT/SIGTERM. Its flags come from the settings table.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { addSettingFlags, settingsFromFlags } from './setting-flags.js';

export function registerServerCommand(program: Command): void {
  addSettingFlags(program.command('server').description('run the control plane (API, scheduler, worker gateway); settings: docs/configuration.md'))
    .action(async (opts: Record<string, unknown>) => {
      const config = loadConfig(settingsFromFlags(opts));
      // Loaded here, not at the top: `hodei worker` and the client commands start without it.
      const { startControlPlane } = await import('../control-plane/control-plane.js');
      const cp = await startControlPlane({
        config,
        onTokenGenerated: (token, path) => process.stderr.write(`Generated API token (shown once; kept in ${path}):\n  ${token}\n`),
      });
      process.stderr.write(`hodei server listening on ${cp.url} (metrics ${cp.url}/metrics, health ${cp.url}/readyz)\n`);
      process.stderr.write(`Web console: ${cp.url}/ (sign in with the API token)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await cp.stop();
    });
}
