// One resource's objects of the kube-sim store, its indexes, history and watchers (store.ts owns
// the buckets; deletion.ts works on them too).
import { History, type Watcher } from './watch.js';
import type { ResourceDef, StoreEvent, StoredObject } from './types.js';

export type ChangeListener = (ev: StoreEvent) => void;

/** One resource's objects, indexes and watchers. */
export class Bucket {
  readonly byNs = new Map<string, Map<string, StoredObject>>();
  private sortedNames = new Map<string, string[]>();
  private sortedNs: string[] | undefined;
  readonly history: History;
  readonly watchers = new Set<Watcher>();
  readonly listeners = new Set<ChangeListener>();
  count = 0;
  constructor(readonly def: ResourceDef, historySize: number) {
    this.history = new History(historySize);
  }
  get(ns: string, name: string): StoredObject | undefined {
    return this.byNs.get(ns)?.get(name);
  }
  set(ns: string, name: string, o: StoredObject): void {
    let m = this.byNs.get(ns);
    if (!m) { m = new Map(); this.byNs.set(ns, m); this.sortedNs = undefined; }
    if (!m.has(name)) { this.count++; this.sortedNames.delete(ns); }
    m.set(name, o);
  }
  remove(ns: string, name: string): void {
    const m = this.byNs.get(ns);
    if (m?.delete(name)) { this.count--; this.sortedNames.delete(ns); }
  }
  /** Objects in key order (namespace, name): the order list pagination relies on. */
  *ordered(ns: string | undefined): Generator<StoredObject> {
    const nss = ns !== undefined ? [ns] : (this.sortedNs ??= [...this.byNs.keys()].sort());
    for (const n of nss) {
      const m = this.byNs.get(n);
      if (!m) continue;
      let names = this.sortedNames.get(n);
      if (!names) { names = [...m.keys()].sort(); this.sortedNames.set(n, names); }
      for (const name of names) { const o = m.get(name); if (o) yield o; }
    }
  }
}
