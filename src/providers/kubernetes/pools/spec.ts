// A worker pool's objects: the bootstrap-token Secret, a Deployment of long-lived `hodei worker`
// pods, and an autoscaling/v2 HorizontalPodAutoscaler (CPU utilisation, or Hodei's queue depth as
// the External metric `hodei_jobs_queued` with a target average per replica).
//
// The pod template is P1's worker pod (pods/pod-spec.ts: restricted security, volumes, resources) with
// what a pool changes: the token comes from the pool's Secret, no per-worker id, restartPolicy
// Always (Deployments require it), labels that select the pool instead of one worker.
import type { V1Deployment, V1Secret, V2HorizontalPodAutoscaler, V2MetricSpec } from '@kubernetes/client-node';
import type { KubernetesOptions } from '../config.js';
import { dnsName, LABEL, MANAGED_BY, labelValue } from '../labels.js';
import { buildWorkerPod, TOKEN_KEY, TOKEN_VOLUME } from '../pods/pod-spec.js';

/** External metric the HPA of a queue-driven pool reads (pushed by an adapter; see docs/pools.md). */
export const QUEUE_METRIC = 'hodei_jobs_queued';
export const POOL_LABEL = 'hodei.io/pool';

export type PoolTarget =
  | { type: 'cpu'; averageUtilization: number }
  | { type: 'queue'; averageValue: number };

export interface PoolSpec {
  min: number;
  max: number;
  target: PoolTarget;
  /** Requests (= limits) of each pool worker; the provider's defaults when unset. */
  resources?: { cpu?: string; memory?: string };
  /** HPA scale-down stabilisation window (Kubernetes default 300 s). */
  scaleDownStabilizationSeconds?: number;
}

const quantity = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$', description: 'a Kubernetes quantity like 500m or 256Mi' };

export const poolTargetSchema = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['type', 'averageUtilization'],
      properties: { type: { const: 'cpu' }, averageUtilization: { type: 'integer', minimum: 1, maximum: 1000 } } },
    { type: 'object', additionalProperties: false, required: ['type', 'averageValue'],
      properties: { type: { const: 'queue' }, averageValue: { type: 'integer', minimum: 1, maximum: 100_000 } } },
  ],
} as const;

/** Fields of a pool spec (create requires name, min, max, target; update takes any of them). */
export const poolSpecProperties = {
  min: { type: 'integer', minimum: 1, maximum: 10_000 },
  max: { type: 'integer', minimum: 1, maximum: 10_000 },
  target: poolTargetSchema,
  resources: { type: 'object', additionalProperties: false, properties: { cpu: quantity, memory: quantity } },
  scaleDownStabilizationSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
} as const;

export const POOL_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$';

export const poolObjectName = (pool: string): string => dnsName(`hodei-pool-${pool}`);
export const poolSecretName = (pool: string): string => dnsName(`hodei-pool-${pool}-token`);

export function poolLabels(providerId: string, pool: string): Record<string, string> {
  return {
    [LABEL.name]: 'hodei-worker', [LABEL.component]: 'pool-worker', [LABEL.partOf]: 'hodei',
    [LABEL.managedBy]: MANAGED_BY, [LABEL.providerId]: labelValue(providerId), [POOL_LABEL]: labelValue(pool),
  };
}

/** Selector of a pool's pods (a Deployment selector is immutable: keep it minimal and stable). */
export function poolSelector(providerId: string, pool: string): Record<string, string> {
  return { [LABEL.managedBy]: MANAGED_BY, [LABEL.providerId]: labelValue(providerId), [POOL_LABEL]: labelValue(pool) };
}

export function poolSecret(o: KubernetesOptions, pool: string, token: string): V1Secret {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: poolSecretName(pool), namespace: o.namespace, labels: poolLabels(o.id, pool) },
    data: { [TOKEN_KEY]: Buffer.from(token, 'utf8').toString('base64') },
  };
}

export function poolDeployment(o: KubernetesOptions, pool: string, spec: PoolSpec, serverUrl: string): V1Deployment {
  // The worker pod of pods/pod-spec.ts for a pooled worker; the token is a placeholder, never used.
  const { pod } = buildWorkerPod({
    workerId: `pool-${pool}`, jobId: null, token: '', serverUrl, resources: spec.resources ?? {}, labels: {},
  }, o, o.namespace, serverUrl);
  const podSpec = pod.spec;
  const main = podSpec?.containers[0];
  if (!podSpec || !main) throw new Error('pod factory returned no container');
  main.env = (main.env ?? []).filter((e) => e.name !== 'HODEI_WORKER_ID');
  // The token file comes from the pool's Secret (created before the Deployment) instead.
  podSpec.volumes = (podSpec.volumes ?? []).map((v) => (v.name === TOKEN_VOLUME && v.secret ? { ...v, secret: { ...v.secret, secretName: poolSecretName(pool) } } : v));
  podSpec.restartPolicy = 'Always';
  delete podSpec.activeDeadlineSeconds;
  const labels = poolLabels(o.id, pool);
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: poolObjectName(pool), namespace: o.namespace, labels },
    spec: {
      replicas: spec.min,
      selector: { matchLabels: poolSelector(o.id, pool) },
      template: { metadata: { labels, annotations: { 'hodei.io/secret': poolSecretName(pool) } }, spec: podSpec },
    },
  };
}

export function hpaMetric(t: PoolTarget): V2MetricSpec {
  return t.type === 'cpu'
    ? { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: t.averageUtilization } } }
    : { type: 'External', external: { metric: { name: QUEUE_METRIC }, target: { type: 'AverageValue', averageValue: String(t.averageValue) } } };
}

export function poolHpa(o: KubernetesOptions, pool: string, spec: PoolSpec): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
    metadata: { name: poolObjectName(pool), namespace: o.namespace, labels: poolLabels(o.id, pool) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: poolObjectName(pool) },
      minReplicas: spec.min,
      maxReplicas: spec.max,
      metrics: [hpaMetric(spec.target)],
      ...(spec.scaleDownStabilizationSeconds !== undefined
        ? { behavior: { scaleDown: { stabilizationWindowSeconds: spec.scaleDownStabilizationSeconds } } } : {}),
    },
  };
}
