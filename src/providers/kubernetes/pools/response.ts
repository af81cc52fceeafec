// HPA response time: from the moment a pool's HPA changes its desired replica count (seen on the
// HPA status watch) to the moment that many pool workers are registered and live in the control
// plane (≥ for a scale-up, ≤ for a scale-down). Changes in a row (1 → 4 → 5 as the backlog grows)
// are each measured; a pending one the new desired count makes unreachable (an up-target above it,
// a down-target below it) is dropped, not recorded. Polls the worker count only while something is
// pending.

export interface HpaScaled {
  pool: string;
  from: number;
  to: number;
  direction: 'up' | 'down';
  durationMs: number;
}

export interface HpaResponseOptions {
  /** Live (ready or busy) registered workers of the pool, from the control plane's store. */
  count: (pool: string) => Promise<number>;
  onDone: (ev: HpaScaled) => void;
  onError?: (err: unknown) => void;
  /** @defaultValue 200 */
  intervalMs?: number;
  now?: () => number;
}

export class HpaResponseTracker {
  private readonly pending = new Map<string, Array<{ from: number; to: number; startedAt: number }>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly now: () => number;

  constructor(private readonly o: HpaResponseOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The HPA's status.desiredReplicas went from `from` (undefined: first sighting) to `to`. */
  onDesired(pool: string, from: number | undefined, to: number): void {
    if (from === undefined || from === to) return;
    const kept = (this.pending.get(pool) ?? []).filter((p) => (p.to > p.from ? p.to <= to : p.to >= to));
    this.pending.set(pool, [...kept, { from, to, startedAt: this.now() }]);
    this.timer ??= setInterval(() => void this.tick(), this.o.intervalMs ?? 200);
    this.timer.unref();
  }

  forget(pool: string): void {
    this.pending.delete(pool);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  /** One check of every pending measurement (also run by the timer). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const pool of [...this.pending.keys()]) {
        const n = await this.o.count(pool);
        const list = this.pending.get(pool) ?? [];
        const reached = list.filter((p) => (p.to > p.from ? n >= p.to : n <= p.to));
        const rest = list.filter((p) => !reached.includes(p));
        if (rest.length) this.pending.set(pool, rest);
        else this.pending.delete(pool);
        for (const p of reached) {
          this.o.onDone({ pool, from: p.from, to: p.to, direction: p.to > p.from ? 'up' : 'down', durationMs: this.now() - p.startedAt });
        }
      }
    } catch (err) {
      this.o.onError?.(err);
    } finally {
      this.ticking = false;
      if (this.pending.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }
  }
}
