// Kubernetes resource quantities as whole numbers for sums and comparisons in SQL (queue quotas):
// CPU in millicores, memory in bytes. Inputs were validated by the API schema (CPU_PATTERN,
// MEMORY_PATTERN), so a malformed value here is a bug and throws.

const MEMORY_UNITS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function cpuToMillicores(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m?.[1]) throw new Error(`not a CPU quantity: ${q}`);
  return Math.round(Number(m[1]) * (m[2] ? 1 : 1000));
}

export function memoryToBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(q.trim());
  const unit = MEMORY_UNITS[m?.[2] ?? ''];
  if (!m?.[1] || unit === undefined) throw new Error(`not a memory quantity: ${q}`);
  return Math.round(Number(m[1]) * unit);
}
