// The HTTP(S) front of the simulator: authentication, RBAC, fault injection and statistics
// around every request, then discovery, admin endpoints or the resource handlers.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Socket } from 'node:net';
import { errors, StatusError } from '../store/index.js';
import { ADMIN_USER } from '../rbac.js';
import type { Outage } from '../faults.js';
import type { ApiContext, RequestScope } from './context.js';
import { discoveryDocument, SIM_VERSION } from './discovery.js';
import { handleAdmin, NotFoundAdmin } from './admin.js';
import { openapiV2Protobuf, openapiV3 } from './openapi.js';
import { handleResource } from './handlers.js';
import { NotFoundPath, parseResourcePath } from './paths.js';
import { sendJson, sendStatus, toStatusError } from './http.js';
import { sendWatchError } from './watch.js';
import type { ServingCert } from './tls.js';

const PUBLIC = new Set(['/livez', '/readyz', '/healthz', '/version', '/livez/ping', '/readyz/ping', '/healthz/ping']);

export interface ApiServerOptions {
  host: string;
  port: number;
  tls?: ServingCert;
  adminToken: string;
}

export class ApiServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private port = 0;
  private listening = false;

  constructor(private readonly ctx: ApiContext, private readonly opts: ApiServerOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => { void this.handle(req, res); };
    this.server = opts.tls ? createHttps({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttp(handler);
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    ctx.faults.onOutage = (o) => this.applyOutage(o);
  }

  get url(): string {
    return `${this.opts.tls ? 'https' : 'http'}://${this.opts.host}:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port || this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        this.listening = true;
        resolve();
      });
    });
  }

  /** refuse: stop listening and drop every connection; hang: keep answering nothing; null: restore. */
  private applyOutage(o: Outage | null): void {
    if (o?.mode === 'refuse') {
      if (this.listening) { this.listening = false; this.server.close(); }
      for (const s of this.sockets) s.destroy();
    } else {
      if (!this.listening && this.port) void this.listen().catch((e: unknown) => this.ctx.logger.error('kube-sim: relisten failed', { error: String(e) }));
      if (!o) { for (const r of this.hanging) r.destroy(); this.hanging.clear(); }
    }
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    for (const s of this.sockets) s.destroy();
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    let verb = method.toLowerCase();
    let resource = path.startsWith('/api') ? 'nonresource' : path;
    // Counted once when the response ends — finished by us, or closed by the client (a watch).
    let counted = false;
    const count = (): void => {
      if (counted) return;
      counted = true;
      this.ctx.stats.request(verb, resource, res.statusCode);
    };
    res.on('finish', count);
    res.on('close', count);
    try {
      if (this.ctx.faults.outage?.mode === 'hang' && !path.startsWith('/__sim/')) {
        try {
          const hung = parseResourcePath(path, method, url.searchParams.get('watch') === 'true');
          if (hung) { verb = hung.verb; resource = hung.subresource ? `${hung.def.resource}/${hung.subresource}` : hung.def.resource; }
        } catch { /* unknown path: counted as is */ }
        this.ctx.stats.fault('hang', verb, resource);
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      if (PUBLIC.has(path)) {
        if (path === '/version') return sendJson(res, 200, SIM_VERSION);
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      const user = this.ctx.rbac.authenticate(req.headers.authorization);
      if (!user) throw errors.unauthorized();
      if (path.startsWith('/__sim/')) {
        if (user.name !== ADMIN_USER) throw errors.forbidden('', '', undefined, `forbidden: User "${user.name}" cannot use the kube-sim admin API`);
        return await handleAdmin(this.ctx, this.opts.adminToken, req, res, path);
      }
      const rr = parseResourcePath(path, method, url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1');
      if (!rr) {
        if (method !== 'GET') throw errors.methodNotAllowed();
        if (path === '/openapi/v2') {
          const pb = openapiV2Protobuf();
          res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': pb.length });
          res.end(pb);
          return;
        }
        const doc = path.startsWith('/openapi/v3') ? openapiV3(path) : discoveryDocument(path, `${this.opts.host}:${this.port}`);
        if (doc === undefined) throw new NotFoundPath();
        return sendJson(res, 200, doc);
      }
      verb = rr.verb;
      resource = rr.subresource ? `${rr.def.resource}/${rr.subresource}` : rr.def.resource;
      this.ctx.rbac.authorize(user, {
        verb: rr.verb, group: rr.def.group, resource: rr.def.resource,
        ...(rr.subresource ? { subresource: rr.subresource } : {}), ...(rr.namespace !== undefined ? { namespace: rr.namespace } : {}), ...(rr.name ? { name: rr.name } : {}),
      });
      const decision = this.ctx.faults.decide({ verb: rr.verb, resource: rr.def.resource, ...(rr.subresource ? { subresource: rr.subresource } : {}), ...(rr.namespace !== undefined ? { namespace: rr.namespace } : {}) });
      for (const f of decision.applied) this.ctx.stats.fault(f, verb, resource);
      if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
      if (decision.error) {
        if (rr.verb === 'watch' && decision.error.code === 410) return sendWatchError(res, decision.error);
        throw decision.error;
      }
      const scope: RequestScope = {
        user, query: url.searchParams, accept: req.headers.accept, contentType: req.headers['content-type'],
        ...(decision.watchCut ? { watchCut: decision.watchCut } : {}),
      };
      await handleResource(this.ctx, req, res, rr, scope);
    } catch (e) {
      if (e instanceof NotFoundPath || e instanceof NotFoundAdmin) {
        sendStatus(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}));
        return;
      }
      const err = toStatusError(e);
      if (err.code >= 500 && !(e instanceof StatusError)) this.ctx.logger.error('kube-sim: request failed', { path, error: String(e) });
      if (res.headersSent) { res.destroy(); return; }
      sendStatus(res, err);
    }
  }
}
