// hodei server: run the control plane until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { loadConfig, type HodeiConfig } from '../config.js';
import { parseInteger } from './common.js';

interface ServerFlags {
  host?: string; port?: number; dataDir?: string; databaseUrl?: string; config?: string;
  provider?: HodeiConfig['provider']; maxWorkers?: number; workerMode?: HodeiConfig['workerMode'];
  publicUrl?: string; logLevel?: HodeiConfig['logLevel'];
  kubeconfig?: string; k8sNamespace?: string; workerImage?: string;
}

export function registerServerCommand(program: Command): void {
  program.command('server').description('run the control plane (API, scheduler, worker gateway)')
    .option('--host <host>', 'address to listen on (env HODEI_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port (env HODEI_PORT, default 7070)', parseInteger('--port', 0, 65535))
    .option('--data-dir <dir>', 'embedded store and API token (env HODEI_DATA_DIR, default ./.hodei)')
    .option('--database-url <url>', 'PostgreSQL instead of the embedded store (env HODEI_DATABASE_URL)')
    .option('--config <file>', 'YAML/JSON config file (env HODEI_CONFIG)')
    .option('--provider <name>', 'worker provider: local | kubernetes (env HODEI_PROVIDER)')
    .option('--max-workers <n>', 'most workers at once (env HODEI_MAX_WORKERS, default 8)', parseInteger('--max-workers', 1))
    .option('--worker-mode <mode>', 'ephemeral | pooled (env HODEI_WORKER_MODE)')
    .option('--public-url <url>', 'URL workers connect back to (env HODEI_PUBLIC_URL)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env HODEI_LOG_LEVEL)')
    .option('--kubeconfig <file>', 'kubernetes provider: kubeconfig (env HODEI_K8S_KUBECONFIG, KUBECONFIG; default in-cluster)')
    .option('--k8s-namespace <ns>', 'kubernetes provider: worker namespace (env HODEI_K8S_NAMESPACE, default hodei-jobs-workers)')
    .option('--worker-image <image>', 'kubernetes provider: agent image (env HODEI_WORKER_IMAGE, default hodei-worker:<version>)')
    .action(async (flags: ServerFlags) => {
      const { config: file, kubeconfig, k8sNamespace, workerImage, ...rest } = flags;
      const kubernetes = { kubeconfig, namespace: k8sNamespace, workerImage };
      const config = loadConfig({ flags: { ...rest, kubernetes }, ...(file ? { file } : {}) });
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
