// The API client against a scripted HTTP server: one hook call per request sent (retries
// included), Retry-After, idempotent named creates (500 that had been applied → 409 → success),
// the circuit breaker, and connection reuse with a token user.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient, type ApiRequestEvent } from './client.js';
import { PodOps } from '../pods/pod-ops.js';
import { CircuitOpenError } from './resilience.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let url: string;
let script: Handler[];
let fallback: Handler;
let connections: number;
let received: Array<{ method: string; path: string; auth: string | undefined }>;

const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const status = (code: number, reason: string, message = reason) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

beforeEach(async () => {
  // The shortest backoff of each retry (half of its ceiling): retries without long sleeps.
  vi.spyOn(Math, 'random').mockReturnValue(0);
  script = [];
  received = [];
  connections = 0;
  fallback = (_req, _b, res) => json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization });
      (script.shift() ?? fallback)(req, body, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  vi.restoreAllMocks();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function makeClient(opts: Partial<ConstructorParameters<typeof KubeClient>[0]> = {}): { client: KubeClient; hook: ApiRequestEvent[] } {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token-123' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const hook: ApiRequestEvent[] = [];
  const client = new KubeClient({ kubeConfig: kc, qps: 1000, burst: 1000, hook: (e) => hook.push(e), ...opts });
  return { client, hook };
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels: { 'hodei.io/worker-id': name, 'hodei.io/provider-id': 'p' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });

describe('KubeClient', () => {
  it('calls the hook once per request sent, retries included, and retries a GET through 503s', async () => {
    script.push((_q, _b, res) => json(res, 503, status(503, 'ServiceUnavailable')));
    script.push((_q, _b, res) => json(res, 500, status(500, 'InternalError')));
    const { client, hook } = makeClient();
    const core = client.api(CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: 'ns' });
    expect(list.items).toEqual([]);
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.auth === 'Bearer secret-token-123')).toBe(true);
    expect(hook.map((h) => [h.verb, h.resource, h.endpoint, h.code, h.retry, h.error ?? false])).toEqual([
      ['list', 'pods', '/api/v1/namespaces/{namespace}/pods', 503, 0, true],
      ['list', 'pods', '/api/v1/namespaces/{namespace}/pods', 500, 1, true],
      ['list', 'pods', '/api/v1/namespaces/{namespace}/pods', 200, 2, false],
    ]);
    client.close();
  });

  it('waits as long as Retry-After says on a 429', async () => {
    script.push((_q, _b, res) => json(res, 429, status(429, 'TooManyRequests'), { 'Retry-After': '1' }));
    const { client, hook } = makeClient();
    const t0 = Date.now();
    await client.api(CoreV1Api).listNamespacedPod({ namespace: 'ns' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(hook.map((h) => h.code)).toEqual([429, 200]);
    client.close();
  });

  it('a named create that the server applied but answered 500 is retried; the 409 then means done', async () => {
    const stored = new Map<string, unknown>();
    const create: Handler = (_q, body, res) => {
      const obj = JSON.parse(body) as { metadata: { name: string } };
      if (stored.has(obj.metadata.name)) return json(res, 409, status(409, 'AlreadyExists', `pods "${obj.metadata.name}" already exists`));
      stored.set(obj.metadata.name, { ...obj, metadata: { ...obj.metadata, uid: 'u-1' } });
      json(res, 500, status(500, 'InternalError', 'etcd timeout')); // applied, yet an error
    };
    script.push(create, create, (_q, _b, res) => json(res, 200, stored.get('w1')));
    const { client, hook } = makeClient();
    const ops = new PodOps(client.api(CoreV1Api));
    const created = await ops.createPod(pod('w1'));
    expect(created.metadata?.uid).toBe('u-1');
    expect(stored.size).toBe(1);
    expect(hook.map((h) => `${h.verb} ${h.code}`)).toEqual(['create 500', 'create 409', 'get 200']);
    client.close();
  });

  it('does not retry a 500 on a create without a name (a retry could create a second object)', async () => {
    script.push((_q, _b, res) => json(res, 500, status(500, 'InternalError')));
    const { client, hook } = makeClient();
    const body = { metadata: { generateName: 'x-', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    await expect(client.api(CoreV1Api).createNamespacedPod({ namespace: 'ns', body })).rejects.toMatchObject({ code: 500 });
    expect(hook).toHaveLength(1);
    client.close();
  });

  it('opens the circuit during an outage: later calls fail fast without being sent', async () => {
    fallback = (_q, _b, res) => json(res, 503, status(503, 'ServiceUnavailable'));
    const { client, hook } = makeClient({ maxAttempts: 2, breakerThreshold: 4, breakerCooldownMs: 60_000 });
    const core = client.api(CoreV1Api);
    await expect(core.listNamespacedPod({ namespace: 'ns' })).rejects.toMatchObject({ code: 503 });
    await expect(core.listNamespacedPod({ namespace: 'ns' })).rejects.toMatchObject({ code: 503 });
    expect(client.breaker.state).toBe('open');
    const sent = received.length;
    await expect(core.listNamespacedPod({ namespace: 'ns' })).rejects.toBeInstanceOf(CircuitOpenError);
    expect(received.length).toBe(sent);
    expect(hook).toHaveLength(sent);
    client.close();
  });

  it('reuses one keep-alive connection for sequential requests with a token user', async () => {
    const { client } = makeClient();
    const core = client.api(CoreV1Api);
    for (let i = 0; i < 20; i++) await core.listNamespacedPod({ namespace: 'ns' });
    expect(received).toHaveLength(20);
    expect(connections).toBe(1);
    client.close();
  });

  it('(why: client-node 1.4 on its own opens a connection per request with a token user)', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }], users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
    });
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) await core.listNamespacedPod({ namespace: 'ns' });
    expect(connections).toBe(5);
  });

  it('times out a request (and a watch) the server never answers, and reports it with code 0', async () => {
    const hang: Handler = () => undefined;
    script.push(hang, hang);
    const { client, hook } = makeClient({ requestTimeoutMs: 200, maxAttempts: 1 });
    await expect(client.api(CoreV1Api).listNamespacedPod({ namespace: 'ns' })).rejects.toThrow(/timed out after 200 ms/);
    await expect(client.watch('/api/v1/namespaces/ns/pods', {}, new AbortController().signal)).rejects.toThrow(/timed out/);
    expect(hook.map((h) => [h.verb, h.code, h.error])).toEqual([['list', 0, true], ['watch', 0, true]]);
    client.close();
  });

  it('never puts the bearer token in hook events or errors', async () => {
    script.push((_q, _b, res) => json(res, 403, status(403, 'Forbidden', 'pods is forbidden')));
    const { client, hook } = makeClient();
    const err = await client.api(CoreV1Api).listNamespacedPod({ namespace: 'ns' }).catch((e: unknown) => e);
    expect(JSON.stringify(hook)).not.toContain('secret-token-123');
    expect(String(err)).not.toContain('secret-token-123');
    client.close();
  });
});
