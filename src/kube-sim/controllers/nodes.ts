// Node objects of the simulated cluster, created at start: capacity/allocatable, labels, taints,
// addresses and a Ready condition, the way `kubectl get/describe nodes` expects them.
import { R, rfc3339, type KubeObject } from '../store/index.js';
import type { SimContext, SimController } from '../types.js';
import type { SimControllerOptions, SimTaint } from './options.js';

export interface SimNode {
  name: string;
  index: number;
  ip: string;
  cpu: string;
  memory: string;
  gpus: number;
  pods: number;
  labels: Record<string, string>;
  taints: SimTaint[];
}

/** The nodes the options describe (shared by the node controller, scheduler and kubelet). */
export function nodeLayout(o: SimControllerOptions): SimNode[] {
  const count = o.nodes ?? 4;
  return Array.from({ length: count }, (_, i) => {
    const s = o.nodeSpecs?.[i] ?? {};
    const name = s.name ?? `kube-sim-node-${i + 1}`;
    return {
      name, index: i, ip: `10.0.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`,
      cpu: s.cpu ?? o.nodeCpu ?? '8', memory: s.memory ?? o.nodeMemory ?? '32Gi', gpus: s.gpus ?? o.nodeGpus ?? 0, pods: s.pods ?? 110,
      labels: { ...o.nodeLabels, ...s.labels }, taints: [...(o.nodeTaints ?? []), ...(s.taints ?? [])],
    };
  });
}

export function nodeObject(n: SimNode, now: number): KubeObject {
  const resources: Record<string, string> = {
    cpu: n.cpu, memory: n.memory, pods: String(n.pods), 'ephemeral-storage': '100Gi', 'nvidia.com/gpu': String(n.gpus),
  };
  const ts = rfc3339(now);
  const cond = (type: string, status: string, reason: string, message: string) =>
    ({ type, status, reason, message, lastHeartbeatTime: ts, lastTransitionTime: ts });
  return {
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/worker': '',
        ...n.labels,
      },
    },
    spec: {
      podCIDR: `10.244.${n.index}.0/24`, podCIDRs: [`10.244.${n.index}.0/24`], providerID: `kube-sim://${n.name}`,
      ...(n.taints.length ? { taints: n.taints } : {}),
    },
    status: {
      capacity: resources, allocatable: resources,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: n.name, systemUUID: n.name, bootID: n.name, kernelVersion: '6.1.0-kube-sim', osImage: 'kube-sim',
        containerRuntimeVersion: 'sim://1.0.0', kubeletVersion: 'v1.30.0-kube-sim', kubeProxyVersion: 'v1.30.0-kube-sim',
        operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  };
}

export class NodeController implements SimController {
  readonly name = 'nodes';
  constructor(private readonly nodes: SimNode[]) {}

  start(ctx: SimContext): void {
    for (const n of this.nodes) {
      if (!ctx.store.get(R.nodes, undefined, n.name)) ctx.store.create(R.nodes, nodeObject(n, ctx.clock.now()));
    }
  }

  stop(): void {}
}
