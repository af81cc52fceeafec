// Kubernetes resource quantities ("500m", "2", "256Mi", "1Gi", "1e3"): parse to base units and
// print back in the canonical style the API server uses in messages. The one parser of the project:
// the simulator (kube-sim/quantity.ts), the provider (providers/kubernetes/quantity.ts) and the
// observability gauges all read quantities here. (client-node's quantityToScalar returns BigInt for
// most suffixes and rejects "1.5Gi" and exponents, so it does not serve.)

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** Value in base units (cores, bytes, count). Throws on malformed input. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = RE.exec(q.trim());
  if (!m) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const n = Number(m[1]);
  if (m[2] !== undefined) return n * (BINARY[m[2]] ?? DECIMAL[m[2]] ?? 1);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  return n;
}

export function isQuantity(q: unknown): boolean {
  if (typeof q === 'number') return Number.isFinite(q);
  return typeof q === 'string' && RE.test(q.trim());
}

/** Milli-units as an integer: exact comparisons and sums for cpu ("100m" + "0.2" = 300). */
export function toMilli(q: string | number): number {
  return Math.round(parseQuantity(q) * 1000);
}

/** Canonical string of a milli-unit amount: binary suffixes for byte-like resources, else m / plain. */
export function formatMilli(milli: number, resource: string): string {
  if (/memory|storage/.test(resource)) {
    const bytes = Math.round(milli / 1000);
    for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
      const f = BINARY[s] ?? 1;
      if (bytes !== 0 && bytes % f === 0) return `${bytes / f}${s}`;
    }
    return String(bytes);
  }
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** CPU in millicores; 0 when absent or not a quantity (requests we only add up). */
export function cpuMillis(q: string | number | undefined): number {
  return q === undefined || !isQuantity(q) ? 0 : toMilli(q);
}

/** Memory (or any count) in whole base units; 0 when absent or not a quantity. */
export function memoryBytes(q: string | number | undefined): number {
  return q === undefined || !isQuantity(q) ? 0 : Math.round(parseQuantity(q));
}
