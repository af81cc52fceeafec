// NetworkPolicy evaluation (networking.k8s.io/v1) for one connection attempt of a pod, as a CNI
// would enforce it: the policies of the pod's namespace that select it and cover the direction
// decide; with none the traffic is allowed; otherwise any rule of any of them must allow it.
import { isIP } from 'node:net';
import { labelSelectorMatches, R, type KubeObject, type LabelSelectorSpec, type ObjectStore, type StoredObject } from '../store/index.js';
import { ipInCidr } from '../../util/cidr.js';

export interface ConnectionAttempt {
  namespace: string;
  pod: string;
  direction: 'egress' | 'ingress';
  /** The other end: an IP (a pod IP of the cluster is matched as that pod) or a host name. */
  host: string;
  /** Destination port (for ingress: the port on this pod). */
  port?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface Verdict {
  allowed: boolean;
  /** The policy whose rule allowed it, or (denied) the first policy that selects the pod. */
  policy?: string;
  /** Every policy that selected the pod for this direction. */
  policies: string[];
  reason: string;
}

interface PolicyPort { protocol?: string; port?: number | string; endPort?: number }
interface PolicyPeer { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: LabelSelectorSpec; podSelector?: LabelSelectorSpec }
interface PolicyRule { to?: PolicyPeer[]; from?: PolicyPeer[]; ports?: PolicyPort[] }
interface NetworkPolicy extends KubeObject {
  spec: { podSelector: LabelSelectorSpec; policyTypes?: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}
interface PodLike extends KubeObject { status?: { podIP?: string }; spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] } }

/** An empty selector ({}) selects everything; labelSelectorMatches treats undefined as nothing. */
const selects = (sel: LabelSelectorSpec | undefined, labels: Record<string, string> | undefined) => labelSelectorMatches(sel ?? {}, labels);

function policyTypes(p: NetworkPolicy): string[] {
  return p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

export class PolicyEvaluator {
  constructor(private readonly store: ObjectStore) {}

  private podByIp(ip: string): StoredObject<PodLike> | undefined {
    return this.store.list<PodLike>(R.pods, undefined, { fieldSelector: `status.podIP=${ip}` }).items.find((p) => !p.metadata.deletionTimestamp);
  }

  private peerMatches(peer: PolicyPeer, policyNs: string, host: string, remote: StoredObject<PodLike> | undefined): boolean {
    if (peer.ipBlock) {
      if (!isIP(host) || !ipInCidr(peer.ipBlock.cidr, host)) return false;
      return !(peer.ipBlock.except ?? []).some((c) => ipInCidr(c, host));
    }
    if (!remote) return false;
    const remoteNs = remote.metadata.namespace ?? '';
    if (peer.namespaceSelector) {
      const nsObj = this.store.get(R.namespaces, undefined, remoteNs);
      if (!selects(peer.namespaceSelector, nsObj?.metadata.labels)) return false;
    } else if (remoteNs !== policyNs) return false;
    return !peer.podSelector || selects(peer.podSelector, remote.metadata.labels);
  }

  private portMatches(ports: PolicyPort[] | undefined, a: ConnectionAttempt, portOwner: PodLike | undefined): boolean {
    if (!ports || ports.length === 0) return true;
    const proto = a.protocol ?? 'TCP';
    return ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== proto) return false;
      if (p.port === undefined) return true;
      if (a.port === undefined) return false;
      if (typeof p.port === 'string' && !/^\d+$/.test(p.port)) {
        // A named port refers to a container port of the destination pod.
        const named = portOwner?.spec?.containers?.flatMap((c) => c.ports ?? []).find((cp) => cp.name === p.port);
        return named?.containerPort === a.port;
      }
      const start = Number(p.port);
      return a.port >= start && a.port <= (p.endPort ?? start);
    });
  }

  evaluate(a: ConnectionAttempt): Verdict {
    const pod = this.store.get<PodLike>(R.pods, a.namespace, a.pod);
    if (!pod) throw new Error(`pods "${a.pod}" not found in namespace ${a.namespace}`);
    const type = a.direction === 'egress' ? 'Egress' : 'Ingress';
    const policies = this.store.list<NetworkPolicy>(R.networkpolicies, a.namespace).items
      .filter((p) => policyTypes(p).includes(type) && selects(p.spec.podSelector, pod.metadata.labels));
    const names = policies.map((p) => p.metadata.name);
    if (policies.length === 0) return { allowed: true, policies: [], reason: `no NetworkPolicy selects the pod for ${type}` };
    const remote = isIP(a.host) ? this.podByIp(a.host) : undefined;
    for (const p of policies) {
      const rules = (a.direction === 'egress' ? p.spec.egress : p.spec.ingress) ?? [];
      for (const r of rules) {
        const peers = a.direction === 'egress' ? r.to : r.from;
        const peerOk = !peers || peers.length === 0 || peers.some((peer) => this.peerMatches(peer, a.namespace, a.host, remote));
        if (peerOk && this.portMatches(r.ports, a, a.direction === 'egress' ? remote : pod)) {
          return { allowed: true, policy: p.metadata.name, policies: names, reason: `allowed by NetworkPolicy ${p.metadata.name}` };
        }
      }
    }
    return { allowed: false, ...(names[0] ? { policy: names[0] } : {}), policies: names, reason: `denied: no rule of NetworkPolicy ${names.join(', ')} allows it` };
  }
}
