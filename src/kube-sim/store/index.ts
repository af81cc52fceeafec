/**
 * kube-sim object store — the simulated cluster's etcd + registry, shared by the API server and
 * the controllers (scheduler, kubelet, Deployment/ReplicaSet/HPA controllers...).
 *
 * How a controller uses it:
 *
 *   const { store } = ctx;                                   // ObjectStore
 *   // react to changes (synchronous, after commit; keep it cheap, queue work):
 *   const off = store.onChange(R.pods, (ev) => { if (ev.type !== 'DELETED') queue.add(ev.object) });
 *   // or consume a watch like a client does (async iterable, resumable by resourceVersion):
 *   for await (const ev of store.watch(R.pods, 'ns', { resourceVersion: '0' })) { ... }
 *   // read: objects are deep-frozen and shared — never mutate them; structuredClone to edit.
 *   const pod = store.get<Pod>(R.pods, 'ns', 'name');       // or store.mustGet → 404 StatusError
 *   const { items } = store.list(R.pods, undefined, { fieldSelector: 'spec.nodeName=' });
 *   // write: create/update/patch/delete throw StatusError (404/409/422/403...) like the API.
 *   store.mutate(R.pods, 'ns', 'name', (p) => { p.status = {...} }, { subresource: 'status' });
 *   store.update(R.deployments, obj, { subresource: 'status' });  // stale resourceVersion → 409
 *   store.delete(R.pods, 'ns', 'name', { gracePeriodSeconds: 0 }); // kubelet finishing a delete
 *
 * Resources are named by a ResourceDef (`R.pods`, `R.deployments`) or a string (`'pods'`,
 * `'deployments.apps'`, `'apps/v1/deployments'`). Every write gets the next global
 * resourceVersion. Deleting a scheduled pod only marks it (deletionTimestamp,
 * deletionGracePeriodSeconds): the kubelet stops the process then deletes with grace 0; if nobody
 * does, the store removes it when the grace period expires. Objects with finalizers stay until
 * the finalizers are removed by an update. Owner-reference dependants are garbage-collected in the
 * background; deleting a namespace deletes its contents, then the namespace.
 * Admission plugins (validation, quota) run inside create/update, so controller writes are
 * admitted exactly like client writes (status-subresource writes skip admission).
 * onChange listeners run synchronously inside the write: never block, and defer your own writes
 * (queueMicrotask/setImmediate) so every watcher sees events in resourceVersion order.
 * recordEvent(store, pod, {type: 'Warning', reason, message, component}) writes a core/v1 Event
 * that `kubectl describe` shows.
 */
export { ObjectStore, Bucket } from './store.js';
export type { StoreOptions, ListOptions, ListResult, WatchOptions, WriteOptions, AdmissionPlugin, ChangeListener } from './store.js';
export type { DeleteOptions, DeleteResult, PropagationPolicy } from './deletion.js';
export { Watcher } from './watch.js';
export { R, RESOURCES, STORED_RESOURCES, resolveResource, findResource, resourceKey, apiVersionOf } from './resources.js';
export type { ResourceRef } from './resources.js';
export { StatusError, errors, cause, qualified } from './errors.js';
export type { StatusBody, StatusCause, StatusDetails } from './errors.js';
export { parseLabelSelector, parseFieldSelector, labelSelectorMatches, fieldValue } from './selectors.js';
export type { LabelSelectorSpec, Matcher } from './selectors.js';
export { applyPatch, patchTypeOf } from './patch.js';
export { recordEvent } from './events.js';
export type { EventSpec } from './events.js';
export type { PatchType } from './patch.js';
export { rfc3339, systemClock, toJson } from './types.js';
export type { KubeObject, ObjectMeta, OwnerReference, StoredObject, ResourceDef, StoreEvent, WatchEventType, Clock } from './types.js';
