// The kubelet's read-only log endpoint, which the API server proxies `pods/log` (kubectl logs) to:
// GET /containerLogs/{namespace}/{pod}/{container}?follow&previous&timestamps&tailLines&sinceSeconds&limitBytes
// over HTTPS with a certificate the API server trusts (--kubelet-certificate-authority).
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { StatusError } from '../store/index.js';
import type { PodLogRegistry, PodLogRequest } from '../types.js';

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

export async function startLogServer(logs: PodLogRegistry, tls: { cert: string; key: string }, host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer(tls, (req, res) => {
    const parsed = parseLogPath(new URL(req.url ?? '/', 'https://kubelet'));
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
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
