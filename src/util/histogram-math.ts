// Quantiles from bucketed counts, computed exactly the way PromQL's histogram_quantile() does, so
// an SLI computed in-process and the same SLI computed by a recording rule agree on the same data.

/**
 * `bounds` are the finite upper bounds (ascending); `counts[i]` is the number of observations in
 * bucket i (NOT cumulative), with one extra trailing entry for +Inf. Returns NaN with no data.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] ?? 0;
    if (cumulative + inBucket >= rank && inBucket > 0) {
      // Like Prometheus: the +Inf bucket answers with the highest finite bound.
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? Number.NaN;
      const upper = bounds[i] ?? 0;
      const lower = i === 0 ? Math.min(0, upper) : (bounds[i - 1] ?? 0);
      return lower + (upper - lower) * ((rank - cumulative) / inBucket);
    }
    cumulative += inBucket;
  }
  return bounds[bounds.length - 1] ?? Number.NaN;
}

/** Index of the bucket a value falls into (`le` semantics: value ≤ bound). */
export function bucketIndex(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i++) if (value <= (bounds[i] ?? Infinity)) return i;
  return bounds.length;
}

/**
 * Observations above `threshold` (same bucketed data), as PromQL computes it with the `le` bucket
 * equal to the threshold. A threshold between bounds is interpolated linearly inside its bucket.
 */
export function countAbove(threshold: number, bounds: readonly number[], counts: readonly number[]): number {
  let above = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c === 0) continue;
    const upper = i < bounds.length ? (bounds[i] ?? Infinity) : Infinity;
    const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
    if (lower >= threshold) above += c;
    else if (upper > threshold) above += upper === Infinity ? c : c * ((upper - threshold) / (upper - lower));
  }
  return above;
}

/** A fixed-size ring of the most recent values (bounded memory for "recent" percentiles). */
export class Ring {
  private readonly values: number[] = [];
  private next = 0;
  constructor(private readonly size: number) {}

  push(v: number): void {
    if (this.values.length < this.size) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % this.size;
  }

  get length(): number {
    return this.values.length;
  }

  /** Nearest-rank percentile of the retained values; NaN when empty. */
  percentile(q: number): number {
    if (this.values.length === 0) return Number.NaN;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  }
}
