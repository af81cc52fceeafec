// A container's environment as the kubelet builds it: envFrom, then env (value, secretKeyRef,
// configMapKeyRef, fieldRef), with $(VAR) references expanded. A missing Secret/ConfigMap (or key)
// is a CreateContainerConfigError, as on a real node.
import { R, type KubeObject, type ObjectStore } from '../../store/index.js';
import type { Container, Pod } from '../pod-types.js';

export class ContainerConfigError extends Error {}

type DataObject = KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };

function readKey(store: ObjectStore, kind: 'secret' | 'configmap', ns: string, name: string, key: string | undefined): Record<string, string> | string | undefined {
  const obj = store.get<DataObject>(kind === 'secret' ? R.secrets : R.configmaps, ns, name);
  if (!obj) throw new ContainerConfigError(`${kind} "${name}" not found`);
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) data[k] = kind === 'secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
  for (const [k, v] of Object.entries(obj.stringData ?? {})) data[k] = v;
  if (key === undefined) return data;
  if (!(key in data)) throw new ContainerConfigError(`couldn't find key ${key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${name}`);
  return data[key];
}

/** Kubernetes $(VAR) expansion: known variables are substituted, $$ escapes, unknown stay as written. */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? (env[name] ?? '') : m));
}

export function fieldRefValue(pod: Pod, path: string): string {
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return String((pod.spec as { serviceAccountName?: string }).serviceAccountName ?? '');
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    default: {
      const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
      if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2] ?? ''] ?? '';
      throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
    }
  }
}

/** The variables the container declares (not the host's). Throws ContainerConfigError. */
export function containerEnv(store: ObjectStore, pod: Pod, c: Container): Record<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const src of c.envFrom ?? []) {
    const ref = src.secretRef ?? src.configMapRef;
    if (!ref) continue;
    try {
      const data = readKey(store, src.secretRef ? 'secret' : 'configmap', ns, ref.name, undefined);
      if (typeof data === 'object') for (const [k, v] of Object.entries(data)) env[(src.prefix ?? '') + k] = v;
    } catch (e) { if (!(e instanceof ContainerConfigError && ref.optional)) throw e; }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) { env[e.name] = expand(e.value ?? '', env); continue; }
    const ref = from.secretKeyRef ?? from.configMapKeyRef;
    if (ref) {
      try {
        const v = readKey(store, from.secretKeyRef ? 'secret' : 'configmap', ns, ref.name, ref.key);
        if (typeof v === 'string') env[e.name] = v;
      } catch (err) { if (!(err instanceof ContainerConfigError && ref.optional)) throw err; }
    } else if (from.fieldRef) {
      env[e.name] = fieldRefValue(pod, from.fieldRef.fieldPath);
    }
  }
  return env;
}
