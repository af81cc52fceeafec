// ?watch=true: a chunked stream of newline-delimited JSON events. Each event's line is built once
// in the store and written to every watcher. A too-old resourceVersion is answered like the API
// server does: 200, then one ERROR event carrying a 410 Expired Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, type StoreEvent, type WatchOptions } from '../store/index.js';
import { toTable, wantsTable } from './table.js';
import type { ApiContext, RequestScope } from './context.js';
import type { ResourceRequest } from './paths.js';
import { drained } from './drain.js';

const DEFAULT_TIMEOUT_S = 1800;

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
}

/** 200 + one ERROR event + end: how the API server reports 410 Expired on a watch. */
export function sendWatchError(res: ServerResponse, err: StatusError): void {
  startStream(res);
  res.end(JSON.stringify({ type: 'ERROR', object: err.status }) + '\n');
}

export async function serveWatch(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, scope: RequestScope): Promise<void> {
  const q = scope.query;
  const opts: WatchOptions = {};
  const rv = q.get('resourceVersion'), ls = q.get('labelSelector'), fs = q.get('fieldSelector');
  if (rv) opts.resourceVersion = rv;
  if (ls) opts.labelSelector = ls;
  let fieldSelector = fs ?? '';
  if (rr.name) fieldSelector = [fieldSelector, `metadata.name=${rr.name}`].filter((s) => s).join(',');
  if (fieldSelector) opts.fieldSelector = fieldSelector;

  let watcher;
  try {
    watcher = ctx.store.watch(rr.def, rr.namespace, opts);
  } catch (e) {
    if (!(e instanceof StatusError) || e.code !== 410) throw e;
    sendWatchError(res, e);
    return;
  }
  startStream(res);
  const { stats } = ctx;
  stats.watchesOpen++;
  stats.watchesOpened++;
  const timers: NodeJS.Timeout[] = [];
  const close = () => watcher.close();
  const timeoutS = Number(q.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_S);
  timers.push(setTimeout(close, (Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : DEFAULT_TIMEOUT_S) * 1000));
  if (scope.watchCut?.seconds !== undefined) timers.push(setTimeout(close, scope.watchCut.seconds * 1000));
  if (q.get('allowWatchBookmarks') === 'true') {
    timers.push(setInterval(() => watcher.push(ctx.store.bookmark(rr.def)), ctx.bookmarkIntervalMs));
  }
  for (const t of timers) t.unref();
  req.on('close', close);
  res.on('close', close);
  ctx.stopping.addEventListener('abort', close, { once: true });

  const maxEvents = scope.watchCut?.events;
  // kubectl get -w asks for Tables: one-row Table per event (built per watcher, unlike plain lines).
  const line = wantsTable(scope.accept)
    ? (ev: StoreEvent) => (ev.type === 'BOOKMARK' || ev.type === 'ERROR' ? ev.line()
      : JSON.stringify({ type: ev.type, object: toTable(rr.def, [ev.object], { resourceVersion: ev.object.metadata.resourceVersion }, ctx.now()) }) + '\n')
    : (ev: StoreEvent) => ev.line();
  let sent = 0;
  try {
    for await (const ev of watcher) {
      if (res.destroyed) break;
      stats.watchEvents++;
      if (!res.write(line(ev))) await drained(res);
      if (maxEvents !== undefined && ++sent >= maxEvents) break;
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    ctx.stopping.removeEventListener('abort', close);
    stats.watchesOpen--;
    watcher.close();
    if (!res.destroyed) res.end();
  }
}
