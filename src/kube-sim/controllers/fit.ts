// Scheduler filters: why a node cannot take a pod, in the words of kube-scheduler's plugins
// ("Insufficient cpu", "node(s) didn't match Pod's node affinity/selector", ...).
import { toMilli, isQuantity } from '../quantity.js';
import type { KubeObject } from '../store/index.js';
import type { NodeSelectorRequirement, Pod, Toleration } from './pod-types.js';
import type { Amounts } from './requests.js';
import type { SimTaint } from './options.js';

interface NodeView {
  spec?: { taints?: SimTaint[]; unschedulable?: boolean };
  status?: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

function tolerates(tolerations: Toleration[], t: SimTaint): boolean {
  return tolerations.some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (tol.operator === 'Exists') return !tol.key || tol.key === t.key;
    return tol.key === t.key && (tol.value ?? '') === (t.value ?? '');
  });
}

function matchesRequirement(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In': return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn': return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': return v !== undefined && Number(v) > Number(r.values?.[0]);
    case 'Lt': return v !== undefined && Number(v) < Number(r.values?.[0]);
    default: return false;
  }
}

export function nodeMatchesPod(pod: Pod, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0) return terms.some((t) => (t.matchExpressions ?? []).every((r) => matchesRequirement(labels, r)));
  return true;
}

/** Reasons the node is filtered out for this pod; empty = it fits. */
export function filterNode(pod: Pod, req: Amounts, nodeObj: KubeObject, used: Amounts): string[] {
  const node = nodeObj as KubeObject & NodeView;
  const out: string[] = [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') return ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'];
  if (node.spec?.unschedulable) return ['node(s) were unschedulable'];
  if (!nodeMatchesPod(pod, node.metadata.labels ?? {})) return ["node(s) didn't match Pod's node affinity/selector"];
  const untolerated = (node.spec?.taints ?? []).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec.tolerations ?? [], t));
  if (untolerated) return [`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`];
  const alloc = node.status?.allocatable ?? {};
  const podsAlloc = alloc.pods !== undefined && isQuantity(alloc.pods) ? toMilli(alloc.pods) : 110_000;
  if ((used.get('pods') ?? 0) + 1000 > podsAlloc) out.push('Too many pods');
  for (const [res, amount] of req) {
    if (amount <= 0) continue;
    const a = alloc[res];
    const cap = a !== undefined && isQuantity(a) ? toMilli(a) : 0;
    if ((used.get(res) ?? 0) + amount > cap) out.push(`Insufficient ${res}`);
  }
  return out;
}
