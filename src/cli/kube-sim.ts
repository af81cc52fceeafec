// `hodei kube-sim`: run the Kubernetes API simulator (API server + nodes, scheduler, kubelet,
// Deployment/ReplicaSet/HPA controllers, network policies) until SIGINT/SIGTERM, and print the
// kubeconfig that kubectl and the Kubernetes provider use. See docs/kube-sim.md.
import { isQuantity, parseQuantity } from '../util/quantity.js';
import { InvalidArgumentError, type Command } from 'commander';
import { parseInteger, parseKeyValue } from './common.js';

interface KubeSimFlags {
  host?: string; port?: number; https?: boolean; token?: string;
  nodes?: number; nodeCpu?: string; nodeMemory?: string; nodeGpus?: number;
  nodeLabel?: Record<string, string>; nodeTaint?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  faults?: string; rbac?: string; kubeconfigOut?: string;
  schedulingLatency?: number; imagePullLatency?: number; startLatency?: number;
  imageAllow?: string[]; agentPathPrefix?: string; hpaSync?: number; hpaDownscaleWindow?: number;
}

// The project's one quantity parser (src/util/quantity.ts).
const quantity = (flag: string) => (v: string): string => {
  if (!isQuantity(v) || parseQuantity(v) < 0) throw new InvalidArgumentError(`${flag} must be a Kubernetes quantity such as 8, 500m or 32Gi, got '${v}'`);
  return v;
};

/** key=value:Effect, as `kubectl taint` writes it. */
function parseTaint(v: string, prev: KubeSimFlags['nodeTaint'] = []): NonNullable<KubeSimFlags['nodeTaint']> {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--node-taint must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute, got '${v}'`);
  return [...prev, { key: m[1] ?? '', ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3] as 'NoSchedule' }];
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Adds `hodei kube-sim` to the CLI program. */
export function registerKubeSimCommand(program: Command): Command {
  return program.command('kube-sim')
    .description('run a simulated Kubernetes cluster (API server, nodes, scheduler, kubelet running real agents, HPA) for demos and tests')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default: a free one)', parseInteger('--port', 0, 65535))
    .option('--https', 'serve HTTPS with a generated self-signed certificate (default)')
    .option('--no-https', 'serve plain HTTP (kubectl will not send the token over it: client libraries only)')
    .option('--token <token>', 'admin bearer token (default: random)')
    .option('--nodes <n>', 'number of nodes (default 4)', parseInteger('--nodes', 0, 5000))
    .option('--node-cpu <quantity>', 'allocatable cpu per node (default 8)', quantity('--node-cpu'))
    .option('--node-memory <quantity>', 'allocatable memory per node (default 32Gi)', quantity('--node-memory'))
    .option('--node-gpus <n>', 'nvidia.com/gpu per node (default 0)', parseInteger('--node-gpus', 0, 64))
    .option('--node-label <key=value>', 'label on every node (repeatable)', parseKeyValue('--node-label'))
    .option('--node-taint <key=value:Effect>', 'taint on every node (repeatable)', parseTaint)
    .option('--faults <file>', 'fault-injection rules (YAML): errors, latency, outages, watch cuts')
    .option('--rbac <file>', 'RBAC policy (YAML): which tokens may do what')
    .option('--kubeconfig-out <path>', 'where to write the kubeconfig (default: a new temp dir)')
    .option('--scheduling-latency <ms>', 'delay before a pod is bound (default 0)', parseInteger('--scheduling-latency', 0))
    .option('--image-pull-latency <ms>', 'time an image pull takes (default 200)', parseInteger('--image-pull-latency', 0))
    .option('--start-latency <ms>', 'time from container created to started (default 50)', parseInteger('--start-latency', 0))
    .option('--image-allow <prefix>', 'image prefix the simulated registry has (repeatable; replaces the default list)', collect)
    .option('--agent-path-prefix <path>', 'a container whose command starts here runs the local hodei agent (default /hodei/bin/)')
    .option('--hpa-sync <ms>', 'HPA sync period (default 1000)', parseInteger('--hpa-sync', 10))
    .option('--hpa-downscale-window <seconds>', 'HPA scale-down stabilisation window (default 15)', parseInteger('--hpa-downscale-window', 0))
    .action(async (f: KubeSimFlags) => {
      // Loaded here, not at the top: other commands start without the simulator.
      const { startKubeSim } = await import('../kube-sim/index.js');
      const sim = await startKubeSim({
        ...(f.host ? { host: f.host } : {}), ...(f.port !== undefined ? { port: f.port } : {}), ...(f.https !== undefined ? { tls: f.https } : {}),
        ...(f.token ? { token: f.token } : {}), ...(f.nodes !== undefined ? { nodes: f.nodes } : {}),
        ...(f.nodeCpu ? { nodeCpu: f.nodeCpu } : {}), ...(f.nodeMemory ? { nodeMemory: f.nodeMemory } : {}),
        ...(f.nodeGpus !== undefined ? { nodeGpus: f.nodeGpus } : {}), ...(f.nodeLabel ? { nodeLabels: f.nodeLabel } : {}),
        ...(f.nodeTaint ? { nodeTaints: f.nodeTaint } : {}), ...(f.faults ? { faults: f.faults } : {}), ...(f.rbac ? { rbac: f.rbac } : {}),
        ...(f.kubeconfigOut ? { kubeconfigPath: f.kubeconfigOut } : {}),
        ...(f.schedulingLatency !== undefined ? { schedulingLatencyMs: f.schedulingLatency } : {}),
        ...(f.imagePullLatency !== undefined ? { imagePullLatencyMs: f.imagePullLatency } : {}),
        ...(f.startLatency !== undefined ? { containerStartLatencyMs: f.startLatency } : {}),
        ...(f.imageAllow ? { imageAllowList: f.imageAllow } : {}), ...(f.agentPathPrefix ? { agentPathPrefix: f.agentPathPrefix } : {}),
        ...(f.hpaSync !== undefined ? { hpaSyncMs: f.hpaSync } : {}),
        ...(f.hpaDownscaleWindow !== undefined ? { hpaDownscaleStabilizationSeconds: f.hpaDownscaleWindow } : {}),
      });
      process.stdout.write(
        `kube-sim API server listening on ${sim.url}\n` +
        `kubeconfig: ${sim.kubeconfig}\n\n` +
        `  kubectl --kubeconfig ${sim.kubeconfig} get nodes\n\n` +
        `Admin endpoints (${sim.url}/__sim/...: faults, stats, external-metrics, pod-metrics, connections) take the kubeconfig's token.\n` +
        'Press Ctrl-C to stop.\n',
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await sim.stop();
    });
}
