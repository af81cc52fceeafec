// hodei demo: the Quick start. Starts a control plane on the embedded store with the local
// provider, queues sample jobs (one fails, one times out, one succeeds on retry), streams their
// output, and prints where metrics and health are served.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { HodeiClient, type JobSubmission } from '../client/client.js';
import { loadConfig } from '../config.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { createLogger } from '../observability/logger.js';
import { parseInteger } from './common.js';
import { table } from './output.js';

const SAMPLES: Array<{ name: string; expect: string; job: JobSubmission }> = [
  { name: 'hello', expect: 'succeeded', job: { command: 'sh', args: ['-c', 'echo "hello from a Hodei worker (pid $$)"; uname -sm'], labels: { demo: 'hello' } } },
  { name: 'secret', expect: 'succeeded', job: { command: 'sh', args: ['-c', 'echo "API_KEY is set (${#API_KEY} chars), never shown by the API"'], secrets: { API_KEY: 's3cr3t-demo-value' } } },
  { name: 'fails', expect: 'failed', job: { command: 'sh', args: ['-c', 'echo "about to fail" >&2; exit 3'] } },
  { name: 'flaky', expect: 'succeeded', job: { command: 'sh', args: ['-c', 'if [ "$HODEI_JOB_ATTEMPT" -lt 2 ]; then echo "attempt $HODEI_JOB_ATTEMPT fails"; exit 1; fi; echo "attempt $HODEI_JOB_ATTEMPT succeeds"'], retries: 2 } },
  { name: 'too-slow', expect: 'timed_out', job: { command: 'sleep', args: ['30'], timeoutSeconds: 1 } },
];

export function registerDemoCommand(program: Command): void {
  program.command('demo').description('start a local control plane, run sample jobs, show their output, metrics and health')
    .option('--port <port>', 'port to serve on (0 = any free port)', parseInteger('--port', 0, 65535), 7070)
    .option('--data-dir <dir>', 'data dir, kept afterwards (default: a new temporary directory, removed at the end)')
    .option('--keep', 'keep the server running after the jobs end (Ctrl-C to stop) and keep its data directory')
    .action(async (flags: { port: number; dataDir?: string; keep?: boolean }) => {
      const dataDir = flags.dataDir ?? mkdtempSync(join(tmpdir(), 'hodei-demo-'));
      const config = loadConfig({ flags: { port: flags.port, dataDir, logLevel: 'warn' }, env: {} });
      const logger = createLogger({ level: 'warn' });
      const { startControlPlane } = await import('../control-plane/control-plane.js');
      let cp: ControlPlane;
      try {
        cp = await startControlPlane({ config, logger });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        cp = await startControlPlane({ config: { ...config, port: 0 }, logger });
      }
      process.stdout.write(`Hodei control plane on ${cp.url} (store: embedded PGlite in ${dataDir}, provider: local processes)\n\n`);
      const client = new HodeiClient(cp.url, cp.apiToken);
      const submitted = await Promise.all(SAMPLES.map(async (s) => ({ ...s, id: (await client.submit(s.job)).id })));
      await Promise.all(submitted.map(async (s) => {
        for await (const e of client.followLogs(s.id)) {
          for (const line of e.data.replace(/\n$/, '').split('\n')) process.stdout.write(`[${s.name}${e.stream === 'stderr' ? ' stderr' : ''}] ${line}\n`);
        }
      }));
      const finals = await Promise.all(submitted.map(async (s) => ({ s, job: await client.getJob(s.id) })));
      process.stdout.write('\n' + table(['JOB', 'STATE', 'EXIT', 'ATTEMPTS', 'REASON', 'EXPECTED'], finals.map(({ s, job }) => [
        s.name, job.state, job.exitCode === null ? '-' : String(job.exitCode), String(job.attempt), job.reason ?? '-', s.expect,
      ])));
      const metrics = (await client.raw('/metrics')).text.split('\n').filter((l) => l.startsWith('hodei_jobs_finished_total'));
      process.stdout.write(`\nMetrics:   ${cp.url}/metrics\n${metrics.map((l) => `  ${l}`).join('\n')}\n`);
      process.stdout.write(`Health:    ${cp.url}/livez  ${cp.url}/readyz?verbose  ${cp.url}/startupz\n`);
      process.stdout.write(`API:       ${cp.url}/openapi.json (token in ${join(dataDir, 'api-token')})\n`);
      process.stdout.write(`Console:   ${cp.url}/ (sign in with that token${flags.keep ? '' : '; add --keep to keep it open'})\n`);
      const ok = finals.every(({ s, job }) => job.state === s.expect);
      if (flags.keep) {
        process.stdout.write(`\nServing until Ctrl-C. Try: HODEI_URL=${cp.url} HODEI_DATA_DIR=${dataDir} hodei jobs list\n`);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      await cp.stop({ terminateWorkers: true });
      // A demo leaves nothing behind (its store is ~40 MB) unless asked to keep it.
      const removed = !flags.keep && !flags.dataDir;
      if (removed) rmSync(dataDir, { recursive: true, force: true });
      else process.stdout.write(`\nData directory kept: ${dataDir}\n`);
      process.stdout.write(ok ? '\nDemo finished: every job ended as expected.\n' : '\nDemo finished, but some jobs did not end as expected (see above).\n');
      process.exitCode = ok ? 0 : 1;
    });
}
