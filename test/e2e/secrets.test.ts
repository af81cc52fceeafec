// A secret value never appears in the API's answers, the control plane's logs or error messages.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestServer, waitForJob, type TestServer } from './harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
});

const SECRET = 'hunter2-Sup3rS3cret-value';

it('reaches the job as an env var but is never returned, logged or echoed', async () => {
  // The job proves it saw the value by printing its hash, so the value itself is never in its output.
  const job = await s.client.submit({ command: 'sh', args: ['-c', 'printf %s "$DB_PASSWORD" | sha256sum | cut -c1-16'], secrets: { DB_PASSWORD: SECRET } });
  const done = await waitForJob(s.client, job.id);
  expect(done.state).toBe('succeeded');
  expect(await s.client.logsText(job.id)).toBe(createHash('sha256').update(SECRET).digest('hex').slice(0, 16) + '\n');

  const raw = await fetch(`${s.url}/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${s.token}` } });
  const text = await raw.text();
  expect(text).not.toContain(SECRET);
  expect(JSON.parse(text).spec.secretNames).toEqual(['DB_PASSWORD']);
  const list = await runCli(['jobs', 'list', '--json'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
  expect(list.stdout).not.toContain(SECRET);

  // An invalid submission carrying a secret: the error names the field but never the value.
  const bad = await fetch(`${s.url}/v1/jobs`, {
    method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'true', secrets: { 'bad name': SECRET } }),
  });
  expect(bad.status).toBe(400);
  expect(await bad.text()).not.toContain(SECRET);

  expect(s.logs().length).toBeGreaterThan(1000);
  expect(s.logs()).not.toContain(SECRET);
});
