// The resource verbs: get, list, create, update, patch, delete, deletecollection, plus the scale
// and binding subresources and SelfSubjectAccessReview.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  apiVersionOf, applyPatch, errors, patchTypeOf, toJson, type DeleteOptions, type KubeObject, type PropagationPolicy, type StoredObject, type WriteOptions,
} from '../store/index.js';
import type { ApiContext, RequestScope } from './context.js';
import { parseJson, readBody, sendJson, successStatus } from './http.js';
import type { ResourceRequest } from './paths.js';
import { toTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';
import { serveLogs } from './logs.js';
import { decodeAgainstSchema, fieldValidationOf } from '../admission/schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

async function bodyObject(req: IncomingMessage, kind: string): Promise<KubeObject> {
  const parsed = parseJson(await readBody(req), kind);
  if (!isObj(parsed)) throw errors.badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: the body must be a JSON object`);
  if (!isObj(parsed.metadata)) parsed.metadata = {};
  return parsed as KubeObject;
}

/** The body must be the resource's kind in the served version, like the API server's decoder checks. */
function checkKind(rr: ResourceRequest, body: KubeObject): void {
  const want = apiVersionOf(rr.def);
  if (body.apiVersion !== undefined && body.apiVersion !== want) throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`);
  if (body.kind !== undefined && body.kind !== rr.def.kind) throw errors.badRequest(`the object provided is unrecognized (must be of type ${rr.def.kind}): ${String(body.kind)}`);
}

const dryRun = (q: URLSearchParams) => q.getAll('dryRun').includes('All');

function listBody(rr: ResourceRequest, items: readonly KubeObject[], meta: Record<string, unknown>): string {
  const head = JSON.stringify({ kind: `${rr.def.kind}List`, apiVersion: apiVersionOf(rr.def), metadata: meta });
  return `${head.slice(0, -1)},"items":[${items.map(toJson).join(',')}]}`;
}

