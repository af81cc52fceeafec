// One log line per store outage, not one per request: the first request that finds the store
// unreachable logs it and starts a probe; the probe logs once more when the store answers again.
// Requests need nothing from here to resume: the engines reconnect on their own.
import type { Logger } from '../observability/logger.js';

export interface StoreOutageOptions {
  logger: Logger;
  /** A cheap store call; resolves once the store answers again. */
  probe: () => Promise<unknown>;
  /** @defaultValue 1000 */
  probeIntervalMs?: number;
  /** Called when an outage starts (true) and ends (false). */
  onChange?: (down: boolean) => void;
}

export class StoreOutage {
  private since: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: StoreOutageOptions) {}

  get down(): boolean {
    return this.since !== null;
  }

  /** Called for every request that failed because the store is unreachable. */
  report(err: unknown): void {
    if (this.since !== null || this.closed) return;
    this.since = Date.now();
    this.o.logger.warn({ err }, 'store unavailable; answering 503 STORE_UNAVAILABLE until it answers again');
    this.o.onChange?.(true);
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.o.probe().then(() => {
        if (this.closed || this.since === null) return;
        this.o.logger.info({ downForMs: Date.now() - this.since }, 'store available again');
        this.since = null;
        this.o.onChange?.(false);
      }, () => { if (!this.closed) this.schedule(); });
    }, this.o.probeIntervalMs ?? 1000);
    this.timer.unref();
  }
}
