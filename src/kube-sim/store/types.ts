// Wire-shaped Kubernetes object types used by the store. Objects are plain JSON (timestamps are
// RFC 3339 strings), exactly what goes over the wire; controllers may narrow them with their own types.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A stored object: always has name, uid and resourceVersion. Deep-frozen: clone before editing. */
export type StoredObject<T extends KubeObject = KubeObject> = T & {
  metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
};

/** Static description of one API resource (also drives discovery). */
export interface ResourceDef {
  group: string; // '' for core
  version: string;
  resource: string; // plural, e.g. 'pods'
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  verbs: string[];
  subresources: string[]; // e.g. ['status', 'log']
  categories?: string[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface StoreEvent {
  type: WatchEventType;
  object: KubeObject;
  /** Numeric resourceVersion of the change (for BOOKMARK: the current store version). */
  rv: number;
  /** Object before the change (MODIFIED/DELETED), for controllers that diff. */
  old?: KubeObject;
  /** `{"type":..,"object":..}\n`, serialised once and shared by every watcher. */
  line(): string;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Kubernetes timestamps have second precision: 2024-01-02T03:04:05Z. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const jsonCache = new WeakMap<object, string>();
/** JSON of a stored (frozen, never mutated) object, computed once and shared by lists and watches. */
export function toJson(o: KubeObject): string {
  let s = jsonCache.get(o);
  if (s === undefined) { s = JSON.stringify(o); if (Object.isFrozen(o)) jsonCache.set(o, s); }
  return s;
}
