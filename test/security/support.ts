// Shared helpers of the security suite: requests over raw TCP sockets (so no client normalises the
// request target), a provider that accepts work but never runs anything (fuzzed jobs must not
// spawn processes), seeded secret markers, and a control plane started with its logs captured.
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { HealthCheckResult, ProviderEvents, ProviderWorker, WorkerProvider } from '../../src/providers/provider.js';
import type { HodeiConfig } from '../../src/config.js';
import { freshPostgresUrl, type TestEngine } from '../support/store/fresh.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';
import { startTcpProxy, type TcpProxy } from './support-proxy.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The request target exactly as sent: `/%761/jobs`, `http://host/v1/workers`, `host:80`... */
  target: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One HTTP/1.1 request on its own connection (`Connection: close`), bytes exactly as given. */
export function rawRequest(port: number, r: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, connection: 'close', ...r.headers };
  if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
  const head = `${r.method ?? 'GET'} ${r.target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve, reject) => {
    // No half-close: Node's server may drop a request whose client has ended its side. The server
    // closes the connection after answering (Connection: close).
    const socket = connect(port, '127.0.0.1', () => socket.write(head + (r.body ?? '')));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      // A server that closes without answering (e.g. CONNECT nobody handles) is status 0.
      if (!raw) return resolve({ status: 0, headers: {}, body: '' });
      resolve(parseResponse(raw));
    });
  });
}

function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = raw.slice(0, split < 0 ? raw.length : split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = split < 0 ? '' : raw.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body };
}

function dechunk(s: string): string {
  let out = '';
  let rest = s;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Accepts every provision and starts nothing: submitted jobs stay queued/provisioning. */
export function inertProvider(): WorkerProvider {
  const workers = new Map<string, ProviderWorker>();
  const health = async (): Promise<HealthCheckResult> => ({ status: 'Healthy', details: {}, checks: [], durationMs: 0, checkedAt: new Date().toISOString() });
  return {
    kind: 'local', id: 'inert', events: new EventEmitter<ProviderEvents>(),
    start: async () => undefined,
    provision: async (req) => {
      workers.set(req.workerId, { workerId: req.workerId, handle: `inert-${req.workerId}`, phase: 'starting', jobId: req.jobId });
      return { handle: `inert-${req.workerId}` };
    },
    terminate: async (id) => { workers.delete(id); },
    list: async () => [...workers.values()],
    health,
    stop: async () => { workers.clear(); },
  };
}

/** A control plane whose provider runs nothing, with its logs captured (see TestServer.logs). */
export function startInertServer(opts: { engine?: TestEngine; config?: Partial<HodeiConfig>; databaseUrl?: string } = {}): Promise<TestServer> {
  return startTestServer({
    provider: inertProvider(), ...(opts.engine ? { engine: opts.engine } : {}),
    config: { maxWorkers: 1, ...opts.config },
    ...(opts.databaseUrl ? { database: { engine: 'postgres', location: opts.databaseUrl, open: () => { throw new Error('not used'); } } } : {}),
  });
}

/** A unique string to seed into job fields; finding it anywhere it must not be is a leak. */
export const marker = (what: string): string => `MARK${what.toUpperCase().replace(/[^A-Z0-9]/g, '')}${Math.random().toString(36).slice(2, 10)}X`;

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export interface InertFileServer<D> {
  s: TestServer;
  /** The server's /openapi.json. */
  doc: D;
  /** With behindProxy: the TCP proxy between the server and its PostgreSQL, to cut and restore. */
  proxy: TcpProxy;
}

/**
 * The one setup of the HTTP security files: an inert control plane started before the file's (or
 * the describe block's) tests and stopped after them, handed to `use` once started. behindProxy:
 * on a fresh PostgreSQL database reached through a TCP proxy the test can cut (a store outage).
 */
export function inertServerForTests<D = unknown>(
  opts: { engine?: TestEngine; behindProxy?: boolean },
  use: (f: InertFileServer<D>) => void,
): void {
  let s: TestServer | undefined;
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (opts.behindProxy) {
      const url = new URL(await freshPostgresUrl());
      proxy = await startTcpProxy(Number(url.port));
      url.port = String(proxy.port);
      databaseUrl = url.toString();
    }
    s = await startInertServer({ ...(opts.engine ? { engine: opts.engine } : {}), ...(databaseUrl ? { databaseUrl } : {}) });
    const doc = JSON.parse((await rawRequest(s.cp.port, { target: '/openapi.json' })).body) as D;
    use({ s, doc, proxy: proxy as TcpProxy });
  });
  afterAll(async () => {
    // A keep-alive connection of a client (the fuzzer's fetch) that the server's close does not
    // see as idle would hold the stop for keepAliveTimeout (72 s); the tests are over, drop them.
    s?.cp.app.server.closeAllConnections();
    await s?.stop();
    await proxy?.close();
  });
}
