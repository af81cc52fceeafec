// One informer over the provider's pods: list, then watch from the list's resourceVersion with
// bookmarks; a 410 Gone (history compacted) relists; a dropped or failed watch reconnects with
// backoff from the last resourceVersion seen. Keeps the current view and emits add/update/delete.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../observability/logger.js';
import type { KubeClient } from '../client/client.js';
import { ListWatch } from '../client/list-watch.js';
import { slimPod, type PodJson } from './pod-status.js';

export interface InformerEvents {
  add: [pod: PodJson];
  update: [pod: PodJson, old: PodJson];
  delete: [pod: PodJson];
  relist: [ev: { reason: 'initial' | 'gone' | 'error'; pods: number }];
}

export interface PodInformerOptions {
  client: KubeClient;
  /** undefined: all namespaces (needs cluster-wide list/watch on pods). */
  namespace: string | undefined;
  labelSelector: string;
  logger: Logger;
  /** Server-side watch timeout; the watch is re-opened after it. @defaultValue 290 */
  watchTimeoutSeconds?: number;
}

const key = (p: PodJson): string => `${p.metadata.namespace}/${p.metadata.name}`;

export class PodInformer extends EventEmitter<InformerEvents> {
  private readonly cache = new Map<string, PodJson>();
  private readonly watch: ListWatch<PodJson>;
  private loop: Promise<void> | undefined;
  private _synced = false;
  /** Last time the loop made progress (an event, a list, a reconnect) — for liveness. */
  lastActivityAt = Date.now();

  constructor(private readonly o: PodInformerOptions) {
    super();
    this.watch = new ListWatch<PodJson>({
      client: o.client, logger: o.logger, what: 'pod', path: this.path, query: { labelSelector: o.labelSelector },
      ...(o.watchTimeoutSeconds ? { watchTimeoutSeconds: o.watchTimeoutSeconds } : {}),
      relist: (reason) => this.relist(reason),
      onActivity: () => { this.lastActivityAt = Date.now(); },
      onEvent: (type, pod) => {
        if (type !== 'DELETED') return this.upsert(pod);
        const k = key(pod);
        const old = this.cache.get(k);
        this.cache.delete(k);
        this.emit('delete', old ?? slimPod(pod));
      },
    });
  }

  get synced(): boolean {
    return this._synced;
  }

  private get path(): string {
    return this.o.namespace ? `/api/v1/namespaces/${encodeURIComponent(this.o.namespace)}/pods` : '/api/v1/pods';
  }

  /** Lists (the first list must succeed: it is how `start()` fails on a bad config), then watches in the background. */
  async start(): Promise<void> {
    this.watch.resourceVersion = await this.relist('initial');
    this._synced = true;
    this.loop = this.watch.run();
  }

  async stop(): Promise<void> {
    this.watch.stop();
    await this.loop;
  }

  list(): PodJson[] {
    return [...this.cache.values()];
  }

  get(namespace: string, name: string): PodJson | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  /** Lists, reconciles the cache with the list, and returns the list's resourceVersion. */
  private async relist(reason: 'initial' | 'gone' | 'error'): Promise<string> {
    const res = await this.o.client.request('GET', this.path, { labelSelector: this.o.labelSelector });
    const list = JSON.parse(res.text) as { metadata?: { resourceVersion?: string }; items?: PodJson[] };
    const seen = new Set<string>();
    for (const pod of list.items ?? []) {
      seen.add(key(pod));
      this.upsert(pod);
    }
    for (const [k, old] of this.cache) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        this.emit('delete', old);
      }
    }
    this.lastActivityAt = Date.now();
    this.emit('relist', { reason, pods: this.cache.size });
    return list.metadata?.resourceVersion ?? '';
  }

  private upsert(full: PodJson): void {
    const k = key(full);
    const old = this.cache.get(k);
    if (old?.metadata.resourceVersion === full.metadata.resourceVersion && old) return;
    const pod = slimPod(full);
    this.cache.set(k, pod);
    if (old) this.emit('update', pod, old);
    else this.emit('add', pod);
  }


}
