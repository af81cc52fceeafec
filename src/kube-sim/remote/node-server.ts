// The simulated nodes' HTTPS endpoint, with a certificate the API server trusts:
//  - the kubelet's read-only log endpoint, which the API server proxies `pods/log` (kubectl logs) to:
//    GET /containerLogs/{namespace}/{pod}/{container}?follow&previous&timestamps&tailLines&sinceSeconds&limitBytes
//  - the aggregated metrics APIs (metrics-api.ts), which the API server proxies /apis/metrics.k8s.io
//    and /apis/external.metrics.k8s.io to (the HPA, `kubectl top`);
//  - kube-sim's admin routes of the nodes (/__sim/pod-metrics, /__sim/external-metrics,
//    /__sim/connections), with the admin bearer token, as kube-sim's API server serves them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { sendJson, sendStatus, toStatusError } from '../apiserver/http.js';
import { handleControllerAdmin } from '../controllers/admin-routes.js';
import { StatusError, type ObjectStore } from '../store/index.js';
import type { PodLogRegistry, PodLogRequest } from '../types.js';
import type { MetricsApi } from './metrics-api.js';

const num = (v: string | null): number | undefined => (v === null || v === '' ? undefined : Number(v));
const flag = (v: string | null): boolean => v === 'true' || v === '1';

export function parseLogPath(url: URL): PodLogRequest | undefined {
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (!m) return undefined;
  const q = url.searchParams;
  const [ns, pod, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
  const tailLines = num(q.get('tailLines'));
  const sinceSeconds = num(q.get('sinceSeconds'));
  const limitBytes = num(q.get('limitBytes'));
  return {
    namespace: ns ?? '', pod: pod ?? '', container, follow: flag(q.get('follow')), previous: flag(q.get('previous')), timestamps: flag(q.get('timestamps')),
    ...(tailLines !== undefined ? { tailLines } : {}), ...(sinceSeconds !== undefined ? { sinceSeconds } : {}), ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

export interface NodeServerOptions {
  logs: PodLogRegistry;
  tls: { cert: string; key: string };
  metrics: MetricsApi;
  /** The local store whose controller admin routes (/__sim/...) are served. */
  admin: { store: ObjectStore; token: string };
  host?: string;
}

export async function startNodeServer(o: NodeServerOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer(o.tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const answer = o.metrics.handle(req.method ?? 'GET', url);
    if (answer) { sendJson(res, answer.code, answer.body); return; }
    if (url.pathname.startsWith('/__sim/')) { void admin(o.admin, req, res, url.pathname); return; }
    serveLog(o.logs, req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, o.host ?? '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function admin(a: NodeServerOptions['admin'], req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    if (req.headers.authorization !== `Bearer ${a.token}`) throw new StatusError(403, 'Forbidden', 'the admin token is required');
    if (!(await handleControllerAdmin(a.store, req, res, path))) throw new StatusError(404, 'NotFound', `no admin route ${req.method ?? ''} ${path} on the nodes`);
  } catch (e) {
    sendStatus(res, toStatusError(e));
  }
}

function serveLog(logs: PodLogRegistry, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const parsed = parseLogPath(url);
  if (req.method !== 'GET' || !parsed) { res.writeHead(404).end('404 page not found\n'); return; }
  let out;
  try { out = logs.open(parsed); } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    res.writeHead(e.code, { 'content-type': 'text/plain' }).end(e.message);
    return;
  }
  if (out === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }).end(`pod ${parsed.namespace}/${parsed.pod} not found on this node`); return; }
  res.writeHead(200, { 'content-type': 'text/plain' });
  if (typeof out === 'string') { res.end(out); return; }
  const stream = out instanceof Readable ? out : Readable.from(out);
  req.on('close', () => stream.destroy());
  stream.pipe(res);
}
