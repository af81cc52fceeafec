// Node objects of the simulated nodes, registered with a real API server the way a kubelet does
// it: create the Node, post its status (capacity, Ready, addresses, the kubelet endpoint the API
// server proxies `pods/log` to), then keep a Lease in kube-node-lease renewed as the heartbeat.
import { nodeObject, type SimNode } from '../controllers/nodes.js';
import type { SimLogger } from '../types.js';
import type { RemoteApi } from './api.js';

const LEASE_SECONDS = 40;
const RENEW_MS = 10_000;

/** MicroTime as the API expects it: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function remoteNodeObject(n: SimNode, kubeletPort: number, kubeletVersion: string, now: number): ReturnType<typeof nodeObject> {
  const o = nodeObject(n, now);
  const status = o.status as Record<string, unknown> & { nodeInfo: Record<string, string> };
  status.addresses = [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }];
  status.daemonEndpoints = { kubeletEndpoint: { Port: kubeletPort } };
  status.nodeInfo = { ...status.nodeInfo, kubeletVersion, kubeProxyVersion: '', containerRuntimeVersion: 'kube-sim://1.0.0' };
  (o.spec as Record<string, unknown>).providerID = `kube-sim://${n.name}`;
  return o;
}

export class RemoteNodes {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly api: RemoteApi, private readonly nodes: SimNode[], private readonly kubeletPort: number, private readonly logger: SimLogger) {}

  async register(): Promise<void> {
    const version = (await this.api.must<{ gitVersion: string }>('GET', '/version')).body.gitVersion;
    for (const n of this.nodes) {
      const obj = remoteNodeObject(n, this.kubeletPort, version, Date.now());
      const name = encodeURIComponent(n.name);
      await this.api.must('POST', '/api/v1/nodes', obj, undefined, [409]);
      await this.api.must('PATCH', `/api/v1/nodes/${name}/status`, { status: obj.status }, 'application/merge-patch+json');
      const created = await this.api.must<{ metadata: { uid: string } }>('GET', `/api/v1/nodes/${name}`);
      const lease = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: n.name, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: created.body.metadata.uid }] },
        spec: { holderIdentity: n.name, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime(Date.now()) },
      };
      await this.api.must('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease, undefined, [409]);
    }
    this.timer = setInterval(() => void this.renew(), RENEW_MS);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    for (const n of this.nodes) {
      const body = { spec: { holderIdentity: n.name, renewTime: microTime(Date.now()) } };
      try {
        await this.api.must('PATCH', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(n.name)}`, body, 'application/merge-patch+json');
      } catch (e) {
        this.logger.warn('kube-sim remote kubelet: lease renewal failed', { node: n.name, error: String(e) });
      }
    }
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }
}
