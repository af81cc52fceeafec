// Options of the built-in controllers (nodes, scheduler, kubelet, Deployment/ReplicaSet, HPA,
// network policies). KubeSimOptions extends this interface; every field is optional.
import type { Pod } from './pod-types.js';

export interface SimTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Overrides for one node (entry i of `nodeSpecs` applies to node i). */
export interface SimNodeSpec {
  name?: string;
  cpu?: string;
  memory?: string;
  gpus?: number;
  /** Maximum pods. @defaultValue 110 */
  pods?: number;
  labels?: Record<string, string>;
  taints?: SimTaint[];
}

export interface SimControllerOptions {
  /** Number of nodes created at start. @defaultValue 4 */
  nodes?: number;
  /** Allocatable cpu of each node. @defaultValue '8' */
  nodeCpu?: string;
  /** @defaultValue '32Gi' */
  nodeMemory?: string;
  /** `nvidia.com/gpu` of each node. @defaultValue 0 */
  nodeGpus?: number;
  /** Labels added to every node. */
  nodeLabels?: Record<string, string>;
  /** Taints of every node. */
  nodeTaints?: SimTaint[];
  /** Per-node overrides, by index. */
  nodeSpecs?: SimNodeSpec[];

  /** Delay between a pod becoming schedulable and its binding. @defaultValue 0 */
  schedulingLatencyMs?: number;
  /** Periodic retry of unschedulable pods (besides event-driven retries). @defaultValue 5000 */
  schedulerRetryMs?: number;

  /** Time an image pull takes (first pull of an image on a node). @defaultValue 200 */
  imagePullLatencyMs?: number;
  /** Time from "Created" to "Started" of a container. @defaultValue 50 */
  containerStartLatencyMs?: number;
  /** Image prefixes that can be pulled; anything else goes ErrImagePull → ImagePullBackOff. */
  imageAllowList?: string[];
  /** First back-off after a failed pull; doubles per failure (max 60 s). @defaultValue 5000 */
  imagePullBackoffMs?: number;
  /** First retry of a volume that cannot be mounted yet (a missing Secret); doubles (max 60 s), as the kubelet's volume manager. @defaultValue 500 */
  volumeMountRetryMs?: number;
  /** First back-off before restarting a container (restartPolicy Always/OnFailure); doubles, max 300 s. @defaultValue 10000 */
  restartBackoffMs?: number;
  /** A container whose command[0] starts with this runs the local `hodei` CLI. @defaultValue '/hodei/bin/' */
  agentPathPrefix?: string;
  /** Run time of simulated (non-agent) containers of restartPolicy Never/OnFailure pods; Always pods run until deleted. @defaultValue 0 */
  simulatedRunSeconds?: number;
  /** Exit code of simulated containers. @defaultValue 0 */
  simulatedExitCode?: number;
  /** Interval of the memory (RSS) sampler of real processes. @defaultValue 250 */
  memorySampleMs?: number;
  /** Directory under which pod working directories are created. @defaultValue os.tmpdir() */
  podDirRoot?: string;
  /** Extra environment for real agent processes (e.g. HODEI_CLI-style overrides); container env wins. */
  agentEnv?: Record<string, string>;
  /**
   * Environment that gives a real process its pod's ServiceAccount identity. A container reads its
   * token at /var/run/secrets/kubernetes.io/serviceaccount; a process on this machine cannot, so the
   * remote kubelets hand it a KUBECONFIG with a TokenRequest token bound to the pod (same rights).
   */
  podCredentials?: (pod: Pod) => Promise<Record<string, string>>;

  /** HPA sync period. @defaultValue 1000 */
  hpaSyncMs?: number;
  /** Default scale-down stabilisation window (the real default is 300 s). @defaultValue 15 */
  hpaDownscaleStabilizationSeconds?: number;
  /** HPA tolerance on the usage ratio. @defaultValue 0.1 */
  hpaTolerance?: number;
}
