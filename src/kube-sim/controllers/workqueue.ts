// A tiny controller work queue: keys are deduplicated, processed on the next tick (so a burst of
// store events becomes one sync per object), and may be retried later.
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly sync: (key: string) => void, private readonly onError: (key: string, e: unknown) => void) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); this.add(key); }, ms);
    t.unref();
    this.timers.add(t);
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) {
      if (this.stopped) return;
      try { this.sync(k); } catch (e) { this.onError(k, e); this.addAfter(k, 1000); }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};
