// The simulator's built-in control loops, in start order: nodes, scheduler, kubelet, workload
// controllers (Deployment → ReplicaSet → pods), HPA, network-policy evaluation.
import type { KubeSimOptions, SimController } from '../types.js';
import { Kubelet } from './kubelet/kubelet.js';
import { NodeController, nodeLayout } from './nodes.js';
import { Scheduler } from './scheduler.js';
import { ReplicaSetController } from './replicaset.js';
import { DeploymentController } from './deployment.js';
import { HpaController } from './hpa.js';
import { NetworkPolicyController } from './network-policy.js';
import { EventsV1Mirror } from './events-v1.js';

export type { SimControllerOptions, SimNodeSpec, SimTaint } from './options.js';
export { ANNOTATIONS } from './kubelet/annotations.js';

export function builtinControllers(options: KubeSimOptions = {}): SimController[] {
  const nodes = nodeLayout(options);
  return [
    new NodeController(nodes),
    new Scheduler(nodes, options),
    new Kubelet(nodes, options),
    new ReplicaSetController(),
    new DeploymentController(),
    new HpaController(options),
    new NetworkPolicyController(),
    new EventsV1Mirror(),
  ];
}
