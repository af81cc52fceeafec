// A small list + watch cache of one namespaced resource by label selector (used for the pools'
// HPAs): watch from the list's resourceVersion with bookmarks, relist on 410 Gone or repeated
// failures, reconnect with backoff. Like P1's PodInformer, for any kind; every request goes
// through the provider's KubeClient.
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../../observability/logger.js';
import { KubeHttpError, type KubeClient } from './client.js';
import { backoffMs, CircuitOpenError, sleep } from './resilience.js';

export interface WatchedObject {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
}

export interface WatchCacheEvents<T> {
  upsert: [obj: T, old: T | undefined];
  delete: [obj: T];
}

export class WatchCache<T extends WatchedObject> extends EventEmitter<WatchCacheEvents<T>> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly o: { client: KubeClient; path: string; labelSelector: string; logger: Logger; what: string }) {
    super();
  }

  get(name: string): T | undefined {
    return this.cache.get(name);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  async start(): Promise<void> {
    await this.relist();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async relist(): Promise<void> {
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
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
  }

  private upsert(obj: T): void {
    const old = this.cache.get(obj.metadata.name);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.cache.set(obj.metadata.name, obj);
    this.emit('upsert', obj, old);
  }

  private async run(): Promise<void> {
    let failures = 0;
    let relist = false;
    while (!this.abort.signal.aborted) {
      try {
        if (relist) {
          await this.relist();
          relist = false;
        }
        relist = (await this.watchOnce()) === 'gone';
        failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof KubeHttpError && err.code === 410) {
          relist = true;
          continue;
        }
        failures++;
        if (failures >= 3) relist = true;
        const wait = err instanceof CircuitOpenError ? Math.max(err.retryInMs, 100) : backoffMs(failures, undefined, Math.random, 200, 30_000);
        this.o.logger.warn({ err: (err as Error).message, retryInMs: wait }, `${this.o.what} watch failed; reconnecting`);
        await sleep(wait);
      }
    }
  }

  private async watchOnce(): Promise<'ended' | 'gone'> {
    const res = await this.o.client.watch(this.o.path, {
      labelSelector: this.o.labelSelector, allowWatchBookmarks: 'true', timeoutSeconds: '290',
      ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
    }, this.abort.signal);
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as { type: string; object: T & { code?: number; message?: string } };
        if (ev.type === 'ERROR') {
          if (ev.object.code === 410) return 'gone';
          throw new Error(`watch error: ${ev.object.message ?? 'unknown'}`);
        }
        const rv = ev.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(ev.object);
        else if (ev.type === 'DELETED' && this.cache.delete(ev.object.metadata.name)) this.emit('delete', ev.object);
      }
    } catch (err) {
      if (this.abort.signal.aborted) return 'ended';
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') return 'ended';
      throw err;
    } finally {
      lines.close();
      res.destroy();
    }
    return 'ended';
  }
}
