// GET pods/<name>/log: text from the log source the kubelet registered (PodLogRegistry);
// follow=true keeps the response open while the source streams.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../store/index.js';
import type { PodLogRequest } from '../types.js';
import type { ApiContext } from './context.js';
import type { ResourceRequest } from './paths.js';
import { drained } from './drain.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function tail(text: string, lines: number | undefined): string {
  if (lines === undefined) return text;
  const all = text.split('\n');
  const trailing = all[all.length - 1] === '' ? all.pop() : undefined;
  return all.slice(Math.max(0, all.length - lines)).join('\n') + (trailing !== undefined && lines > 0 ? '\n' : '');
}

export async function serveLogs(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: URLSearchParams): Promise<void> {
  if (rr.verb !== 'get') throw errors.methodNotAllowed();
  const name = rr.name ?? '';
  const pod = ctx.store.mustGet(rr.def, rr.namespace, name);
  const spec = isObj(pod.spec) ? pod.spec : {};
  const names = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]
    .map((c) => (isObj(c) && typeof c.name === 'string' ? c.name : '')).filter((n) => n);
  const mainNames = (Array.isArray(spec.containers) ? spec.containers : []).map((c) => (isObj(c) && typeof c.name === 'string' ? c.name : ''));
  let container = q.get('container') ?? undefined;
  if (!container) {
    if (mainNames.length !== 1) throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${mainNames.join(' ')}]`);
    container = mainNames[0];
  } else if (!names.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const num = (k: string) => { const v = q.get(k); return v !== null && Number.isFinite(Number(v)) ? Number(v) : undefined; };
  const lr: PodLogRequest = {
    namespace: pod.metadata.namespace ?? '', pod: name, container, follow: q.get('follow') === 'true',
    previous: q.get('previous') === 'true', timestamps: q.get('timestamps') === 'true',
  };
  const tl = num('tailLines'), ss = num('sinceSeconds'), lb = num('limitBytes');
  if (tl !== undefined) lr.tailLines = tl;
  if (ss !== undefined) lr.sinceSeconds = ss;
  if (lb !== undefined) lr.limitBytes = lb;

  const src = ctx.podLogs.open(lr) ?? '';
  if (typeof src === 'string') {
    let text = tail(src, lr.tailLines);
    if (lr.limitBytes !== undefined) text = Buffer.from(text).subarray(0, lr.limitBytes).toString('utf8');
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let stopped = false;
  const stop = () => { stopped = true; };
  req.on('close', stop);
  ctx.stopping.addEventListener('abort', stop, { once: true });
  let sent = 0;
  try {
    for await (const chunk of src as AsyncIterable<string | Buffer>) {
      if (stopped || res.destroyed) break;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const part = lr.limitBytes !== undefined ? buf.subarray(0, Math.max(0, lr.limitBytes - sent)) : buf;
      sent += part.length;
      if (!res.write(part)) await drained(res);
      if (lr.limitBytes !== undefined && sent >= lr.limitBytes) break;
    }
  } finally {
    ctx.stopping.removeEventListener('abort', stop);
    if (!res.destroyed) res.end();
  }
}
