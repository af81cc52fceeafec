// Watch plumbing: events serialised once for all watchers, a bounded per-resource history for
// resuming from a resourceVersion, and a Watcher that is an async iterable of events.
import { toJson, type KubeObject, type StoreEvent, type WatchEventType } from './types.js';
import type { Matcher } from './selectors.js';

export function makeEvent(type: WatchEventType, object: KubeObject, rv: number, old?: KubeObject): StoreEvent {
  let cached: string | undefined;
  const ev: StoreEvent = { type, object, rv, line: () => (cached ??= `{"type":"${type}","object":${toJson(object)}}\n`) };
  if (old) ev.old = old;
  return ev;
}

/** Ring buffer of the last `size` events of one resource. */
export class History {
  private buf: StoreEvent[] = [];
  private head = 0; // index of the oldest event once full
  /** Highest rv no longer replayable: resuming from below it is 410 Gone. */
  compactedRv = 0;
  constructor(private readonly size: number) {}

  push(ev: StoreEvent): void {
    if (this.size <= 0) { this.compactedRv = ev.rv; return; }
    if (this.buf.length < this.size) { this.buf.push(ev); return; }
    const dropped = this.buf[this.head];
    if (dropped) this.compactedRv = dropped.rv;
    this.buf[this.head] = ev;
    this.head = (this.head + 1) % this.size;
  }

  /** Events with rv > after, oldest first. */
  since(after: number): StoreEvent[] {
    const ordered = this.head === 0 ? this.buf : [...this.buf.slice(this.head), ...this.buf.slice(0, this.head)];
    let lo = 0, hi = ordered.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if ((ordered[mid]?.rv ?? 0) <= after) lo = mid + 1; else hi = mid; }
    return ordered.slice(lo);
  }

  /** Forget everything up to and including rv (simulates etcd compaction). */
  compact(rv: number): void {
    const kept = this.since(rv);
    this.compactedRv = Math.max(this.compactedRv, Math.min(rv, kept[0] ? kept[0].rv - 1 : rv));
    this.buf = kept;
    this.head = 0;
  }
}

export interface WatchFilter {
  namespace?: string;
  matcher?: Matcher;
}

/**
 * One watch subscription. Iterate with `for await`; `close()` ends the iteration. Selector
 * transitions follow the API server: an object that stops matching arrives as DELETED, one that
 * starts matching as ADDED.
 */
export class Watcher implements AsyncIterable<StoreEvent> {
  private queue: StoreEvent[] = [];
  private qi = 0; // read index: avoids O(n) shift() when thousands of events are queued
  private wake: (() => void) | undefined;
  private done = false;
  private readonly onClose: (w: Watcher) => void;
  constructor(private readonly filter: WatchFilter, onClose: (w: Watcher) => void) {
    this.onClose = onClose;
  }

  get closed(): boolean {
    return this.done;
  }

  get pending(): number {
    return this.queue.length - this.qi;
  }

  /** Called by the store for each change of the watched resource. */
  offer(ev: StoreEvent): void {
    if (this.done) return;
    const out = this.translate(ev);
    if (!out) return;
    this.queue.push(out);
    this.wake?.();
  }

  /** Enqueue an event as is (initial state, bookmarks, errors). */
  push(ev: StoreEvent): void {
    if (this.done) return;
    this.queue.push(ev);
    this.wake?.();
  }

  private translate(ev: StoreEvent): StoreEvent | undefined {
    const { namespace, matcher } = this.filter;
    if (namespace !== undefined && ev.object.metadata.namespace !== namespace) return undefined;
    if (!matcher || ev.type === 'BOOKMARK' || ev.type === 'ERROR') return ev;
    const now = matcher(ev.object);
    if (ev.type !== 'MODIFIED' || !ev.old) return now ? ev : undefined;
    const before = matcher(ev.old);
    if (now && before) return ev;
    if (now) return makeEvent('ADDED', ev.object, ev.rv);
    if (before) return makeEvent('DELETED', ev.object, ev.rv);
    return undefined;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.wake?.();
    this.onClose(this);
  }

  async next(): Promise<StoreEvent | undefined> {
    for (;;) {
      const ev = this.queue[this.qi];
      if (ev) {
        this.qi++;
        if (this.qi > 1024 && this.qi * 2 > this.queue.length) { this.queue = this.queue.slice(this.qi); this.qi = 0; }
        return ev;
      }
      if (this.done) return undefined;
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = undefined;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    try {
      for (;;) {
        const ev = await this.next();
        if (!ev) return;
        yield ev;
      }
    } finally {
      this.close();
    }
  }
}
