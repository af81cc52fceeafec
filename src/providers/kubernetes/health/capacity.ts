// Schedulable capacity: can any Ready, schedulable node fit one default worker right now?
// Free = allocatable − requests of the pods bound to the node that have not ended.
import type { HealthStatus } from '../../provider.js';
import type { KubeClient } from '../client/client.js';
import { KubeHttpError } from '../client/client.js';
import { cpuMillis, memoryBytes, parseQuantity } from '../quantity.js';

export interface WorkerShape {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
}

interface NodeJson {
  metadata?: { name?: string };
  spec?: { unschedulable?: boolean; taints?: Array<{ effect?: string }> };
  status?: { allocatable?: Record<string, string>; conditions?: Array<{ type?: string; status?: string }> };
}

interface PodJson {
  spec?: { nodeName?: string; containers?: Array<{ resources?: { requests?: Record<string, string> } }> };
}

const GPU = 'nvidia.com/gpu';

export async function checkCapacity(client: KubeClient, worker: WorkerShape): Promise<{ status: HealthStatus; message: string }> {
  let nodes: NodeJson[];
  let pods: PodJson[];
  try {
    [nodes, pods] = await Promise.all([
      client.request('GET', '/api/v1/nodes').then((r) => (JSON.parse(r.text) as { items?: NodeJson[] }).items ?? []),
      client.request('GET', '/api/v1/pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })
        .then((r) => (JSON.parse(r.text) as { items?: PodJson[] }).items ?? []),
    ]);
  } catch (err) {
    if (err instanceof KubeHttpError && err.code === 403) {
      return { status: 'Degraded', message: 'cannot list nodes/pods cluster-wide (RBAC): capacity unknown; grant list on nodes and pods to check it' };
    }
    throw err;
  }
  const used = new Map<string, WorkerShape>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (!node) continue;
    const u = used.get(node) ?? { cpuMillis: 0, memoryBytes: 0, gpus: 0 };
    for (const c of p.spec?.containers ?? []) {
      const r = c.resources?.requests ?? {};
      u.cpuMillis += cpuMillis(r.cpu);
      u.memoryBytes += memoryBytes(r.memory);
      u.gpus += r[GPU] ? parseQuantity(r[GPU]) : 0;
    }
    used.set(node, u);
  }
  const usable = nodes.filter((n) => !n.spec?.unschedulable
    && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
    && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
  const free = usable.map((n) => {
    const a = n.status?.allocatable ?? {};
    const u = used.get(n.metadata?.name ?? '') ?? { cpuMillis: 0, memoryBytes: 0, gpus: 0 };
    return { cpuMillis: cpuMillis(a.cpu) - u.cpuMillis, memoryBytes: memoryBytes(a.memory) - u.memoryBytes, gpus: (a[GPU] ? parseQuantity(a[GPU]) : 0) - u.gpus };
  });
  const fits = free.filter((f) => f.cpuMillis >= worker.cpuMillis && f.memoryBytes >= worker.memoryBytes && f.gpus >= worker.gpus);
  const shape = `cpu ${worker.cpuMillis}m, memory ${Math.round(worker.memoryBytes / 2 ** 20)}Mi${worker.gpus ? `, gpu ${worker.gpus}` : ''}`;
  if (fits.length > 0) return { status: 'Healthy', message: `${fits.length}/${nodes.length} nodes can fit a worker (${shape})` };
  const best = free.reduce<WorkerShape | null>((b, f) => (!b || f.cpuMillis > b.cpuMillis ? f : b), null);
  const detail = best ? `; most free: cpu ${best.cpuMillis}m, memory ${Math.round(best.memoryBytes / 2 ** 20)}Mi, gpu ${best.gpus}` : '';
  // Degraded, not Unhealthy: jobs wait for a node; this replica can still do its work.
  return {
    status: 'Degraded',
    message: `no schedulable node can fit a worker (${shape}): ${usable.length} of ${nodes.length} nodes Ready and schedulable${detail}`,
  };
}