export async function handleResource(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, scope: RequestScope): Promise<void> {
  const { store } = ctx;
  const { def } = rr;
  const q = scope.query;
  if (rr.subresource === 'log') return serveLogs(ctx, req, res, rr, q);
  if (rr.subresource === 'scale') return handleScale(ctx, req, res, rr, scope);
  if (rr.subresource === 'binding') return handleBinding(ctx, req, res, rr);
  if (def.resource === 'selfsubjectaccessreviews') return handleAccessReview(ctx, req, res, rr, scope);
  if (!rr.subresource && !def.verbs.includes(rr.verb)) throw errors.methodNotAllowed();
  const sub = rr.subresource === 'status' ? { subresource: 'status' as const } : {};
  // Schema decoding of written objects; unknown-field warnings go out as Warning headers.
  const mode = fieldValidationOf(q);
  const decode = (o: KubeObject) => {
    const warnings = decodeAgainstSchema(def, o, mode);
    if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  };
  const name = rr.name ?? '';

  switch (rr.verb) {
    case 'watch':
      return serveWatch(ctx, req, res, rr, scope);
    case 'list': {
      const list = store.list(def, rr.namespace, {
        ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector') ?? '' } : {}),
        ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector') ?? '' } : {}),
        ...(q.get('limit') ? { limit: Number(q.get('limit')) } : {}),
        ...(q.get('continue') ? { continue: q.get('continue') ?? '' } : {}),
      });
      const meta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
      if (list.continue) meta.continue = list.continue;
      if (list.remainingItemCount !== undefined) meta.remainingItemCount = list.remainingItemCount;
      if (wantsTable(scope.accept)) return sendJson(res, 200, toTable(def, list.items, meta, ctx.now()));
      return sendJson(res, 200, listBody(rr, list.items, meta));
    }
    case 'get': {
      const o = store.mustGet(def, rr.namespace, name);
      if (wantsTable(scope.accept)) return sendJson(res, 200, toTable(def, [o], { resourceVersion: o.metadata.resourceVersion }, ctx.now()));
      return sendJson(res, 200, toJson(o));
    }
    case 'create': {
      const body = await bodyObject(req, def.kind);
      checkKind(rr, body);
      if (rr.namespace !== undefined) {
        if (body.metadata.namespace && body.metadata.namespace !== rr.namespace) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
        body.metadata.namespace = rr.namespace;
      }
      const created = store.create(def, body, { dryRun: dryRun(q), decode });
      return sendJson(res, 201, toJson(created));
    }
    case 'update': {
      const body = await bodyObject(req, def.kind);
      checkKind(rr, body);
      if (body.metadata.name && body.metadata.name !== name) throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      body.metadata.name = name;
      if (rr.namespace !== undefined) body.metadata.namespace = rr.namespace;
      return sendJson(res, 200, toJson(store.update(def, body, { ...sub, dryRun: dryRun(q), decode })));
    }
    case 'patch': {
      if ((scope.contentType ?? '').startsWith('application/apply-patch+yaml')) return serverSideApply(ctx, req, res, rr, q, { ...sub, decode });
      const type = patchTypeOf(scope.contentType);
      if (!type) throw errors.unsupportedMediaType(scope.contentType ?? '');
      const patch = parseJson(await readBody(req), def.kind);
      return sendJson(res, 200, toJson(store.patch(def, rr.namespace, name, type, patch, { ...sub, dryRun: dryRun(q), decode })));
    }
    case 'delete': {
      const opts = await deleteOptions(req, q);
      const r = store.delete(def, rr.namespace, name, opts);
      if (r.removed && def.resource !== 'pods' && def.resource !== 'namespaces') {
        return sendJson(res, 200, successStatus({ name, ...(def.group ? { group: def.group } : {}), kind: def.resource, uid: r.object.metadata.uid }));
      }
      return sendJson(res, 200, toJson(r.object));
    }
    case 'deletecollection': {
      const opts = await deleteOptions(req, q);
      const results = store.deleteCollection(def, rr.namespace, {
        ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector') ?? '' } : {}),
        ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector') ?? '' } : {}),
      }, opts);
      return sendJson(res, 200, listBody(rr, results.map((r) => r.object), { resourceVersion: String(store.resourceVersion) }));
    }
    default:
      throw errors.methodNotAllowed();
  }
}

/**
 * Server-side apply, approximated: create when absent, else a strategic merge of the applied
 * configuration. No managedFields and no field-ownership conflicts.
 */
async function serverSideApply(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, q: URLSearchParams, sub: WriteOptions): Promise<void> {
  if (!q.get('fieldManager')) throw errors.badRequest('PATCH /apply requires fieldManager');
  let body: unknown;
  try { body = parseYaml(await readBody(req)); } catch (e) { throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`); }
  if (!isObj(body)) throw errors.badRequest('the applied configuration must be an object');
  const obj = body as KubeObject;
  checkKind(rr, obj);
  obj.metadata = { ...(isObj(obj.metadata) ? obj.metadata : {}), name: rr.name ?? '' };
  if (rr.namespace !== undefined) obj.metadata.namespace = rr.namespace;
  const { store } = ctx;
  if (!sub.subresource && !store.get(rr.def, rr.namespace, rr.name ?? '')) {
    return sendJson(res, 201, toJson(store.create(rr.def, obj, { ...(sub.decode ? { decode: sub.decode } : {}), dryRun: dryRun(q) })));
  }
  return sendJson(res, 200, toJson(store.patch(rr.def, rr.namespace, rr.name ?? '', 'strategic', obj, { ...sub, dryRun: dryRun(q) })));
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const body = parseJson(await readBody(req), 'DeleteOptions');
  const b = isObj(body) ? body : {};
  const opts: DeleteOptions = {};
  const grace = b.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (typeof grace === 'number' && Number.isFinite(grace)) opts.gracePeriodSeconds = grace;
  let policy = b.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  if (policy === undefined && (b.orphanDependents === true || q.get('orphanDependents') === 'true')) policy = 'Orphan';
  if (policy !== undefined) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"` }]);
    }
    opts.propagationPolicy = policy as PropagationPolicy;
  }
  if (isObj(b.preconditions)) {
    const p = b.preconditions;
    opts.preconditions = { ...(typeof p.uid === 'string' ? { uid: p.uid } : {}), ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}) };
  }
  if (b.dryRun !== undefined || dryRun(q)) opts.dryRun = Array.isArray(b.dryRun) ? b.dryRun.includes('All') : dryRun(q);
  return opts;
}

