// Recent API error rate for the health checker: counts per 10-second bucket over a sliding window,
// so memory stays constant whatever the request rate.

const BUCKET_MS = 10_000;

export class ErrorWindow {
  private readonly buckets = new Map<number, { errors: number; total: number }>();

  constructor(private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  record(isError: boolean): void {
    const key = Math.floor(this.now() / BUCKET_MS);
    const b = this.buckets.get(key) ?? { errors: 0, total: 0 };
    b.total++;
    if (isError) b.errors++;
    this.buckets.set(key, b);
    this.prune(key);
  }

  totals(): { errors: number; total: number } {
    const key = Math.floor(this.now() / BUCKET_MS);
    this.prune(key);
    let errors = 0;
    let total = 0;
    for (const b of this.buckets.values()) {
      errors += b.errors;
      total += b.total;
    }
    return { errors, total };
  }

  private prune(current: number): void {
    const oldest = current - Math.ceil(this.windowMs / BUCKET_MS);
    for (const k of this.buckets.keys()) if (k <= oldest) this.buckets.delete(k);
  }
}
