// Label and field selectors with Kubernetes syntax. Parse once per request/watch, match per object.
import { errors } from './errors.js';
import type { KubeObject } from './types.js';

export type Matcher = (obj: KubeObject) => boolean;

type LabelReq =
  | { op: 'exists' | '!exists'; key: string }
  | { op: '=' | '!='; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> };

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Split on commas outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

function parseLabelReq(raw: string): LabelReq {
  const bad = (why: string) => errors.badRequest(`unable to parse requirement: ${why}: "${raw}"`);
  const checkKey = (k: string) => { if (!KEY.test(k)) throw bad(`invalid label key "${k}"`); return k; };
  const checkVal = (v: string) => { if (!VALUE.test(v) || v.length > 63) throw bad(`invalid label value "${v}"`); return v; };
  let m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
  if (m) {
    const values = (m[3] ?? '').split(',').map((v) => checkVal(v.trim()));
    return { op: m[2] as 'in' | 'notin', key: checkKey(m[1] ?? ''), values: new Set(values) };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(raw);
  if (m) return { op: m[2] === '!=' ? '!=' : '=', key: checkKey(m[1] ?? ''), value: checkVal(m[3] ?? '') };
  m = /^!\s*(\S+)$/.exec(raw);
  if (m) return { op: '!exists', key: checkKey(m[1] ?? '') };
  if (/^\S+$/.test(raw)) return { op: 'exists', key: checkKey(raw) };
  throw bad('invalid syntax');
}

function matchLabel(req: LabelReq, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const v = has ? labels[req.key] : undefined;
  switch (req.op) {
    case 'exists': return has;
    case '!exists': return !has;
    case '=': return has && v === req.value;
    case '!=': return !has || v !== req.value;
    case 'in': return has && req.values.has(v ?? '');
    case 'notin': return !has || !req.values.has(v ?? '');
  }
}

/** Parse a label selector string; throws 400 BadRequest on bad syntax. Empty → match all. */
export function parseLabelSelector(sel: string | undefined): Matcher | undefined {
  if (!sel || sel.trim() === '') return undefined;
  const reqs = splitTop(sel).map(parseLabelReq);
  return (obj) => reqs.every((r) => matchLabel(r, obj.metadata.labels));
}

/** metav1.LabelSelector (matchLabels/matchExpressions) as used in specs, e.g. Deployment.spec.selector. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export function labelSelectorMatches(sel: LabelSelectorSpec | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels?.[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[e.operator];
    const req: LabelReq = op === 'in' || op === 'notin' ? { op, key: e.key, values: new Set(e.values ?? []) } : { op, key: e.key };
    if (!matchLabel(req, labels)) return false;
  }
  return true;
}

/** Read a dotted field path (`status.phase`) from an object. */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

/** Fields each resource supports in fieldSelector, beyond metadata.name and metadata.namespace. */
const EXTRA_FIELDS: Record<string, string[]> = {
  pods: ['status.phase', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP', 'status.nominatedNodeName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type', 'regarding.kind', 'regarding.name', 'regarding.namespace', 'regarding.uid', 'reportingController'],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
  secrets: ['type'],
  replicasets: ['status.replicas'],
};

/** Parse a field selector for a resource; unknown fields → 400 like the real server. */
export function parseFieldSelector(sel: string | undefined, resource: string): Matcher | undefined {
  if (!sel || sel.trim() === '') return undefined;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[resource] ?? [])]);
  const reqs = splitTop(sel).map((raw) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(raw);
    if (!m) throw errors.badRequest(`invalid selector: '${sel}'; can't understand '${raw}'`);
    const field = (m[1] ?? '').trim();
    if (!allowed.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, neg: m[2] === '!=', value: (m[3] ?? '').trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.neg);
}

export function combine(...ms: (Matcher | undefined)[]): Matcher | undefined {
  const present = ms.filter((m): m is Matcher => m !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return (o) => present.every((m) => m(o));
}
