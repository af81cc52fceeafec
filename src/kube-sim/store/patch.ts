// The three PATCH formats the API server accepts: JSON merge patch (RFC 7386), strategic merge
// patch (lists merged by their Kubernetes patch merge key, for the fields we use), JSON patch (RFC 6902).
import { errors, StatusError } from './errors.js';

type Json = unknown;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type PatchType = 'merge' | 'strategic' | 'json';

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0]?.trim();
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/json-patch+json') return 'json';
  return undefined;
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Patch merge keys of the list fields we serve (field name → key); other lists are replaced. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  imagePullSecrets: 'name', ports: 'containerPort', volumeMounts: 'mountPath', conditions: 'type',
  ownerReferences: 'uid', taints: 'key', hostAliases: 'ip', topologySpreadConstraints: 'topologyKey',
};
/** Primitive lists with strategy "merge" (set union). */
const MERGE_SETS = new Set(['finalizers']);

function strategicList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const key = MERGE_KEYS[field];
  const base = Array.isArray(target) ? target : [];
  if (MERGE_SETS.has(field)) return [...base, ...patch.filter((p) => !base.includes(p))];
  if (!key) return patch.filter((p) => !(isObj(p) && p.$patch !== undefined));
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) return patch.filter((p) => !(isObj(p) && p.$patch === 'replace'));
  const out = [...base];
  for (const p of patch) {
    if (!isObj(p)) continue;
    const idx = out.findIndex((t) => isObj(t) && t[key] === p[key]);
    if (p.$patch === 'delete') { if (idx >= 0) out.splice(idx, 1); continue; }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], p);
    else out.push(strategicMerge({}, p));
  }
  return out;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') { const { $patch: _p, ...rest } = patch; return rest; }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // $setElementOrder, $retainKeys, $deleteFromPrimitiveList: ordering hints
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = strategicList(k, out[k], v);
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k]; else out[k] = merged;
    } else out[k] = v;
  }
  return out;
}

interface JsonPatchOp { op: string; path: string; from?: string; value?: unknown }

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const missing = (path: string) => new Error(`doc is missing path: "${path}": missing value`);

function walk(doc: unknown, parts: string[]): { parent: unknown; key: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw missing(`/${parts.join('/')}`);
  }
  return { parent: cur, key: parts[parts.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const p of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (cur === undefined) throw missing(path);
  }
  return cur;
}

function removeAt(doc: unknown, path: string): unknown {
  const { parent, key } = walk(doc, pointer(path));
  if (Array.isArray(parent)) { const i = Number(key); if (i >= parent.length) throw missing(path); return parent.splice(i, 1)[0]; }
  if (!isObj(parent) || !(key in parent)) throw missing(path);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = walk(doc, parts);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (replace) parent[i] = value; else parent.splice(i, 0, value);
  } else if (isObj(parent)) {
    if (replace && !(key in parent)) throw missing(path);
    parent[key] = value;
  } else throw missing(path);
  return doc;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be an array of operations');
  let out: unknown = structuredClone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    try {
      switch (raw.op) {
        case 'add': out = addAt(out, raw.path, structuredClone(raw.value), false); break;
        case 'replace': out = addAt(out, raw.path, structuredClone(raw.value), true); break;
        case 'remove': removeAt(out, raw.path); break;
        case 'move': out = addAt(out, raw.path, removeAt(out, raw.from ?? ''), false); break;
        case 'copy': out = addAt(out, raw.path, structuredClone(getAt(out, raw.from ?? '')), false); break;
        case 'test':
          if (JSON.stringify(getAt(out, raw.path)) !== JSON.stringify(raw.value)) throw new Error(`testing value ${raw.path} failed`);
          break;
        default: throw errors.badRequest(`Unexpected kind: ${String(raw.op)}`);
      }
    } catch (e) {
      if (e instanceof Error && !(e instanceof StatusError)) throw new StatusError(422, 'Invalid', e.message);
      throw e;
    }
  }
  return out;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  if (type === 'json') return jsonPatch(target, patch);
  if (!isObj(patch)) throw errors.badRequest('patch body must be a JSON object');
  return type === 'merge' ? mergePatch(target, patch) : strategicMerge(target, patch);
}
