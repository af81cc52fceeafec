// /__sim/* admin endpoints (admin token only): faults, statistics, history compaction, RBAC.
//   GET|PUT|DELETE /__sim/faults   FaultConfig {seed?, rules, outage?}
//   GET|DELETE     /__sim/stats    SimStatsSnapshot (DELETE resets)
//   POST           /__sim/compact  forget watch history (resuming from older versions → 410)
//   PUT            /__sim/rbac     RbacPolicy {users: [...]}
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../store/index.js';
import type { FaultConfig } from '../faults.js';
import type { RbacPolicy } from '../rbac.js';
import type { ApiContext } from './context.js';
import { parseJson, readBody, sendJson } from './http.js';
import { handleControllerAdmin } from './admin-routes.js';

export async function handleAdmin(ctx: ApiContext, adminToken: string, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  const body = async <T>() => parseJson(await readBody(req), 'Object') as T;
  switch (`${method} ${path}`) {
    case 'GET /__sim/faults': return sendJson(res, 200, ctx.faults.config);
    case 'PUT /__sim/faults': {
      const cfg = await body<FaultConfig | undefined>();
      if (!cfg || !Array.isArray(cfg.rules)) throw errors.badRequest('expected {"rules": [...]}');
      ctx.faults.set(cfg);
      return sendJson(res, 200, ctx.faults.config);
    }
    case 'DELETE /__sim/faults': ctx.faults.clear(); return sendJson(res, 200, ctx.faults.config);
    case 'GET /__sim/stats': return sendJson(res, 200, ctx.stats.snapshot());
    case 'DELETE /__sim/stats': ctx.stats.reset(); return sendJson(res, 200, ctx.stats.snapshot());
    case 'POST /__sim/compact': ctx.store.compact(); return sendJson(res, 200, { resourceVersion: String(ctx.store.resourceVersion) });
    case 'PUT /__sim/rbac': {
      const policy = await body<RbacPolicy | undefined>();
      if (!policy || !Array.isArray(policy.users)) throw errors.badRequest('expected {"users": [...]}');
      ctx.rbac.set(adminToken, policy);
      return sendJson(res, 200, { users: policy.users.map((u) => u.name) });
    }
    default:
      // Routes of the built-in controllers (metrics, network-policy connections): admin-routes.ts.
      if (await handleControllerAdmin(ctx.store, req, res, path)) return;
      throw new NotFoundAdmin();
  }
}

export class NotFoundAdmin extends Error {}
