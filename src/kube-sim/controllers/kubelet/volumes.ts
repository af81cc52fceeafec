// Secret volumes as the kubelet mounts them: before any container of the pod is created, every
// Secret volume a container mounts is written into the pod's directory (volumes/<name>/<path>).
// A Secret that does not exist (yet) is a FailedMount the kubelet retries while the pod stays
// ContainerCreating: no container starts without its volumes (no CreateContainerConfigError).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { R, type KubeObject, type ObjectStore } from '../../store/index.js';
import type { Pod } from '../pod-types.js';

interface KeyToPath { key: string; path: string; mode?: number }
interface SecretSource {
  secretName?: string;
  optional?: boolean;
  defaultMode?: number;
  items?: KeyToPath[];
}

type SecretObject = KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };

/** Volumes of the pod that are Secret volumes mounted by at least one (init) container. */
function mountedSecretVolumes(pod: Pod): Array<{ name: string; secret: SecretSource }> {
  const mounted = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
  return (pod.spec.volumes ?? [])
    .filter((v) => mounted.has(v.name) && typeof v.secret === 'object' && v.secret !== null)
    .map((v) => ({ name: v.name, secret: v.secret as SecretSource }));
}

/**
 * Writes every mounted Secret volume of `pod` under `dir`/volumes. Returns the first volume that
 * cannot be mounted yet and the kubelet's message for it, or undefined when all are in place.
 */
export function mountSecretVolumes(store: ObjectStore, pod: Pod, dir: string): { volume: string; message: string } | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  for (const { name, secret } of mountedSecretVolumes(pod)) {
    const secretName = secret.secretName ?? '';
    const obj = store.get<SecretObject>(R.secrets, ns, secretName);
    if (!obj) {
      if (secret.optional) continue;
      return { volume: name, message: `MountVolume.SetUp failed for volume "${name}" : secret "${secretName}" not found` };
    }
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(obj.data ?? {})) data[k] = Buffer.from(v, 'base64');
    for (const [k, v] of Object.entries(obj.stringData ?? {})) data[k] = Buffer.from(v, 'utf8');
    const items: KeyToPath[] = secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    const missing = items.find((i) => !(i.key in data));
    if (missing && !secret.optional) {
      return { volume: name, message: `MountVolume.SetUp failed for volume "${name}" : references non-existent secret key: ${missing.key}` };
    }
    const root = join(dir, 'volumes', name);
    for (const item of items) {
      const content = data[item.key];
      if (!content) continue;
      const file = join(root, normalize(item.path).replace(/^(\.\.[/\\])+/, ''));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      // The process runs as this machine's user, who owns the file: keep the owner's read bit.
      chmodSync(file, (item.mode ?? secret.defaultMode ?? 0o644) | 0o400);
    }
  }
  return undefined;
}
