// Picks the WorkerProvider from config: the one place that knows every provider.
import type { HodeiConfig } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { KubernetesProvider } from './kubernetes/kubernetes-provider.js';
import type { WorkerLookup } from './kubernetes/pods/worker-tracker.js';
import type { PoolWorkerCount } from './kubernetes/pools/pools.js';
import { LocalProcessProvider } from './local/local-provider.js';
import type { WorkerProvider } from './provider.js';

/** What the control plane lends providers that want it. */
export interface ProviderDeps {
  /** The store's record of a worker (Kubernetes: agent registration time, orphan detection). */
  lookupWorker?: WorkerLookup;
  /** Live workers registered through a pool (Kubernetes: the HPA response time). */
  countPoolWorkers?: PoolWorkerCount;
}

export function createProvider(cfg: HodeiConfig, logger: Logger, deps: ProviderDeps = {}): WorkerProvider {
  switch (cfg.provider) {
    case 'local':
      return new LocalProcessProvider({ logger });
    case 'kubernetes':
      return new KubernetesProvider({
        settings: cfg.kubernetes ?? {}, logger, ...(deps.lookupWorker ? { lookupWorker: deps.lookupWorker } : {}),
        ...(deps.countPoolWorkers ? { countPoolWorkers: deps.countPoolWorkers } : {}),
        // Readiness judges the API error rate by the same SLO target as /v1/slo and the alert rules.
        ...(cfg.slo?.maxApiErrorRate !== undefined ? { maxApiErrorRate: cfg.slo.maxApiErrorRate } : {}),
      });
  }
}
