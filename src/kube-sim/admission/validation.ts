// Structural validation of the fields the simulator serves, worded like the API server's
// validation so 422 Invalid bodies match a real cluster's (e.g. `spec.containers[0].image: Required value`).
import { cause, errors, type AdmissionPlugin, type KubeObject, type ResourceDef, type StatusCause, type StoredObject } from '../store/index.js';
import { isQuantity, toMilli } from '../quantity.js';
import { normalize } from '../store/strategy.js';
import { dns1123Label, dns1123Subdomain, labels } from './names.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function quantities(field: string, m: unknown, out: StatusCause[]): void {
  if (!isObj(m)) return;
  for (const [k, v] of Object.entries(m)) {
    if (!isQuantity(v)) out.push(cause.invalid(`${field}[${k}]`, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
  }
}

function container(field: string, c: unknown, names: Set<string>, out: StatusCause[]): void {
  if (!isObj(c)) { out.push(cause.invalid(field, c, 'must be an object')); return; }
  if (typeof c.name !== 'string' || c.name === '') out.push(cause.required(`${field}.name`));
  else {
    out.push(...dns1123Label(`${field}.name`, c.name));
    if (names.has(c.name)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"`, field: `${field}.name` });
    names.add(c.name);
  }
  if (typeof c.image !== 'string' || c.image.trim() === '') out.push(cause.required(`${field}.image`));
  const res = isObj(c.resources) ? c.resources : {};
  quantities(`${field}.resources.requests`, res.requests, out);
  quantities(`${field}.resources.limits`, res.limits, out);
  if (isObj(res.requests) && isObj(res.limits)) {
    for (const [k, req] of Object.entries(res.requests)) {
      const lim = res.limits[k];
      if (lim !== undefined && isQuantity(req) && isQuantity(lim) && toMilli(req as string) > toMilli(lim as string)) {
        out.push(cause.invalid(`${field}.resources.requests`, String(req), `must be less than or equal to ${k} limit of ${String(lim)}`));
      }
    }
  }
  arr(c.ports).forEach((p, i) => {
    const port = isObj(p) ? p.containerPort : undefined;
    if (typeof port !== 'number' || port < 1 || port > 65535) out.push(cause.invalid(`${field}.ports[${i}].containerPort`, port ?? 0, 'must be between 1 and 65535, inclusive'));
  });
  arr(c.env).forEach((e, i) => {
    if (!isObj(e) || typeof e.name !== 'string' || e.name === '') out.push(cause.required(`${field}.env[${i}].name`));
  });
}

export function validatePodSpec(field: string, spec: unknown, out: StatusCause[]): void {
  if (!isObj(spec)) { out.push(cause.required(field)); return; }
  const names = new Set<string>();
  if (arr(spec.containers).length === 0) out.push(cause.required(`${field}.containers`));
  arr(spec.containers).forEach((c, i) => container(`${field}.containers[${i}]`, c, names, out));
  arr(spec.initContainers).forEach((c, i) => container(`${field}.initContainers[${i}]`, c, names, out));
  const rp = spec.restartPolicy;
  if (rp !== undefined && rp !== 'Always' && rp !== 'OnFailure' && rp !== 'Never') out.push(cause.notSupported(`${field}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && (typeof ads !== 'number' || ads <= 0)) out.push(cause.invalid(`${field}.activeDeadlineSeconds`, ads, 'must be between 1 and 2147483647, inclusive'));
  out.push(...labels(`${field}.nodeSelector`, spec.nodeSelector));
  arr(spec.tolerations).forEach((t, i) => {
    const op = isObj(t) ? t.operator : undefined;
    if (op !== undefined && op !== 'Exists' && op !== 'Equal') out.push(cause.notSupported(`${field}.tolerations[${i}].operator`, op, ['Equal', 'Exists']));
  });
}

function selectorMatchesTemplate(field: string, spec: Obj, out: StatusCause[]): void {
  const sel = isObj(spec.selector) ? spec.selector : undefined;
  if (!sel) { out.push(cause.required(`${field}.selector`)); return; }
  const tmplLabels = isObj(spec.template) && isObj(spec.template.metadata) && isObj(spec.template.metadata.labels) ? spec.template.metadata.labels : {};
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  if (Object.keys(ml).length === 0 && arr(sel.matchExpressions).length === 0) out.push(cause.invalid(`${field}.selector`, sel, 'empty selector is invalid for deployment'));
  for (const [k, v] of Object.entries(ml)) {
    if (tmplLabels[k] !== v) { out.push(cause.invalid(`${field}.template.metadata.labels`, tmplLabels, '`selector` does not match template `labels`')); break; }
  }
}

function replicas(field: string, v: unknown, out: StatusCause[]): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) out.push(cause.invalid(field, v, 'must be greater than or equal to 0'));
}

/** Per-kind checks of the body (spec/data). */
function validateBody(def: ResourceDef, o: KubeObject, out: StatusCause[]): void {
  const spec = isObj(o.spec) ? o.spec : undefined;
  switch (def.resource) {
    case 'pods': validatePodSpec('spec', o.spec, out); break;
    case 'deployments':
    case 'replicasets':
      if (!spec) { out.push(cause.required('spec')); break; }
      replicas('spec.replicas', spec.replicas, out);
      selectorMatchesTemplate('spec', spec, out);
      validatePodSpec('spec.template.spec', isObj(spec.template) ? spec.template.spec : undefined, out);
      break;
    case 'horizontalpodautoscalers': {
      const ref = spec && isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : undefined;
      if (!ref?.kind) out.push(cause.required('spec.scaleTargetRef.kind'));
      if (!ref?.name) out.push(cause.required('spec.scaleTargetRef.name'));
      const max = spec?.maxReplicas, min = spec?.minReplicas ?? 1;
      if (typeof max !== 'number' || max < 1) out.push(cause.invalid('spec.maxReplicas', max ?? 0, 'must be greater than or equal to 1'));
      else if (typeof min === 'number' && min > max) out.push(cause.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
      if (typeof min === 'number' && min < 1) out.push(cause.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
      break;
    }
    case 'networkpolicies':
      arr(spec?.policyTypes).forEach((t, i) => { if (t !== 'Ingress' && t !== 'Egress') out.push(cause.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress'])); });
      break;
    case 'resourcequotas':
      quantities('spec.hard', spec?.hard, out);
      break;
    case 'configmaps':
    case 'secrets':
      for (const k of Object.keys(isObj(o.data) ? o.data : {})) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k)) out.push(cause.invalid(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      }
      if (def.resource === 'secrets') {
        for (const [k, v] of Object.entries(isObj(o.data) ? o.data : {})) {
          if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push(cause.invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64-encoded'));
        }
      }
      break;
  }
}

/** Pod spec fields that may change after creation (the rest is immutable, like the real API). */
function podSpecUpdate(o: KubeObject, old: StoredObject, out: StatusCause[]): void {
  const a = structuredClone(isObj(o.spec) ? o.spec : {});
  const b = structuredClone(isObj(old.spec) ? old.spec : {});
  for (const s of [a, b]) {
    for (const c of [...arr(s.containers), ...arr(s.initContainers)]) if (isObj(c)) delete c.image;
    delete s.activeDeadlineSeconds;
    delete s.tolerations;
  }
  if (!b.nodeName) delete a.nodeName; // binding: the scheduler sets nodeName once
  if (JSON.stringify(normalize(a)) !== JSON.stringify(normalize(b))) {
    out.push(cause.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
  }
}

/** generateName is checked as a name prefix: a trailing '-' is fine, a trailing '.' is not (as the real server). */
function generateNameCauses(o: KubeObject, old?: StoredObject): StatusCause[] {
  const gen = o.metadata.generateName;
  return !old && gen ? dns1123Subdomain('metadata.generateName', gen.replace(/-$/, 'a')) : [];
}

export function validate(def: ResourceDef, o: KubeObject, old?: StoredObject): StatusCause[] {
  const out: StatusCause[] = generateNameCauses(o, old);
  const name = o.metadata.name ?? '';
  if (!old) {
    out.push(...(def.resource === 'namespaces' ? dns1123Label('metadata.name', name) : dns1123Subdomain('metadata.name', name)));
  }
  out.push(...labels('metadata.labels', o.metadata.labels));
  validateBody(def, o, out);
  if (old && def.resource === 'pods') podSpecUpdate(o, old, out);
  return out;
}

/** Admission plugin refusing invalid objects with 422 Invalid. */
export const validationAdmission: AdmissionPlugin = (_op, def, o, old) => {
  // Events and nodes, generated by the sim, are loosely typed: only their generateName is checked.
  const causes = def.resource === 'events' || def.resource === 'nodes' ? generateNameCauses(o, old) : validate(def, o, old);
  if (!old && def.group === 'events.k8s.io' && !(o as { eventTime?: unknown }).eventTime) causes.push({ reason: 'FieldValueRequired', field: 'eventTime', message: 'Required value' });
  // events.k8s.io Events are validated as the internal core Event: the real Status names group "".
  if (causes.length) throw errors.invalid(def.group === 'events.k8s.io' ? '' : def.group, def.kind, o.metadata.name ?? '', causes);
};
