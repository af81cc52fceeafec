// Kubernetes resource quantities ("250m", "128Mi", "1e3") as numbers: CPU in millicores, memory in
// bytes. Enough of the format for requests we build and compare.

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The quantity's value in base units; NaN when it is not a quantity. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m?.[1]) return Number.NaN;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? Number.NaN);
}

export function cpuMillis(q: string | undefined): number {
  return q === undefined ? 0 : Math.round(parseQuantity(q) * 1000);
}

export function memoryBytes(q: string | undefined): number {
  return q === undefined ? 0 : Math.round(parseQuantity(q));
}
