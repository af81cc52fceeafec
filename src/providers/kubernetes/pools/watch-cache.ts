// A small list + watch cache of one namespaced resource by label selector (used for the pools'
// HPAs): watch from the list's resourceVersion with bookmarks, relist on 410 Gone or repeated
// failures, reconnect with backoff. Like P1's PodInformer, for any kind; every request goes
// through the provider's KubeClient.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../observability/logger.js';
import type { KubeClient } from '../client/client.js';
import { ListWatch } from '../client/list-watch.js';

export interface WatchedObject {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
}

export interface WatchCacheEvents<T> {
  upsert: [obj: T, old: T | undefined];
  delete: [obj: T];
}

export class WatchCache<T extends WatchedObject> extends EventEmitter<WatchCacheEvents<T>> {
  private readonly cache = new Map<string, T>();
  private readonly watch: ListWatch<T>;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: { client: KubeClient; path: string; labelSelector: string; logger: Logger; what: string }) {
    super();
    this.watch = new ListWatch<T>({
      client: o.client, logger: o.logger, what: o.what, path: o.path, query: { labelSelector: o.labelSelector },
      relist: () => this.relist(),
      onEvent: (type, obj) => {
        if (type !== 'DELETED') this.upsert(obj);
        else if (this.cache.delete(obj.metadata.name)) this.emit('delete', obj);
      },
    });
  }

  get(name: string): T | undefined {
    return this.cache.get(name);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  async start(): Promise<void> {
    this.watch.resourceVersion = await this.relist();
    this.loop = this.watch.run();
  }

  async stop(): Promise<void> {
    this.watch.stop();
    await this.loop;
  }

  /** Lists, reconciles the cache with the list, and returns the list's resourceVersion. */
  private async relist(): Promise<string> {
    const res = await this.o.client.request('GET', this.o.path, { labelSelector: this.o.labelSelector });
    const list = JSON.parse(res.text) as { metadata?: { resourceVersion?: string }; items?: T[] };
    const seen = new Set<string>();
    for (const obj of list.items ?? []) {
      seen.add(obj.metadata.name);
      this.upsert(obj);
    }
    for (const [name, old] of this.cache) {
      if (seen.has(name)) continue;
      this.cache.delete(name);
      this.emit('delete', old);
    }
    return list.metadata?.resourceVersion ?? '';
  }

  private upsert(obj: T): void {
    const old = this.cache.get(obj.metadata.name);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(obj.metadata.name, obj);
    this.emit('upsert', obj, old);
  }


}
