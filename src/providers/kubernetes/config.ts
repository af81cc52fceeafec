// Settings of the Kubernetes provider: the `kubernetes` section of the config file, HODEI_K8S_*
// environment variables and server flags, merged by src/config.ts and validated here (every error
// names the field and the rule). `resolveKubernetesOptions` applies the defaults.
import { ConfigError, ValidationError } from '../../errors/errors.js';
import { compileValidator } from '../../util/validate.js';
import { VERSION } from '../../version.js';
import { networkPolicySchema, type NetworkPolicySettings } from './network-policy/config.js';

export type RetentionPolicy = 'never' | 'onFailure' | 'always';

export interface ResourceList { cpu?: string; memory?: string; gpu?: number }

export interface Toleration { key?: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: string; tolerationSeconds?: number }

/** What a user may set (all optional). */
export interface KubernetesSettings {
  /** Kubeconfig path; unset: $KUBECONFIG, then the in-cluster service account, then ~/.kube/config. */
  kubeconfig?: string;
  /** Kubeconfig context to use. @defaultValue the file's current-context */
  context?: string;
  /** Namespace of worker pods. @defaultValue "hodei-jobs-workers" */
  namespace?: string;
  /** Create the namespace (with PSS restricted labels) when missing. @defaultValue true */
  createNamespace?: boolean;
  /** Jobs labelled `hodei.io/tenant=<t>` run in `<namespace>-<t>`. @defaultValue false */
  tenantNamespaces?: boolean;
  /** Image of the agent. @defaultValue "hodei-worker:<package version>" */
  workerImage?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSecrets?: string[];
  /** Service account of worker pods (its token is never mounted). */
  serviceAccount?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  /** A core/v1 Affinity object, passed through as is. */
  affinity?: Record<string, unknown>;
  /** Requests of a job that asks for none (the agent is a Node process: ~60–100 MB). @defaultValue {cpu: "100m", memory: "256Mi"} */
  defaultResources?: ResourceList;
  /** Largest request a job may make; larger ones fail provisioning. */
  maxResources?: ResourceList;
  /** Most pods of this provider at once (0 = only the control plane's maxWorkers). @defaultValue 0 */
  maxConcurrentWorkers?: number;
  /** Which ended pods are kept for inspection. @defaultValue "never" */
  podRetention?: RetentionPolicy;
  /** URL workers call back to (overrides the control plane's publicUrl for pods). */
  controlPlaneUrl?: string;
  /** A pod Pending longer than this fails its worker with the pending reason. @defaultValue 300000 */
  pendingTimeoutMs?: number;
  /**
   * A container waiting on ErrImagePull, ImagePullBackOff, InvalidImageName or
   * CreateContainerConfigError this long fails its worker with that reason. @defaultValue 10000
   */
  startFailureGraceMs?: number;
  /**
   * Client-side rate limit of API requests per second (token bucket, like client-go); 0 = none.
   * Off by default, as SIG API Machinery recommends and controller-runtime does since 0.21: the API
   * server's Priority and Fairness limits every client (429 + Retry-After, which the client honours),
   * and a fixed client rate caps a healthy cluster (qps 50 held the provider to ≈ 17 workers/s).
   * Set it to bound what one replica may ask of a shared API server. @defaultValue 0
   */
  qps?: number;
  /** Requests allowed at once above `qps` (≥ qps). @defaultValue 2 × qps */
  burst?: number;
  /**
   * Client-side timeout of every non-watch request (and of a watch's response headers): no answer
   * within it is an API error with code="timeout" (retried when safe). Shorter than any hang an
   * SLO should notice. @defaultValue 10000
   */
  requestTimeoutMs?: number;
  /** Attempts of a retriable request, the first included. @defaultValue 6 */
  maxAttempts?: number;
  /** Consecutive failures that open the circuit breaker. @defaultValue 10 */
  breakerThreshold?: number;
  /** How long the breaker stays open before one probe request. @defaultValue 5000 */
  breakerCooldownMs?: number;
  /** Period of the provider's own reconcile (adoption, orphans, Secrets, retention). @defaultValue 10000 */
  reconcileIntervalMs?: number;
  /** Grace period given to pods on terminate. @defaultValue 5 */
  terminationGracePeriodSeconds?: number;
  /** Extra environment for agents (never secrets: use the job's secrets). */
  workerEnv?: Record<string, string>;
  /** Provider instance id, recorded on every pod as `hodei.io/provider-id`. @defaultValue "kubernetes" */
  id?: string;
  /** Default-deny ingress + egress allow-list for worker pods (docs/network-policy.md). */
  networkPolicy?: NetworkPolicySettings;
}

