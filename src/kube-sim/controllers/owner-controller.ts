// The loop shared by controllers that own objects (Deployment → ReplicaSets, ReplicaSet → pods):
// an owner is (re)synced when it changes or when one of the objects it controls changes.
import type { ObjectStore, ResourceRef } from '../store/index.js';
import type { SimContext, SimController } from '../types.js';
import { EventRecorder } from './events.js';
import { controllerOf, podKey } from './pod-types.js';
import { WorkQueue } from './workqueue.js';

export abstract class OwnerController implements SimController {
  abstract readonly name: string;
  /** The owners this controller syncs, the objects they control, and the owners' kind. */
  protected abstract readonly owners: ResourceRef;
  protected abstract readonly owned: ResourceRef;
  protected abstract readonly ownerKind: string;
  protected store!: ObjectStore;
  protected events!: EventRecorder;
  protected queue!: WorkQueue;
  private off: Array<() => void> = [];

  start(ctx: SimContext): void {
    this.store = ctx.store;
    this.events = new EventRecorder(ctx.store);
    this.queue = new WorkQueue((k) => this.sync(k), (k, e) => ctx.logger.warn(`kube-sim: ${this.name} sync failed`, { key: k, error: String(e) }));
    this.off.push(ctx.store.onChange(this.owners, (ev) => { if (ev.type !== 'DELETED') this.queue.add(podKey(ev.object)); }));
    this.off.push(ctx.store.onChange(this.owned, (ev) => {
      const owner = controllerOf(ev.object);
      if (owner?.kind === this.ownerKind) this.queue.add(`${ev.object.metadata.namespace ?? ''}/${owner.name}`);
    }));
    for (const o of ctx.store.list(this.owners).items) this.queue.add(podKey(o));
  }

  stop(): void {
    for (const o of this.off) o();
    this.queue?.stop();
  }

  /** Brings the owner `namespace/name` to its desired state. */
  protected abstract sync(key: string): void;
}
