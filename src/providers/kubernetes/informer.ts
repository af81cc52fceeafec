// One informer over the provider's pods: list, then watch from the list's resourceVersion with
// bookmarks; a 410 Gone (history compacted) relists; a dropped or failed watch reconnects with
// backoff from the last resourceVersion seen. Keeps the current view and emits add/update/delete.
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../../observability/logger.js';
import { KubeHttpError, type KubeClient } from './client.js';
import type { PodJson } from './pod-status.js';
import { backoffMs, CircuitOpenError, sleep } from './resilience.js';

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

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: PodJson & { code?: number; message?: string };
}

const key = (p: PodJson): string => `${p.metadata.namespace}/${p.metadata.name}`;

export class PodInformer extends EventEmitter<InformerEvents> {
  private readonly cache = new Map<string, PodJson>();
  private resourceVersion = '';
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private _synced = false;
  /** Last time the loop made progress (an event, a list, a reconnect) — for liveness. */
  lastActivityAt = Date.now();

  constructor(private readonly o: PodInformerOptions) {
    super();
  }

  get synced(): boolean {
    return this._synced;
  }

  private get path(): string {
    return this.o.namespace ? `/api/v1/namespaces/${encodeURIComponent(this.o.namespace)}/pods` : '/api/v1/pods';
  }

  /** Lists (the first list must succeed: it is how `start()` fails on a bad config), then watches in the background. */
  async start(): Promise<void> {
    await this.relist('initial');
    this._synced = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  list(): PodJson[] {
    return [...this.cache.values()];
  }

  get(namespace: string, name: string): PodJson | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  private async relist(reason: 'initial' | 'gone' | 'error'): Promise<void> {
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
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.lastActivityAt = Date.now();
    this.emit('relist', { reason, pods: this.cache.size });
  }

  private upsert(pod: PodJson): void {
    const k = key(pod);
    const old = this.cache.get(k);
    if (old?.metadata.resourceVersion === pod.metadata.resourceVersion && old) return;
    this.cache.set(k, pod);
    if (old) this.emit('update', pod, old);
    else this.emit('add', pod);
  }

  private async run(): Promise<void> {
    let failures = 0;
    let needList = false;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          await this.relist(failures > 0 ? 'error' : 'gone');
          needList = false;
        }
        const opened = Date.now();
        const outcome = await this.watchOnce();
        failures = 0;
        if (outcome === 'gone') needList = true;
        // A server that ends every watch at once must not turn this loop into a busy spin.
        else if (Date.now() - opened < 100) await sleep(100);
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof KubeHttpError && err.code === 410) {
          needList = true;
          continue;
        }
        failures++;
        const wait = err instanceof CircuitOpenError ? Math.max(err.retryInMs, 100) : backoffMs(failures, undefined, Math.random, 200, 30_000);
        this.o.logger.warn({ err: (err as Error).message, retryInMs: wait }, 'pod watch failed; reconnecting');
        // After repeated failures the history we would resume from may be gone: relist.
        if (failures >= 3) needList = true;
        await sleep(wait);
      }
    }
  }

  /** One watch connection, consumed until it ends. 'gone' when the server says the version is too old. */
  private async watchOnce(): Promise<'ended' | 'gone'> {
    const res = await this.o.client.watch(this.path, {
      labelSelector: this.o.labelSelector, allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.o.watchTimeoutSeconds ?? 290),
      ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
    }, this.abort.signal);
    this.lastActivityAt = Date.now();
    // Bookmarks and the server-side timeout keep a healthy stream talking; silence means a hung server.
    res.setTimeout(((this.o.watchTimeoutSeconds ?? 290) + 30) * 1000, () => res.destroy(new Error('watch stream idle')));
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as WatchEvent;
        this.lastActivityAt = Date.now();
        if (ev.type === 'ERROR') {
          if (ev.object.code === 410) return 'gone';
          throw new Error(`watch error: ${ev.object.message ?? 'unknown'}`);
        }
        const rv = ev.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (ev.type === 'BOOKMARK') continue;
        if (ev.type === 'DELETED') {
          const k = key(ev.object);
          const old = this.cache.get(k);
          this.cache.delete(k);
          this.emit('delete', old ?? ev.object);
        } else {
          this.upsert(ev.object);
        }
      }
    } catch (err) {
      if (this.abort.signal.aborted) return 'ended';
      // A cut connection surfaces as ECONNRESET / "aborted": reconnect from the last version.
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') return 'ended';
      throw err;
    } finally {
      lines.close();
      res.destroy();
    }
    return 'ended';
  }
}
