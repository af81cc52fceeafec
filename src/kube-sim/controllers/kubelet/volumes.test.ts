// Secret volumes: written into the pod's directory before any container starts; a missing Secret
// (or key) is the kubelet's FailedMount message, an optional one is skipped, an unmounted one ignored.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ObjectStore, R } from '../../store/index.js';
import type { Pod } from '../pod-types.js';
import { mountSecretVolumes } from './volumes.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function setup(volumes: NonNullable<Pod['spec']['volumes']>, mounts: string[]): { store: ObjectStore; pod: Pod; dir: string } {
  const store = new ObjectStore();
  store.create(R.namespaces, { metadata: { name: 'ns' } });
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u-1' },
    spec: { containers: [{ name: 'c', image: 'x', volumeMounts: mounts.map((name) => ({ name, mountPath: `/m/${name}` })) }], volumes },
  };
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-vol-'));
  dirs.push(dir);
  return { store, pod, dir };
}

describe('mountSecretVolumes', () => {
  it('waits for a missing Secret (FailedMount), then writes its items with their mode', () => {
    const { store, pod, dir } = setup([{ name: 'tok', secret: { secretName: 's', defaultMode: 0o440, items: [{ key: 'token', path: 'token' }] } }], ['tok']);
    expect(mountSecretVolumes(store, pod, dir)).toEqual({ volume: 'tok', message: 'MountVolume.SetUp failed for volume "tok" : secret "s" not found' });
    store.create(R.secrets, { metadata: { name: 's', namespace: 'ns' }, data: { token: Buffer.from('t0k3n').toString('base64'), other: 'eA==' } });
    expect(mountSecretVolumes(store, pod, dir)).toBeUndefined();
    expect(readFileSync(join(dir, 'volumes', 'tok', 'token'), 'utf8')).toBe('t0k3n');
    expect(statSync(join(dir, 'volumes', 'tok', 'token')).mode & 0o777).toBe(0o440);
    expect(() => statSync(join(dir, 'volumes', 'tok', 'other'))).toThrow(); // only the listed items
  });

  it('names a missing key; skips an optional Secret and a volume no container mounts', () => {
    const { store, pod, dir } = setup([
      { name: 'keyed', secret: { secretName: 's', items: [{ key: 'nope', path: 'x' }] } },
      { name: 'opt', secret: { secretName: 'absent', optional: true } },
      { name: 'unused', secret: { secretName: 'absent' } },
    ], ['keyed', 'opt']);
    store.create(R.secrets, { metadata: { name: 's', namespace: 'ns' }, data: { token: 'eA==' } });
    expect(mountSecretVolumes(store, pod, dir)?.message).toBe('MountVolume.SetUp failed for volume "keyed" : references non-existent secret key: nope');
    pod.spec.volumes = pod.spec.volumes?.filter((v) => v.name !== 'keyed');
    expect(mountSecretVolumes(store, pod, dir)).toBeUndefined();
  });
});