export type KubernetesOptions = Required<Omit<KubernetesSettings, 'kubeconfig' | 'context' | 'serviceAccount' | 'affinity' | 'controlPlaneUrl' | 'maxResources' | 'imagePullPolicy' | 'networkPolicy'>>
  & Pick<KubernetesSettings, 'kubeconfig' | 'context' | 'serviceAccount' | 'affinity' | 'controlPlaneUrl' | 'maxResources' | 'imagePullPolicy' | 'networkPolicy'>;

export const DEFAULT_NAMESPACE = 'hodei-jobs-workers';

export function defaultKubernetesOptions(): KubernetesOptions {
  return {
    namespace: DEFAULT_NAMESPACE, createNamespace: true, tenantNamespaces: false, workerImage: `hodei-worker:${VERSION}`,
    imagePullSecrets: [], nodeSelector: {}, tolerations: [], defaultResources: { cpu: '100m', memory: '256Mi' },
    maxConcurrentWorkers: 0, podRetention: 'never', pendingTimeoutMs: 300_000, startFailureGraceMs: 10_000, qps: 0, burst: 0,
    requestTimeoutMs: 10_000, maxAttempts: 6, breakerThreshold: 10, breakerCooldownMs: 5000, reconcileIntervalMs: 10_000,
    terminationGracePeriodSeconds: 5, workerEnv: {}, id: 'kubernetes',
  };
}

const quantity = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$', description: 'a Kubernetes quantity like 500m or 256Mi' };
const resources = {
  type: 'object', additionalProperties: false,
  properties: { cpu: quantity, memory: quantity, gpu: { type: 'integer', minimum: 0, maximum: 64 } },
};
const dnsLabel = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', description: 'a DNS label (lowercase letters, digits, -; at most 63)' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });

const schema = {
  type: 'object', additionalProperties: false,
  properties: {
    kubeconfig: { type: 'string', minLength: 1 },
    context: { type: 'string', minLength: 1 },
    namespace: dnsLabel,
    createNamespace: { type: 'boolean' },
    tenantNamespaces: { type: 'boolean' },
    workerImage: { type: 'string', minLength: 1, pattern: '^[^\\s]+$', description: 'an image reference without spaces' },
    imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
    imagePullSecrets: { type: 'array', items: dnsLabel, maxItems: 16 },
    serviceAccount: dnsLabel,
    nodeSelector: stringMap,
    tolerations: {
      type: 'array', items: {
        type: 'object', additionalProperties: false,
        properties: { key: { type: 'string' }, operator: { enum: ['Exists', 'Equal'] }, value: { type: 'string' },
          effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''] }, tolerationSeconds: { type: 'integer' } },
      },
    },
    affinity: { type: 'object' },
    defaultResources: resources,
    maxResources: resources,
    maxConcurrentWorkers: int(0, 100_000),
    podRetention: { enum: ['never', 'onFailure', 'always'] },
    controlPlaneUrl: { type: 'string', pattern: '^https?://', description: 'an http:// or https:// URL' },
    pendingTimeoutMs: int(500, 86_400_000),
    startFailureGraceMs: int(0, 3_600_000),
    qps: { type: 'number', minimum: 0, maximum: 100_000 },
    burst: int(1, 100_000),
    requestTimeoutMs: int(100, 600_000),
    maxAttempts: int(1, 20),
    breakerThreshold: int(1, 1000),
    breakerCooldownMs: int(10, 600_000),
    reconcileIntervalMs: int(100, 3_600_000),
    terminationGracePeriodSeconds: int(0, 3600),
    workerEnv: stringMap,
    id: dnsLabel,
    networkPolicy: networkPolicySchema,
  },
} as const;

const validate = compileValidator<KubernetesSettings>(schema, 'config');

/** Keys of the `kubernetes` section (config view, docs/configuration.md, "did you mean"). */
export const KUBERNETES_SETTING_KEYS = Object.keys(schema.properties) as Array<keyof KubernetesSettings>;

/** Validates a settings object; throws ConfigError naming `kubernetes.<field>` and the rule. */
export function validateKubernetesSettings(settings: unknown): KubernetesSettings {
  try {
    return validate(settings ?? {});
  } catch (err) {
    if (err instanceof ValidationError) {
      const d = err.details as { field?: string; rule?: string } | undefined;
      throw new ConfigError(`kubernetes.${d?.field ?? '(root)'}`, d?.rule ?? 'is invalid');
    }
    throw err;
  }
}

