import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { VERSION } from '../../version.js';
import { kubernetesSettingsFromEnv, resolveKubernetesOptions } from './config.js';

describe('kubernetes provider settings', () => {
  it('has the documented defaults', () => {
    const o = resolveKubernetesOptions({});
    expect(o.namespace).toBe('hodei-jobs-workers');
    expect(o.workerImage).toBe(`hodei-worker:${VERSION}`);
    expect(o.podRetention).toBe('never');
    expect(o.qps).toBe(0); // no client-side rate limit: the API server's Priority and Fairness limits
    expect(o.burst).toBe(0);
    // A limit set without a burst gets twice its rate as burst.
    expect(resolveKubernetesOptions({ qps: 50 })).toMatchObject({ qps: 50, burst: 100 });
    expect(o.createNamespace).toBe(true);
  });

  it('reads HODEI_K8S_* and HODEI_WORKER_IMAGE', () => {
    const s = kubernetesSettingsFromEnv({
      HODEI_K8S_NAMESPACE: 'jobs', HODEI_WORKER_IMAGE: 'reg/hodei-worker:1', HODEI_K8S_QPS: '20', HODEI_K8S_BURST: '40',
      HODEI_K8S_IMAGE_PULL_SECRETS: 'a, b', HODEI_K8S_NODE_SELECTOR: '{"pool":"jobs"}', HODEI_K8S_POD_RETENTION: 'onFailure',
      HODEI_K8S_CREATE_NAMESPACE: 'false',
    });
    expect(s).toEqual({ namespace: 'jobs', workerImage: 'reg/hodei-worker:1', qps: 20, burst: 40, imagePullSecrets: ['a', 'b'],
      nodeSelector: { pool: 'jobs' }, podRetention: 'onFailure', createNamespace: false });
  });

  it('names the field and the rule when a setting is invalid', () => {
    expect(() => resolveKubernetesOptions({ podRetention: 'sometimes' as never })).toThrow('config kubernetes.podRetention: must be one of never, onFailure, always');
    expect(() => resolveKubernetesOptions({ namespace: 'Not_A_Namespace' })).toThrow(/config kubernetes\.namespace: must be a DNS label/);
    expect(() => resolveKubernetesOptions({ defaultResources: { cpu: 'lots' } })).toThrow(/kubernetes\.defaultResources\.cpu: must be a Kubernetes quantity/);
    expect(() => resolveKubernetesOptions({ qps: 100, burst: 10 })).toThrow('config kubernetes.burst: must be >= qps (100)');
    expect(() => resolveKubernetesOptions({ nope: 1 } as never)).toThrow('config kubernetes.nope: is not a known field');
    expect(() => kubernetesSettingsFromEnv({ HODEI_K8S_QPS: 'fast' })).toThrow('config HODEI_K8S_QPS: must be a number');
    expect(() => resolveKubernetesOptions({ qps: -1 })).toThrow(/config kubernetes\.qps: must be >= 0/);
  });

  it('is merged by loadConfig: file section < env < flags', () => {
    const cfg = loadConfig({ env: { HODEI_K8S_NAMESPACE: 'from-env', HODEI_PROVIDER: 'kubernetes' }, flags: { kubernetes: { workerImage: 'img:flag' } } });
    expect(cfg.provider).toBe('kubernetes');
    expect(cfg.kubernetes).toEqual({ namespace: 'from-env', workerImage: 'img:flag' });
    expect(loadConfig({ env: {} }).kubernetes).toBeUndefined();
    expect(() => loadConfig({ env: { HODEI_K8S_POD_RETENTION: 'maybe' } })).toThrow(/kubernetes\.podRetention/);
  });
});
