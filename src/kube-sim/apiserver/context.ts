// What the HTTP handlers share.
import type { ObjectStore } from '../store/index.js';
import type { Faults } from '../faults.js';
import type { Rbac, RbacUser } from '../rbac.js';
import type { SimStats } from '../stats.js';
import type { PodLogRegistry, SimLogger } from '../types.js';

export interface ApiContext {
  store: ObjectStore;
  rbac: Rbac;
  faults: Faults;
  stats: SimStats;
  podLogs: PodLogRegistry;
  logger: SimLogger;
  now(): number;
  bookmarkIntervalMs: number;
  /** Closed when the server stops: long-lived streams end. */
  stopping: AbortSignal;
}

export interface RequestScope {
  user: RbacUser;
  query: URLSearchParams;
  accept: string | undefined;
  contentType: string | undefined;
  /** Watch cut injected by a fault rule. */
  watchCut?: { events?: number; seconds?: number };
}
