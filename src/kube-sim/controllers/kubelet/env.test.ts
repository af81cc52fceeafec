// Container environment: literal values with $(VAR) expansion, Secret and ConfigMap keys, field
// references, envFrom, and CreateContainerConfigError for what is missing.
import { describe, expect, it } from 'vitest';
import { ObjectStore, R } from '../../store/index.js';
import type { Pod } from '../pod-types.js';
import { ContainerConfigError, containerEnv } from './env.js';

function setup(): { store: ObjectStore; pod: Pod } {
  const store = new ObjectStore();
  store.create(R.namespaces, { metadata: { name: 'ns' } });
  store.create(R.secrets, { metadata: { name: 's', namespace: 'ns' }, data: { token: Buffer.from('t0k3n').toString('base64') } });
  store.create(R.configmaps, { metadata: { name: 'cm', namespace: 'ns' }, data: { mode: 'fast', level: 'debug' } });
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { app: 'a' } },
    spec: { nodeName: 'n1', containers: [] },
    status: { podIP: '10.244.0.9' },
  };
  return { store, pod };
}

describe('containerEnv', () => {
  it('resolves values, secretKeyRef, configMapKeyRef, fieldRef and envFrom', () => {
    const { store, pod } = setup();
    const env = containerEnv(store, pod, {
      name: 'c', image: 'x',
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
      env: [
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cm', key: 'mode' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'URL', value: 'http://$(IP):80/$(MISSING)' },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
      ],
    });
    expect(env).toEqual({
      CM_mode: 'fast', CM_level: 'debug', TOKEN: 't0k3n', MODE: 'fast', POD: 'p', NS: 'ns', UID: 'u-1', IP: '10.244.0.9', NODE: 'n1',
      URL: 'http://10.244.0.9:80/$(MISSING)',
    });
  });

  it('a missing Secret or key is a CreateContainerConfigError', () => {
    const { store, pod } = setup();
    expect(() => containerEnv(store, pod, { name: 'c', image: 'x', env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }))
      .toThrow(new ContainerConfigError('secret "gone" not found'));
    expect(() => containerEnv(store, pod, { name: 'c', image: 'x', env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }))
      .toThrow('couldn\'t find key k in Secret ns/s');
  });
});
