// What the server says about requests: one access line per API request with its request id (and
// job id), probes and scrapes at debug only; fields the provider cannot honour answered with a
// kube-apiserver style Warning header and a `warnings` array.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

interface Line { level: number; msg: string; reqId?: string; path?: string; jobId?: string; statusCode?: number }
const lines = (): Line[] => s.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
const auth = (): Record<string, string> => ({ authorization: `Bearer ${s.token}`, 'content-type': 'application/json' });

it('one access line per request, with request and job ids; probes and scrapes at debug', async () => {
  const before = lines().length;
  for (const path of ['/livez', '/readyz', '/startupz', '/metrics']) await (await fetch(s.url + path)).text();
  const res = await fetch(`${s.url}/v1/jobs`, { method: 'POST', headers: { ...auth(), 'x-request-id': 'req-transcript-1' }, body: JSON.stringify({ command: 'true' }) });
  const job = (await res.json()) as { id: string };
  await (await fetch(`${s.url}/v1/jobs/${job.id}`, { headers: auth() })).text();
  const fresh = lines().slice(before).filter((l) => l.msg === 'request completed');
  const probes = fresh.filter((l) => /^\/(livez|readyz|startupz|metrics)$/.test(l.path ?? ''));
  expect(probes).toHaveLength(4);
  expect(probes.every((l) => l.level === 20)).toBe(true);
  const post = fresh.find((l) => l.reqId === 'req-transcript-1');
  expect(post).toMatchObject({ level: 30, path: '/v1/jobs', statusCode: 201, jobId: job.id });
  expect(fresh.find((l) => l.path === `/v1/jobs/${job.id}`)).toMatchObject({ level: 30, jobId: job.id });
  // Fastify's own "incoming request" line is gone: one line per request.
  expect(lines().slice(before).filter((l) => l.msg === 'incoming request')).toEqual([]);
  expect(fresh.filter((l) => l.reqId === 'req-transcript-1')).toHaveLength(1);
});

it('a field the provider cannot honour is accepted with a Warning header and a warnings array', async () => {
  const res = await fetch(`${s.url}/v1/jobs`, { method: 'POST', headers: auth(), body: JSON.stringify({ command: 'true', image: 'busybox', resources: { gpu: 1 } }) });
  expect(res.status).toBe(201);
  expect(res.headers.get('warning')).toBe('299 - "image is ignored: the local provider cannot honour it", 299 - "resources.gpu is ignored: the local provider cannot honour it"');
  expect(((await res.json()) as { warnings: string[] }).warnings).toEqual([
    'image is ignored: the local provider cannot honour it', 'resources.gpu is ignored: the local provider cannot honour it',
  ]);
  const plain = await fetch(`${s.url}/v1/jobs`, { method: 'POST', headers: auth(), body: JSON.stringify({ command: 'true' }) });
  expect(plain.headers.get('warning')).toBeNull();
  expect(((await plain.json()) as { warnings: string[] }).warnings).toEqual([]);
});

it('--log-format pretty writes lines for people, json one object per line', async () => {
  const { Writable } = await import('node:stream');
  const { createLogger } = await import('../../src/observability/logger.js');
  const capture = (): { out: () => string; stream: InstanceType<typeof Writable> } => {
    let text = '';
    return { out: () => text, stream: new Writable({ write(c: Buffer, _e, cb) { text += c.toString(); cb(); } }) };
  };
  const p = capture();
  createLogger({ format: 'pretty', destination: p.stream }).info({ jobId: 'j-1' }, 'job queued');
  expect(p.out()).toMatch(/INFO.*job queued/);
  expect(p.out()).toContain('jobId: "j-1"');
  const j = capture();
  createLogger({ format: 'json', destination: j.stream }).info({ jobId: 'j-1' }, 'job queued');
  expect(JSON.parse(j.out())).toMatchObject({ msg: 'job queued', jobId: 'j-1', level: 30 });
});