function toScale(o: StoredObject): unknown {
  const sel = isObj(o.spec) && isObj(o.spec.selector) && isObj(o.spec.selector.matchLabels) ? o.spec.selector.matchLabels : {};
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    // autoscaling/v1 ScaleSpec.replicas is omitempty: 0 is not sent.
    spec: isObj(o.spec) && typeof o.spec.replicas === 'number' && o.spec.replicas !== 0 ? { replicas: o.spec.replicas } : {},
    status: { replicas: isObj(o.status) ? o.status.replicas ?? 0 : 0, selector: Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`).join(',') },
  };
}

async function handleScale(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, scope: RequestScope): Promise<void> {
  const { store } = ctx;
  const cur = store.mustGet(rr.def, rr.namespace, rr.name ?? '');
  if (rr.verb === 'get') return sendJson(res, 200, toScale(cur));
  let scale: unknown;
  if (rr.verb === 'update') scale = await bodyObject(req, 'Scale');
  else if (rr.verb === 'patch') {
    const type = patchTypeOf(scope.contentType);
    if (!type) throw errors.unsupportedMediaType(scope.contentType ?? '');
    scale = applyPatch(type, toScale(cur), parseJson(await readBody(req), 'Scale'));
  } else throw errors.methodNotAllowed();
  const s = isObj(scale) ? scale : {};
  const replicas = isObj(s.spec) ? s.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('autoscaling', 'Scale', rr.name ?? '', [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const rv = isObj(s.metadata) && typeof s.metadata.resourceVersion === 'string' && rr.verb === 'update' ? s.metadata.resourceVersion : undefined;
  const next = structuredClone(cur) as KubeObject;
  next.spec = { ...(isObj(next.spec) ? next.spec : {}), replicas };
  if (rv) next.metadata.resourceVersion = rv; else delete next.metadata.resourceVersion;
  return sendJson(res, 200, toScale(store.update(rr.def, next)));
}

async function handleBinding(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest): Promise<void> {
  if (rr.verb !== 'create') throw errors.methodNotAllowed();
  const body = await bodyObject(req, 'Binding');
  const target = isObj(body.target) && typeof body.target.name === 'string' ? body.target.name : '';
  const name = rr.name ?? '';
  ctx.store.mutate(rr.def, rr.namespace, name, (p) => {
    const spec = isObj(p.spec) ? p.spec : {};
    if (spec.nodeName) throw errors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
    p.spec = { ...spec, nodeName: target };
  });
  sendJson(res, 201, { ...successStatus({}), code: 201 });
}

async function handleAccessReview(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rr: ResourceRequest, scope: RequestScope): Promise<void> {
  if (rr.verb !== 'create') throw errors.methodNotAllowed();
  const body = await bodyObject(req, 'SelfSubjectAccessReview');
  const spec = isObj(body.spec) ? body.spec : {};
  const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  let allowed = true;
  if (ra) {
    const attrs = { verb: str(ra.verb) ?? '', group: str(ra.group) ?? '', resource: str(ra.resource) ?? '' };
    const sub = str(ra.subresource), ns = str(ra.namespace), nm = str(ra.name);
    allowed = ctx.rbac.allows(scope.user, { ...attrs, ...(sub ? { subresource: sub } : {}), ...(ns ? { namespace: ns } : {}), ...(nm ? { name: nm } : {}) });
  }
  sendJson(res, 201, {
    kind: 'SelfSubjectAccessReview', apiVersion: apiVersionOf(rr.def), metadata: { creationTimestamp: null }, spec,
    status: allowed ? { allowed: true, reason: 'allowed by kube-sim RBAC policy' } : { allowed: false },
  });
}
