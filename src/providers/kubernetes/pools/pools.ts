// Worker pools (issue 4 item 5): a pool is a Deployment of long-lived `hodei worker` pods plus an
// autoscaling/v2 HPA (spec.ts). Its agents register with the pool's bootstrap token (a Secret
// the Deployment references; only its hash is stored, in the control plane's `pools` table) as new
// pooled workers. This manager is the library API (create/update/delete/get/list with status) and
// a provider extension: it watches the pools' HPAs and measures the HPA response time
// (response.ts). Metrics and platform events go out on `events` (observability/kubernetes/extras-observer.ts binds them).
import { EventEmitter } from 'node:events';
import { AppsV1Api, AutoscalingV2Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { HodeiError, ValidationError } from '../../../errors/errors.js';
import { POOL_TOKEN_PREFIX } from '../../../gateway/protocol.js';
import type { PoolRecord, PoolStore } from '../../../store/store.js';
import { hashToken, newToken } from '../../../util/tokens.js';
import { compileValidator } from '../../../util/validate.js';
import { apiMessage, isConflict, isNotFound } from '../client/api-errors.js';
import type { KubernetesOptions } from '../config.js';
import type { ExtensionContext, ProviderExtension } from '../kubernetes-provider.js';
import { LABEL, MANAGED_BY } from '../labels.js';
import { NetpolViolationWatch, NetworkPolicyExtension } from '../network-policy/network-policy.js';
import { HpaResponseTracker, type HpaScaled } from './response.js';
import {
  POOL_LABEL, POOL_NAME_PATTERN, poolDeployment, poolHpa, poolObjectName, poolSecret, poolSecretName, poolSpecProperties, type PoolSpec,
} from './spec.js';
import { WatchCache } from './watch-cache.js';

/** What the manager needs from the control plane's store. */
export type PoolRegistry = Pick<PoolStore, 'createPool' | 'getPool' | 'listPools' | 'updatePool' | 'deletePool' | 'countPoolWorkers'>;

export interface PoolCondition { type: string; status: string; reason?: string; message?: string }

export interface PoolStatus {
  desiredReplicas: number | null;
  currentReplicas: number | null;
  /** Pool workers registered and live (ready or busy) in the control plane. */
  readyWorkers: number;
  /** The HPA's AbleToScale / ScalingActive / ScalingLimited. */
  conditions: PoolCondition[];
  lastScaleTime: string | null;
}

export interface PoolView {
  name: string;
  spec: PoolSpec;
  namespace: string;
  createdAt: string;
  updatedAt: string;
  status: PoolStatus;
}

export type PoolUpdate = Partial<Pick<PoolSpec, 'min' | 'max' | 'target' | 'scaleDownStabilizationSeconds'>>;

export interface PoolEventMap {
  /** An HPA write of ours: create, update, delete. */
  'hpa.operation': [ev: { pool: string; namespace: string; operation: 'create' | 'update' | 'delete'; spec?: PoolSpec }];
  /** A desired-replica change reached by the pool's registered workers; `durationMs` is the HPA response time. */
  'hpa.scaled': [ev: HpaScaled & { namespace: string }];
}

const validateSpec = compileValidator<PoolSpec>({
  type: 'object', additionalProperties: false, required: ['min', 'max', 'target'], properties: poolSpecProperties,
}, 'pool');
const NAME = new RegExp(POOL_NAME_PATTERN);
const LIVE = ['ready', 'busy'] as const;

export function checkPoolSpec(name: string, spec: unknown): PoolSpec {
  if (!NAME.test(name)) throw new ValidationError(`name: must match ${POOL_NAME_PATTERN} (a DNS label of at most 40 characters)`, { field: 'name' });
  const s = validateSpec(structuredClone(spec));
  if (s.min > s.max) throw new ValidationError(`min (${s.min}) must not exceed max (${s.max})`, { field: 'min' });
  return s;
}

type Hpa = V2HorizontalPodAutoscaler & { metadata: { name: string; namespace: string } };

export class PoolManager implements ProviderExtension {
  readonly name = 'pools';
  readonly events = new EventEmitter<PoolEventMap>();
  private ctx: ExtensionContext | undefined;
  private apps: AppsV1Api | undefined;
  private autoscaling: AutoscalingV2Api | undefined;
  private registry: PoolRegistry | undefined;
  private serverUrl: string | undefined;
  private hpas: WatchCache<Hpa> | undefined;
  private readonly response: HpaResponseTracker;

  constructor(private readonly options: KubernetesOptions) {
    this.response = new HpaResponseTracker({
      count: (pool) => this.requireRegistry().countPoolWorkers(pool, LIVE),
      onDone: (ev) => this.events.emit('hpa.scaled', { ...ev, namespace: this.options.namespace }),
      onError: (err) => this.ctx?.logger.warn({ err: apiMessage(err) }, 'counting pool workers failed'),
    });
  }

  /** The control plane lends its store and the URL agents call back to. */
  bind(registry: PoolRegistry, serverUrl?: string): void {
    this.registry = registry;
    if (serverUrl) this.serverUrl = serverUrl;
  }

  async start(ctx: ExtensionContext): Promise<void> {
    this.ctx = ctx;
    this.apps = ctx.client.api(AppsV1Api);
    this.autoscaling = ctx.client.api(AutoscalingV2Api);
    // Not fatal: a cluster role without HPA access can still run ephemeral workers.
    await this.watchHpas().catch((err: unknown) => ctx.logger.warn({ err: apiMessage(err) }, 'cannot watch pool HPAs; retried on the next pool operation'));
  }

  async stop(): Promise<void> {
    this.response.stop();
    await this.hpas?.stop();
  }

  async create(name: string, input: unknown): Promise<PoolView> {
    const spec = checkPoolSpec(name, input);
    const { registry, apps, autoscaling, ctx } = this.ready();
    const o = this.options;
    const token = POOL_TOKEN_PREFIX + newToken();
    const rec = await registry.createPool({ name, providerId: o.id, spec: { ...spec }, tokenHash: hashToken(token), createdAt: new Date() });
    try {
      await upsert(() => ctx.core.createNamespacedSecret({ namespace: o.namespace, body: poolSecret(o, name, token) }),
        () => ctx.core.replaceNamespacedSecret({ namespace: o.namespace, name: poolSecretName(name), body: poolSecret(o, name, token) }));
      const dep = poolDeployment(o, name, spec, o.controlPlaneUrl ?? this.requireUrl());
      await upsert(() => apps.createNamespacedDeployment({ namespace: o.namespace, body: dep }),
        () => apps.replaceNamespacedDeployment({ namespace: o.namespace, name: poolObjectName(name), body: dep }));
      await this.writeHpa(autoscaling, name, spec);
      this.events.emit('hpa.operation', { pool: name, namespace: o.namespace, operation: 'create', spec });
    } catch (err) {
      await this.delete(name).catch(() => undefined);
      throw providerError(`creating pool ${name}`, err);
    }
    await this.watchHpas().catch(() => undefined);
    ctx.logger.info({ pool: name, min: spec.min, max: spec.max, target: spec.target.type }, 'worker pool created');
    return this.view(rec);
  }

  async update(name: string, patch: PoolUpdate): Promise<PoolView> {
    const { registry, autoscaling, ctx } = this.ready();
    const rec = await registry.getPool(name);
    if (!rec) throw notFound(name);
    const spec = checkPoolSpec(name, { ...rec.spec, ...stripUndefined(patch) });
    try {
      await this.writeHpa(autoscaling, name, spec);
    } catch (err) {
      throw providerError(`updating pool ${name}`, err);
    }
    const updated = await registry.updatePool(name, { ...spec }, new Date());
    if (!updated) throw notFound(name);
    this.events.emit('hpa.operation', { pool: name, namespace: this.options.namespace, operation: 'update', spec });
    ctx.logger.info({ pool: name, min: spec.min, max: spec.max, target: spec.target.type }, 'worker pool updated');
    return this.view(updated);
  }

  /** Revokes the bootstrap token first, then deletes the HPA, the Deployment (its pods go with it) and the Secret. */
  async delete(name: string): Promise<boolean> {
    const { registry, apps, autoscaling, ctx } = this.ready();
    const existed = await registry.deletePool(name);
    const namespace = this.options.namespace;
    const object = poolObjectName(name);
    this.response.forget(name);
    const hpaDeleted = await gone(() => autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace, name: object }));
    if (hpaDeleted) this.events.emit('hpa.operation', { pool: name, namespace, operation: 'delete' });
    await gone(() => apps.deleteNamespacedDeployment({ namespace, name: object, propagationPolicy: 'Background' }));
    await gone(() => ctx.core.deleteNamespacedSecret({ namespace, name: poolSecretName(name) }));
    if (existed) ctx.logger.info({ pool: name }, 'worker pool deleted');
    return existed;
  }

  async get(name: string): Promise<PoolView> {
    const rec = await this.requireRegistry().getPool(name);
    if (!rec) throw notFound(name);
    return this.view(rec);
  }

  async list(): Promise<PoolView[]> {
    const recs = await this.requireRegistry().listPools();
    return Promise.all(recs.filter((r) => r.providerId === this.options.id).map((r) => this.view(r)));
  }

  private async view(rec: PoolRecord): Promise<PoolView> {
    const hpa = await this.hpa(rec.name);
    const s = hpa?.status;
    return {
      name: rec.name, spec: rec.spec as unknown as PoolSpec, namespace: this.options.namespace, createdAt: rec.createdAt, updatedAt: rec.updatedAt,
      status: {
        desiredReplicas: s?.desiredReplicas ?? null, currentReplicas: s?.currentReplicas ?? null,
        readyWorkers: await this.requireRegistry().countPoolWorkers(rec.name, LIVE),
        conditions: (s?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) })),
        lastScaleTime: s?.lastScaleTime ? new Date(s.lastScaleTime).toISOString() : null,
      },
    };
  }

  private async hpa(pool: string): Promise<V2HorizontalPodAutoscaler | undefined> {
    const cached = this.hpas?.get(poolObjectName(pool));
    if (cached || this.hpas) return cached;
    try {
      return await this.autoscaling?.readNamespacedHorizontalPodAutoscaler({ namespace: this.options.namespace, name: poolObjectName(pool) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw providerError(`reading the HPA of pool ${pool}`, err);
    }
  }

  private async writeHpa(api: AutoscalingV2Api, pool: string, spec: PoolSpec): Promise<void> {
    const namespace = this.options.namespace;
    const name = poolObjectName(pool);
    const body = poolHpa(this.options, pool, spec);
    await upsert(() => api.createNamespacedHorizontalPodAutoscaler({ namespace, body }), async () => {
      const cur = await api.readNamespacedHorizontalPodAutoscaler({ namespace, name });
      await api.replaceNamespacedHorizontalPodAutoscaler({
        namespace, name, body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion ?? '' }, ...(cur.status ? { status: cur.status } : {}) },
      });
    });
  }

  private async watchHpas(): Promise<void> {
    const ctx = this.ctx;
    if (this.hpas || !ctx) return;
    const cache = new WatchCache<Hpa>({
      client: ctx.client, logger: ctx.logger, what: 'pool HPA',
      path: `/apis/autoscaling/v2/namespaces/${encodeURIComponent(this.options.namespace)}/horizontalpodautoscalers`,
      labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${LABEL.providerId}=${this.options.id},${POOL_LABEL}`,
    });
    cache.on('upsert', (h, old) => {
      const pool = h.metadata.labels?.[POOL_LABEL];
      const to = h.status?.desiredReplicas;
      // Until the controller has computed once (conditions set), desiredReplicas is a placeholder.
      const from = old?.status?.conditions?.length ? old.status.desiredReplicas : undefined;
      if (pool && to !== undefined) this.response.onDesired(pool, from, to);
    });
    await cache.start();
    this.hpas = cache;
  }

  private ready(): { registry: PoolRegistry; apps: AppsV1Api; autoscaling: AutoscalingV2Api; ctx: ExtensionContext } {
    const { apps, autoscaling, ctx } = this;
    if (!apps || !autoscaling || !ctx) throw new HodeiError('CONFLICT', 'the kubernetes provider has not started yet');
    return { registry: this.requireRegistry(), apps, autoscaling, ctx };
  }

  private requireRegistry(): PoolRegistry {
    if (!this.registry) throw new HodeiError('CONFLICT', 'worker pools are not bound to a control plane store');
    return this.registry;
  }

  private requireUrl(): string {
    if (!this.serverUrl) throw new HodeiError('CONFLICT', 'no control-plane URL for pool workers: set kubernetes.controlPlaneUrl');
    return this.serverUrl;
  }
}

/** The provider's built-in extensions, in start order. */
export interface BuiltinExtensions {
  netpol: NetworkPolicyExtension | undefined;
  /** Runtime NetworkPolicyViolation events of worker pods: always watched. */
  violations: NetpolViolationWatch;
  pools: PoolManager;
  all: ProviderExtension[];
}

export function builtinExtensions(o: KubernetesOptions): BuiltinExtensions {
  const netpol = o.networkPolicy?.enabled ? new NetworkPolicyExtension(o.networkPolicy) : undefined;
  const pools = new PoolManager(o);
  const violations = new NetpolViolationWatch();
  return { netpol, violations, pools, all: [...(netpol ? [netpol] : []), violations, pools] };
}

/** Create, or on 409 (exists: a retry or a leftover) replace. */
async function upsert(create: () => Promise<unknown>, replace: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isConflict(err)) throw err;
    await replace();
  }
}

/** Deletes; true when it existed. */
async function gone(del: () => Promise<unknown>): Promise<boolean> {
  try {
    await del();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

function notFound(name: string): HodeiError {
  return new HodeiError('NOT_FOUND', `pool '${name}' not found`, { name });
}

function providerError(what: string, err: unknown): HodeiError {
  if (err instanceof HodeiError) return err;
  return new HodeiError('PROVIDER_ERROR', `${what}: ${apiMessage(err)}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
