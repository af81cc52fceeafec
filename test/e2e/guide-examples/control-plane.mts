// A control plane in-process (local provider) and the HTTP client that queues a job on it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HodeiClient, loadConfig, startControlPlane, type WorkerProvider } from 'hodei';

const config = loadConfig({ flags: { port: 0, dataDir: mkdtempSync(join(tmpdir(), 'hodei-example-')), logLevel: 'silent' }, env: {} });
const cp = await startControlPlane({ config });
const provider: WorkerProvider = cp.provider;
const client = new HodeiClient(cp.url, cp.apiToken);

let job = await client.submit({ command: 'echo', args: ['hello from hodei'] });
while (!['succeeded', 'failed', 'cancelled', 'timed_out'].includes(job.state)) {
  await new Promise((r) => setTimeout(r, 100));
  job = await client.getJob(job.id);
}
console.log(`provider: ${provider.kind}`);
console.log(`job: ${job.state}`);
console.log(`logs: ${(await client.logsText(job.id)).trim()}`);
await cp.stop({ terminateWorkers: true });
