// Admin endpoints (/__sim/...) contributed by controllers (metrics for the HPA, network-policy
// connection reports). Routes are kept per sim (keyed by its object store) and answered by the
// API server's admin handler after its own routes; the admin token is checked before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type ObjectStore } from '../store/index.js';
import { parseJson, readBody, sendJson } from './http.js';

export interface AdminReply { status?: number; body: unknown }

export interface AdminRoute {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Matched against the whole path, e.g. /^\/__sim\/external-metrics\/([^/]+)\/([^/]+)$/. */
  path: RegExp;
  handle(match: RegExpExecArray, body: unknown): AdminReply;
}

const routes = new WeakMap<ObjectStore, AdminRoute[]>();

/** Register a route for one sim; returns the unregister function. */
export function addAdminRoute(store: ObjectStore, route: AdminRoute): () => void {
  let list = routes.get(store);
  if (!list) { list = []; routes.set(store, list); }
  list.push(route);
  return () => { const l = routes.get(store); const i = l?.indexOf(route) ?? -1; if (l && i >= 0) l.splice(i, 1); };
}

/** Answer a controller admin route; false when none matches (the caller answers 404). */
export async function handleControllerAdmin(store: ObjectStore, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const method = req.method ?? 'GET';
  for (const r of routes.get(store) ?? []) {
    if (r.method !== method) continue;
    const m = r.path.exec(path);
    if (!m) continue;
    const body = method === 'PUT' || method === 'POST' ? parseJson(await readBody(req), 'Object') : undefined;
    const reply = r.handle(m, body);
    sendJson(res, reply.status ?? 200, reply.body);
    return true;
  }
  return false;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function requireBody(body: unknown, what: string): Record<string, unknown> {
  if (!isRecord(body)) throw errors.badRequest(`expected a JSON object: ${what}`);
  return body;
}
