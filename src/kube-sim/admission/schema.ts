// Decoding against the Kubernetes schema, as the API server's JSON decoder does: unknown fields
// are dropped with a warning (fieldValidation=Warn, the default), dropped silently (Ignore) or
// refused with 400 (Strict); a value of the wrong JSON type is refused with 400. The field schema
// is read from @kubernetes/client-node's generated models (attributeTypeMap of V1Pod, ...).
import * as models from '@kubernetes/client-node';
import { errors, resourceKey, type KubeObject, type ResourceDef } from '../store/index.js';

interface Attr { baseName: string; type: string; format: string }
interface Model { getAttributeTypeMap(): Attr[] }

const ROOTS: Record<string, string> = {
  'v1/pods': 'V1Pod', 'v1/namespaces': 'V1Namespace', 'v1/secrets': 'V1Secret', 'v1/configmaps': 'V1ConfigMap',
  'v1/events': 'CoreV1Event', 'v1/nodes': 'V1Node', 'v1/resourcequotas': 'V1ResourceQuota', 'v1/serviceaccounts': 'V1ServiceAccount',
  'apps/v1/deployments': 'V1Deployment', 'apps/v1/replicasets': 'V1ReplicaSet',
  'autoscaling/v2/horizontalpodautoscalers': 'V2HorizontalPodAutoscaler', 'networking.k8s.io/v1/networkpolicies': 'V1NetworkPolicy',
  'events.k8s.io/v1/events': 'EventsV1Event',
};
/** String maps whose values are quantities: numbers are accepted there (`cpu: 1`). */
const QUANTITY_MAPS = new Set(['requests', 'limits', 'hard', 'used', 'capacity', 'allocatable']);

const attrCache = new Map<string, Map<string, Attr> | null>();
function attrsOf(cls: string): Map<string, Attr> | null {
  let m = attrCache.get(cls);
  if (m === undefined) {
    const c = (models as unknown as Record<string, Partial<Model> | undefined>)[cls];
    m = c && typeof c.getAttributeTypeMap === 'function' ? new Map(c.getAttributeTypeMap().map((a) => [a.baseName, a])) : null;
    attrCache.set(cls, m);
  }
  return m;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);
const goName = (cls: string) => cls.replace(/^(V\d+(alpha\d+|beta\d+)?|CoreV1|EventsV1)/, '');

class TypeError400 extends Error {}

interface Walk { unknown: string[]; prune: boolean }

function walk(w: Walk, value: unknown, type: string, format: string, path: string, owner: string, key: string): void {
  if (value === null || value === undefined) return;
  const mismatch = (goType: string) => new TypeError400(`json: cannot unmarshal ${jsonType(value)} into Go struct field ${owner}.${path} of type ${goType}`);
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) throw mismatch(`[]${arr[1] ?? ''}`);
    value.forEach((v, i) => walk(w, v, arr[1] ?? 'any', '', `${path}[${i}]`, owner, key));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isObj(value)) throw mismatch(`map[string]${map[1] ?? ''}`);
    const inner = map[1] ?? 'any';
    for (const [k, v] of Object.entries(value)) {
      if (inner === 'string' && typeof v === 'number' && QUANTITY_MAPS.has(key)) continue;
      walk(w, v, inner, '', `${path}[${k}]`, owner, k);
    }
    return;
  }
  switch (type) {
    case 'string': if (typeof value !== 'string') throw mismatch('string'); return;
    case 'number': if (typeof value !== 'number') throw mismatch(format || 'float64'); return;
    case 'boolean': if (typeof value !== 'boolean') throw mismatch('bool'); return;
  }
  const attrs = attrsOf(type);
  if (!attrs) return; // any, object, Date, IntOrString, MicroTime...
  if (!isObj(value)) throw mismatch(`v1.${goName(type)}`);
  for (const k of Object.keys(value)) {
    const a = attrs.get(k);
    const p = path ? `${path}.${k}` : k;
    if (!a) {
      w.unknown.push(p);
      if (w.prune) delete value[k];
      continue;
    }
    walk(w, value[k], a.type, a.format, p, goName(type), k);
  }
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/**
 * Decode `obj` in place for `def`; returns warnings ("unknown field \"spec.x\"") to send as
 * `Warning` headers. Throws 400 BadRequest for Strict unknown fields and for type mismatches.
 */
export function decodeAgainstSchema(def: ResourceDef, obj: KubeObject, mode: FieldValidation): string[] {
  const root = ROOTS[resourceKey(def)];
  if (!root) return [];
  const w: Walk = { unknown: [], prune: mode !== 'Strict' };
  try {
    walk(w, obj, root, '', '', goName(root), '');
  } catch (e) {
    if (e instanceof TypeError400) throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${e.message}`);
    throw e;
  }
  if (w.unknown.length && mode === 'Strict') throw errors.badRequest(`strict decoding error: ${w.unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
  return mode === 'Warn' ? w.unknown.map((u) => `unknown field "${u}"`) : [];
}

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === 'Strict' || v === 'Ignore') return v;
  return 'Warn';
}
