// kube-sim's nodes on a REAL control plane: the only simulated part is the kubelet. Nodes are
// registered with the API server (Node + Lease heartbeats), pods the real scheduler binds to them
// run through kube-sim's kubelet (real `hodei worker` processes for agent containers), their status
// and events go back to the API server, and `kubectl logs` reaches the log endpoint here. The
// nodes also serve the metrics APIs (registered with the aggregator: the real HPA and `kubectl top`
// read them) and kube-sim's network layer (connection reports → NetworkPolicyViolation events).
import { readFileSync } from 'node:fs';
import { Kubelet } from '../controllers/kubelet/kubelet.js';
import { nodeLayout, type SimNode } from '../controllers/nodes.js';
import type { SimControllerOptions } from '../controllers/options.js';
import { SimMetrics } from '../controllers/metrics.js';
import { NetworkPolicyController } from '../netpol/controller.js';
import { ObjectStore, systemClock } from '../store/index.js';
import { PodLogRegistry, type SimContext, type SimLogger } from '../types.js';
import { RemoteApi } from './api.js';
import { registerMetricsApis } from './apiservices.js';
import { MetricsApi } from './metrics-api.js';
import { startNodeServer } from './node-server.js';
import { PodMirror } from './mirror.js';
import { RemoteNodes } from './nodes.js';

export interface RemoteKubeletOptions extends SimControllerOptions {
  /** Admin kubeconfig of the real API server (the kubelets act with it). */
  kubeconfig: string;
  /** PEM files of the kubelet's serving certificate (for 127.0.0.1, signed by a CA the API server trusts). */
  tlsCertFile: string;
  tlsKeyFile: string;
  /** Node names default to `kube-sim-node-N`. */
  logger?: SimLogger;
}

export interface RemoteKubelets {
  nodes: string[];
  kubeletPort: number;
  /** https://127.0.0.1:<kubeletPort>: /__sim/pod-metrics, /__sim/external-metrics, /__sim/connections (admin token). */
  adminUrl: string;
  stop(): Promise<void>;
}

const quiet: SimLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: (m, f) => console.error(m, f ?? '') };

export async function startRemoteKubelets(options: RemoteKubeletOptions): Promise<RemoteKubelets> {
  const logger = options.logger ?? quiet;
  const api = new RemoteApi(options.kubeconfig);
  // Every simulated node answers on this machine's loopback: the API server dials it for logs.
  const nodes: SimNode[] = nodeLayout(options).map((n) => ({ ...n, ip: '127.0.0.1' }));
  const local = new ObjectStore({ clock: systemClock });
  const podLogs = new PodLogRegistry();
  const kubelet = new Kubelet(nodes, options);
  const metrics = new SimMetrics();
  const netpol = new NetworkPolicyController();
  const logServer = await startNodeServer({
    logs: podLogs, tls: { cert: readFileSync(options.tlsCertFile, 'utf8'), key: readFileSync(options.tlsKeyFile, 'utf8') },
    metrics: new MetricsApi(local, metrics), admin: { store: local, token: api.token },
  });
  const offMetrics = metrics.registerRoutes(local);
  const abort = new AbortController();
  const mirror = new PodMirror(api, local, new Set(nodes.map((n) => n.name)), logger);
  const remoteNodes = new RemoteNodes(api, nodes, logServer.port, logger);
  try {
    await remoteNodes.register();
    const ctx: SimContext = { store: local, clock: systemClock, logger, options, podLogs, url: api.server.toString() };
    await kubelet.start(ctx);
    netpol.start(ctx);
    mirror.start(abort.signal);
    await registerMetricsApis(api, logServer.port);
  } catch (e) {
    abort.abort();
    netpol.stop();
    for (const off of offMetrics) off();
    await logServer.close();
    api.close();
    throw e;
  }
  return {
    nodes: nodes.map((n) => n.name),
    kubeletPort: logServer.port,
    adminUrl: `https://127.0.0.1:${logServer.port}`,
    async stop() {
      abort.abort();
      remoteNodes.stop();
      mirror.stop();
      netpol.stop();
      for (const off of offMetrics) off();
      await kubelet.stop();
      await logServer.close();
      local.close();
      api.close();
    },
  };
}