/** Settings + defaults → options the provider runs with. */
export function resolveKubernetesOptions(settings: KubernetesSettings = {}): KubernetesOptions {
  const s = validateKubernetesSettings(structuredClone(settings));
  const o: KubernetesOptions = { ...defaultKubernetesOptions(), ...stripUndefined(s) };
  if (s.burst === undefined) o.burst = o.qps > 0 ? Math.max(1, Math.ceil(o.qps * 2)) : 0;
  else if (o.qps > 0 && o.burst < Math.ceil(o.qps)) throw new ConfigError('kubernetes.burst', `must be >= qps (${o.qps})`);
  return o;
}

/** HODEI_K8S_* variables (and HODEI_WORKER_IMAGE) and the settings key each one sets (exported for src/config.ts, the settings table). */
export const KUBERNETES_ENV: Record<string, { key: keyof KubernetesSettings; kind: 'string' | 'int' | 'number' | 'bool' | 'list' | 'json' }> = {
  HODEI_K8S_KUBECONFIG: { key: 'kubeconfig', kind: 'string' },
  HODEI_K8S_CONTEXT: { key: 'context', kind: 'string' },
  HODEI_K8S_NAMESPACE: { key: 'namespace', kind: 'string' },
  HODEI_K8S_CREATE_NAMESPACE: { key: 'createNamespace', kind: 'bool' },
  HODEI_K8S_TENANT_NAMESPACES: { key: 'tenantNamespaces', kind: 'bool' },
  HODEI_WORKER_IMAGE: { key: 'workerImage', kind: 'string' },
  HODEI_K8S_IMAGE_PULL_POLICY: { key: 'imagePullPolicy', kind: 'string' },
  HODEI_K8S_IMAGE_PULL_SECRETS: { key: 'imagePullSecrets', kind: 'list' },
  HODEI_K8S_SERVICE_ACCOUNT: { key: 'serviceAccount', kind: 'string' },
  HODEI_K8S_NODE_SELECTOR: { key: 'nodeSelector', kind: 'json' },
  HODEI_K8S_TOLERATIONS: { key: 'tolerations', kind: 'json' },
  HODEI_K8S_AFFINITY: { key: 'affinity', kind: 'json' },
  HODEI_K8S_DEFAULT_RESOURCES: { key: 'defaultResources', kind: 'json' },
  HODEI_K8S_MAX_RESOURCES: { key: 'maxResources', kind: 'json' },
  HODEI_K8S_MAX_CONCURRENT_WORKERS: { key: 'maxConcurrentWorkers', kind: 'int' },
  HODEI_K8S_POD_RETENTION: { key: 'podRetention', kind: 'string' },
  HODEI_K8S_CONTROL_PLANE_URL: { key: 'controlPlaneUrl', kind: 'string' },
  HODEI_K8S_PENDING_TIMEOUT_MS: { key: 'pendingTimeoutMs', kind: 'int' },
  HODEI_K8S_START_FAILURE_GRACE_MS: { key: 'startFailureGraceMs', kind: 'int' },
  HODEI_K8S_QPS: { key: 'qps', kind: 'number' },
  HODEI_K8S_BURST: { key: 'burst', kind: 'int' },
  HODEI_K8S_REQUEST_TIMEOUT_MS: { key: 'requestTimeoutMs', kind: 'int' },
  HODEI_K8S_RECONCILE_INTERVAL_MS: { key: 'reconcileIntervalMs', kind: 'int' },
  HODEI_K8S_PROVIDER_ID: { key: 'id', kind: 'string' },
};

export function kubernetesSettingsFromEnv(env: NodeJS.ProcessEnv): KubernetesSettings {
  const out: Record<string, unknown> = {};
  for (const [name, { key, kind }] of Object.entries(KUBERNETES_ENV)) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    out[key] = parseEnv(name, raw, kind);
  }
  return out as KubernetesSettings;
}

function parseEnv(name: string, raw: string, kind: string): unknown {
  switch (kind) {
    case 'int':
      if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got '${raw.slice(0, 40)}'`);
      return Number(raw);
    case 'number':
      if (!Number.isFinite(Number(raw))) throw new ConfigError(name, `must be a number, got '${raw.slice(0, 40)}'`);
      return Number(raw);
    case 'bool':
      if (!/^(true|false|1|0)$/i.test(raw)) throw new ConfigError(name, 'must be true or false');
      return /^(true|1)$/i.test(raw);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new ConfigError(name, 'must be JSON');
      }
    default:
      return raw;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
