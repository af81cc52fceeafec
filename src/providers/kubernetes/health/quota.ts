// Quota headroom of the worker namespace: Degraded at ≥ 90 % of any hard limit and when a limit is
// reached (the next worker pod would be refused with "exceeded quota": jobs wait, but this replica
// can still do its work, so it stays in its Service).
import type { HealthStatus } from '../../provider.js';
import type { KubeClient } from '../client/client.js';
import { parseQuantity } from '../quantity.js';

/** Quota keys that decide whether a worker pod is admitted. */
const KEYS = ['pods', 'count/pods', 'requests.cpu', 'requests.memory', 'requests.nvidia.com/gpu', 'limits.cpu', 'limits.memory'];

interface Quota {
  metadata?: { name?: string };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export async function checkQuotas(client: KubeClient, namespace: string): Promise<{ status: HealthStatus; message: string }> {
  const res = await client.request('GET', `/api/v1/namespaces/${namespace}/resourcequotas`);
  const quotas = (JSON.parse(res.text) as { items?: Quota[] }).items ?? [];
  let worst = { ratio: 0, text: '' };
  for (const q of quotas) {
    for (const key of KEYS) {
      const hard = q.status?.hard?.[key];
      if (hard === undefined) continue;
      const used = q.status?.used?.[key] ?? '0';
      const h = parseQuantity(hard);
      const ratio = h > 0 ? parseQuantity(used) / h : 1;
      if (ratio >= worst.ratio) worst = { ratio, text: `quota '${q.metadata?.name ?? '?'}' ${key} ${used}/${hard} used` };
    }
  }
  if (!worst.text) return { status: 'Healthy', message: quotas.length ? 'quotas have headroom' : `no ResourceQuota in '${namespace}'` };
  if (worst.ratio >= 1) return { status: 'Degraded', message: `${worst.text}: new worker pods will be refused` };
  if (worst.ratio >= 0.9) return { status: 'Degraded', message: `${worst.text} (${Math.round(worst.ratio * 100)}%)` };
  return { status: 'Healthy', message: `${worst.text} (${Math.round(worst.ratio * 100)}%)` };
}
