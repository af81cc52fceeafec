// Worker pools as the control plane owns them: the pool's record and its bootstrap token (only the
// token's hash is stored; agents register with it as new pooled workers, see worker-sessions.ts).
// The Kubernetes objects (Secret, Deployment, HPA) are the provider's (its PoolManager); with any
// other provider every operation answers 409 CONFLICT ("pools need the kubernetes provider").
import { HodeiError, ValidationError } from '../errors/errors.js';
import { POOL_TOKEN_PREFIX } from '../gateway/protocol.js';
import type { Logger } from '../observability/logger.js';
import type { PoolHpaStatus, PoolManager } from '../providers/kubernetes/pools/pools.js';
import { POOL_NAME_PATTERN, poolSpecProperties, type PoolSpec } from '../providers/kubernetes/pools/spec.js';
import type { WorkerProvider } from '../providers/provider.js';
import type { PoolRecord, PoolStore } from '../store/store.js';
import { hashToken, newToken } from '../util/tokens.js';
import { compileValidator } from '../util/validate.js';

export interface PoolStatus extends PoolHpaStatus {
  /** Pool workers registered and live (ready or busy) in the control plane. */
  readyWorkers: number;
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

/** What the service needs of the provider's pools: the Kubernetes objects of a pool. */
export type PoolBackend = Pick<PoolManager, 'deploy' | 'resize' | 'remove' | 'status' | 'namespace'> & { events?: PoolManager['events'] };

const validateSpec = compileValidator<PoolSpec>({
  type: 'object', additionalProperties: false, required: ['min', 'max', 'target'], properties: poolSpecProperties,
}, 'pool');
const NAME = new RegExp(POOL_NAME_PATTERN);
export const LIVE_POOL_WORKER_STATES = ['ready', 'busy'] as const;

export function checkPoolSpec(name: string, spec: unknown): PoolSpec {
  if (!NAME.test(name)) throw new ValidationError(`name: must match ${POOL_NAME_PATTERN} (a DNS label of at most 40 characters)`, { field: 'name' });
  const s = validateSpec(structuredClone(spec));
  if (s.min > s.max) throw new ValidationError(`min (${s.min}) must not exceed max (${s.max})`, { field: 'min' });
  return s;
}

/** The PoolManager of a Kubernetes provider (also through observability's transparent wrapper). */
export function poolsOf(provider: WorkerProvider): PoolManager | undefined {
  return (provider as Partial<{ extras: { pools?: PoolManager } }>).extras?.pools;
}

export class PoolService {
  constructor(private readonly o: {
    store: PoolStore;
    /** The provider's pools; undefined with a provider that has none. */
    backend: PoolBackend | undefined;
    providerId: string;
    /** The URL pool agents call back to (known once the server listens). */
    serverUrl: () => string;
    logger: Logger;
  }) {
    // A deleted worker namespace took every pool's objects along: once it is recreated, deploy them again.
    o.backend?.events?.on('namespace.recreated', ({ namespace }) => void this.redeployAll(namespace));
  }

  /**
   * Deploys every pool of this provider again (Secret, Deployment, HPA), each with a new bootstrap
   * token: only the old one's hash is kept, and its Secret is gone. A pool that fails is logged
   * and left for `hodei pools` to show (its HPA status is empty).
   */
  async redeployAll(namespace: string): Promise<string[]> {
    const backend = this.backend();
    const done: string[] = [];
    for (const rec of (await this.o.store.listPools()).filter((r) => r.providerId === this.o.providerId)) {
      const spec = rec.spec as unknown as PoolSpec;
      const token = POOL_TOKEN_PREFIX + newToken();
      try {
        if (!await this.o.store.setPoolToken(rec.name, hashToken(token), new Date())) continue; // deleted meanwhile
        await backend.deploy(rec.name, spec, token, this.o.serverUrl());
        done.push(rec.name);
      } catch (err) {
        this.o.logger.error({ pool: rec.name, namespace, err }, 'redeploying a worker pool after its namespace was recreated failed');
      }
    }
    if (done.length) this.o.logger.warn({ namespace, pools: done }, 'worker namespace was recreated; deployed its pools again');
    return done;
  }

  /** Stores the pool with a new bootstrap token, then has the provider create its objects; on failure nothing is left. */
  async create(name: string, input: unknown): Promise<PoolView> {
    const spec = checkPoolSpec(name, input);
    const backend = this.backend();
    const token = POOL_TOKEN_PREFIX + newToken();
    const rec = await this.o.store.createPool({ name, providerId: this.o.providerId, spec: { ...spec }, tokenHash: hashToken(token), createdAt: new Date() });
    try {
      await backend.deploy(name, spec, token, this.o.serverUrl());
    } catch (err) {
      await this.o.store.deletePool(name).catch(() => undefined);
      throw err;
    }
    return this.view(rec, backend);
  }

  async update(name: string, patch: PoolUpdate): Promise<PoolView> {
    const backend = this.backend();
    const rec = await this.o.store.getPool(name);
    if (!rec) throw notFound(name);
    const spec = checkPoolSpec(name, { ...rec.spec, ...stripUndefined(patch) });
    await backend.resize(name, spec);
    const updated = await this.o.store.updatePool(name, { ...spec }, new Date());
    if (!updated) throw notFound(name);
    return this.view(updated, backend);
  }

  /** Revokes the bootstrap token first (the record goes), then the provider deletes the objects. */
  async delete(name: string): Promise<boolean> {
    const backend = this.backend();
    const existed = await this.o.store.deletePool(name);
    await backend.remove(name);
    if (existed) this.o.logger.info({ pool: name }, 'worker pool deleted');
    return existed;
  }

  async get(name: string): Promise<PoolView> {
    const backend = this.backend();
    const rec = await this.o.store.getPool(name);
    if (!rec) throw notFound(name);
    return this.view(rec, backend);
  }

  async list(): Promise<PoolView[]> {
    const backend = this.backend();
    const recs = await this.o.store.listPools();
    return Promise.all(recs.filter((r) => r.providerId === this.o.providerId).map((r) => this.view(r, backend)));
  }

  /** Live workers registered through the pool (the HPA response time counts them). */
  countLiveWorkers(pool: string): Promise<number> {
    return this.o.store.countPoolWorkers(pool, LIVE_POOL_WORKER_STATES);
  }

  private async view(rec: PoolRecord, backend: PoolBackend): Promise<PoolView> {
    const [hpa, readyWorkers] = await Promise.all([backend.status(rec.name), this.countLiveWorkers(rec.name)]);
    return {
      name: rec.name, spec: rec.spec as unknown as PoolSpec, namespace: backend.namespace, createdAt: rec.createdAt, updatedAt: rec.updatedAt,
      status: { ...hpa, readyWorkers },
    };
  }

  private backend(): PoolBackend {
    if (!this.o.backend) throw new HodeiError('CONFLICT', 'worker pools need the kubernetes provider');
    return this.o.backend;
  }
}

function notFound(name: string): HodeiError {
  return new HodeiError('NOT_FOUND', `pool '${name}' not found`, { name });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
