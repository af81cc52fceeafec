// Worker pools on Kubernetes (issue 4 item 5): a pool is a Deployment of long-lived `hodei worker`
// pods plus an autoscaling/v2 HPA (spec.ts), and a Secret holding the pool's bootstrap token. The
// pool's record and token belong to the control plane (jobs/pools.ts: it stores the record and the
// token's hash, and registers the agents); this extension only writes and reads the Kubernetes
// objects. It watches the pools' HPAs and measures the HPA response time (response.ts) with the
// worker count the control plane lends. HPA writes and scalings go out on `events`
// (observability/kubernetes/extras-observer.ts binds them).
import { EventEmitter } from 'node:events';
import { AppsV1Api, AutoscalingV2Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { HodeiError } from '../../../errors/errors.js';
import { apiMessage, isConflict, isNotFound } from '../client/api-errors.js';
import type { KubernetesOptions } from '../config.js';
import type { ExtensionContext, ProviderExtension } from '../extension.js';
import { LABEL, MANAGED_BY } from '../labels.js';
import { HpaResponseTracker, type HpaScaled } from './response.js';
import { POOL_LABEL, poolDeployment, poolHpa, poolObjectName, poolSecret, poolSecretName, type PoolSpec } from './spec.js';
import { WatchCache } from './watch-cache.js';

export interface PoolCondition { type: string; status: string; reason?: string; message?: string }

/** What the pool's HPA says (null/empty before it has computed once, or when it is gone). */
export interface PoolHpaStatus {
  desiredReplicas: number | null;
  currentReplicas: number | null;
  /** The HPA's AbleToScale / ScalingActive / ScalingLimited. */
  conditions: PoolCondition[];
  lastScaleTime: string | null;
}

export interface PoolEventMap {
  /** An HPA write of ours: create, update, delete. */
  'hpa.operation': [ev: { pool: string; namespace: string; operation: 'create' | 'update' | 'delete'; spec?: PoolSpec }];
  /** A desired-replica change reached by the pool's registered workers; `durationMs` is the HPA response time. */
  'hpa.scaled': [ev: HpaScaled & { namespace: string }];
  /**
   * The pools' namespace was deleted outside Hodei and recreated: their Secrets, Deployments and
   * HPAs went with it. The pool service deploys them again (with new bootstrap tokens: only their
   * hashes are kept).
   */
  'namespace.recreated': [ev: { namespace: string }];
}

/** Live (ready or busy) workers registered through a pool, counted by the control plane. */
export type PoolWorkerCount = (pool: string) => Promise<number>;

type Hpa = V2HorizontalPodAutoscaler & { metadata: { name: string; namespace: string } };

export class PoolManager implements ProviderExtension {
  readonly name = 'pools';
  readonly events = new EventEmitter<PoolEventMap>();
  private ctx: ExtensionContext | undefined;
  private apps: AppsV1Api | undefined;
  private autoscaling: AutoscalingV2Api | undefined;
  private hpas: WatchCache<Hpa> | undefined;
  /** Without a worker count (a provider built without a control plane) the response time is not measured. */
  private readonly response: HpaResponseTracker | undefined;

  constructor(private readonly options: KubernetesOptions, countWorkers?: PoolWorkerCount) {
    this.response = countWorkers && new HpaResponseTracker({
      count: countWorkers,
      onDone: (ev) => this.events.emit('hpa.scaled', { ...ev, namespace: this.options.namespace }),
      onError: (err) => this.ctx?.logger.warn({ err: apiMessage(err) }, 'counting pool workers failed'),
    });
  }

  async start(ctx: ExtensionContext): Promise<void> {
    this.ctx = ctx;
    this.apps = ctx.client.api(AppsV1Api);
    this.autoscaling = ctx.client.api(AutoscalingV2Api);
    ctx.events.on('namespace.created', ({ namespace, recreated }) => {
      if (recreated && namespace === this.options.namespace) this.events.emit('namespace.recreated', { namespace });
    });
    // Not fatal: a cluster role without HPA access can still run ephemeral workers.
    await this.watchHpas().catch((err: unknown) => ctx.logger.warn({ err: apiMessage(err) }, 'cannot watch pool HPAs; retried on the next pool operation'));
  }

  async stop(): Promise<void> {
    this.response?.stop();
    await this.hpas?.stop();
  }

  /**
   * Writes the pool's Secret (its bootstrap token), Deployment (agents calling `serverUrl` unless
   * `kubernetes.controlPlaneUrl` is set) and HPA; created or, when left over, replaced. On failure
   * what was written is deleted and a PROVIDER_ERROR names the step.
   */
  async deploy(name: string, spec: PoolSpec, token: string, serverUrl: string): Promise<void> {
    const { apps, autoscaling, ctx } = this.ready();
    const o = this.options;
    try {
      await upsert(() => ctx.core.createNamespacedSecret({ namespace: o.namespace, body: poolSecret(o, name, token) }),
        () => ctx.core.replaceNamespacedSecret({ namespace: o.namespace, name: poolSecretName(name), body: poolSecret(o, name, token) }));
      const dep = poolDeployment(o, name, spec, o.controlPlaneUrl ?? serverUrl);
      await upsert(() => apps.createNamespacedDeployment({ namespace: o.namespace, body: dep }),
        () => apps.replaceNamespacedDeployment({ namespace: o.namespace, name: poolObjectName(name), body: dep }));
      await this.writeHpa(autoscaling, name, spec);
      this.events.emit('hpa.operation', { pool: name, namespace: o.namespace, operation: 'create', spec });
    } catch (err) {
      await this.remove(name).catch(() => undefined);
      throw providerError(`creating pool ${name}`, err);
    }
    await this.watchHpas().catch(() => undefined);
    ctx.logger.info({ pool: name, min: spec.min, max: spec.max, target: spec.target.type }, 'worker pool created');
  }

  /** Rewrites the pool's HPA with a new spec (min, max, target, scale-down window). */
  async resize(name: string, spec: PoolSpec): Promise<void> {
    const { autoscaling, ctx } = this.ready();
    try {
      await this.writeHpa(autoscaling, name, spec);
    } catch (err) {
      throw providerError(`updating pool ${name}`, err);
    }
    this.events.emit('hpa.operation', { pool: name, namespace: this.options.namespace, operation: 'update', spec });
    ctx.logger.info({ pool: name, min: spec.min, max: spec.max, target: spec.target.type }, 'worker pool updated');
  }

  /** Deletes the HPA, the Deployment (its pods go with it) and the Secret; missing ones are skipped. */
  async remove(name: string): Promise<void> {
    const { apps, autoscaling, ctx } = this.ready();
    const namespace = this.options.namespace;
    const object = poolObjectName(name);
    this.response?.forget(name);
    const hpaDeleted = await gone(() => autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace, name: object }));
    if (hpaDeleted) this.events.emit('hpa.operation', { pool: name, namespace, operation: 'delete' });
    await gone(() => apps.deleteNamespacedDeployment({ namespace, name: object, propagationPolicy: 'Background' }));
    await gone(() => ctx.core.deleteNamespacedSecret({ namespace, name: poolSecretName(name) }));
  }

  /** The pool's HPA status, from the watch cache when it runs. */
  async status(name: string): Promise<PoolHpaStatus> {
    const s = (await this.hpa(name))?.status;
    return {
      desiredReplicas: s?.desiredReplicas ?? null, currentReplicas: s?.currentReplicas ?? null,
      conditions: (s?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) })),
      lastScaleTime: s?.lastScaleTime ? new Date(s.lastScaleTime).toISOString() : null,
    };
  }

  /** The Kubernetes namespace the pools live in. */
  get namespace(): string {
    return this.options.namespace;
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
      if (pool && to !== undefined) this.response?.onDesired(pool, from, to);
    });
    await cache.start();
    this.hpas = cache;
  }

  private ready(): { apps: AppsV1Api; autoscaling: AutoscalingV2Api; ctx: ExtensionContext } {
    const { apps, autoscaling, ctx } = this;
    if (!apps || !autoscaling || !ctx) throw new HodeiError('CONFLICT', 'the kubernetes provider has not started yet');
    return { apps, autoscaling, ctx };
  }
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

function providerError(what: string, err: unknown): HodeiError {
  if (err instanceof HodeiError) return err;
  return new HodeiError('PROVIDER_ERROR', `${what}: ${apiMessage(err)}`);
}
