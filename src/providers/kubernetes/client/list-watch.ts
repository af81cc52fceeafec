// The list + watch loop every cache of the provider runs (pods, HPAs, network-policy events): watch
// from the last resourceVersion with bookmarks; a 410 Gone, or repeated failures, relists; a dropped
// or failed watch reconnects with backoff (or when the circuit breaker lets it). Callers own their
// cache: they list, and receive each watch event.
import { createInterface } from 'node:readline';
import type { Logger } from '../../../observability/logger.js';
import { KubeHttpError, type KubeClient } from './client.js';
import { backoffMs, CircuitOpenError, sleep } from './resilience.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface RawEvent<T> {
  type: WatchEventType | 'BOOKMARK' | 'ERROR';
  object: T & { metadata?: { resourceVersion?: string }; code?: number; message?: string };
}

export interface ListWatchOptions<T> {
  client: KubeClient;
  logger: Logger;
  /** What is watched, for log lines ("pod", "network-policy event"). */
  what: string;
  path: string;
  /** labelSelector / fieldSelector of the watch (the same as the caller's list). */
  query: Record<string, string>;
  /** Lists from scratch and returns the list's resourceVersion. */
  relist: (reason: 'gone' | 'error') => Promise<string>;
  onEvent: (type: WatchEventType, obj: T) => void | Promise<void>;
  /** Any sign of life (an event, a bookmark, a reconnect): liveness. */
  onActivity?: () => void;
  /** Server-side watch timeout. @defaultValue 290 */
  watchTimeoutSeconds?: number;
}

export class ListWatch<T> {
  /** Resume point; set it from the caller's first list before `run()`. */
  resourceVersion = '';
  private readonly abort = new AbortController();

  constructor(private readonly o: ListWatchOptions<T>) {}

  stop(): void {
    this.abort.abort();
  }

  /** Runs until stop(). */
  async run(): Promise<void> {
    let failures = 0;
    let relist = false;
    while (!this.abort.signal.aborted) {
      try {
        if (relist) {
          this.resourceVersion = await this.o.relist(failures > 0 ? 'error' : 'gone');
          relist = false;
        }
        const opened = Date.now();
        relist = (await this.watchOnce()) === 'gone';
        failures = 0;
        // A server that ends every watch at once must not turn this loop into a busy spin.
        if (!relist && Date.now() - opened < 100) await sleep(100);
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (err instanceof KubeHttpError && err.code === 410) {
          relist = true;
          continue;
        }
        failures++;
        // After repeated failures the history we would resume from may be gone: relist.
        if (failures >= 3) relist = true;
        const wait = err instanceof CircuitOpenError ? Math.max(err.retryInMs, 100) : backoffMs(failures, undefined, 200, 30_000);
        this.o.logger.warn({ err: (err as Error).message, retryInMs: wait }, `${this.o.what} watch failed; reconnecting`);
        await sleep(wait);
      }
    }
  }

  /** One watch connection, consumed until it ends. 'gone' when the server says the version is too old. */
  private async watchOnce(): Promise<'ended' | 'gone'> {
    const timeoutSeconds = this.o.watchTimeoutSeconds ?? 290;
    const res = await this.o.client.watch(this.o.path, {
      ...this.o.query, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds),
      ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
    }, this.abort.signal);
    this.o.onActivity?.();
    // Bookmarks and the server-side timeout keep a healthy stream talking; silence means a hung server.
    res.setTimeout((timeoutSeconds + 30) * 1000, () => res.destroy(new Error('watch stream idle')));
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as RawEvent<T>;
        this.o.onActivity?.();
        if (ev.type === 'ERROR') {
          if (ev.object.code === 410) return 'gone';
          throw new Error(`watch error: ${ev.object.message ?? 'unknown'}`);
        }
        const rv = ev.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (ev.type !== 'BOOKMARK') await this.o.onEvent(ev.type, ev.object);
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
