// Test helpers: a sim plus @kubernetes/client-node clients configured from its kubeconfig, and a
// parser for ApiException bodies (metav1.Status).
import { ApiException, AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, NetworkingV1Api, AuthorizationV1Api } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '../../../src/kube-sim/index.js';
import type { StatusBody } from '../../../src/kube-sim/store/index.js';
import type { KubeSimOptions } from '../../../src/kube-sim/types.js';

export interface SimClients {
  sim: KubeSim;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  networking: NetworkingV1Api;
  authz: AuthorizationV1Api;
}

export function clientsFor(kubeconfigPath: string): Omit<SimClients, 'sim'> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
  };
}

/** A sim with no controllers unless given (API-server tests stay deterministic), plus clients. */
export async function startWithClients(options: KubeSimOptions = {}): Promise<SimClients> {
  const sim = await startKubeSim({ controllers: () => [], ...options });
  return { sim, ...clientsFor(sim.kubeconfig) };
}

/** Await a failing call and return its HTTP code, parsed Status body and headers. */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; body: StatusBody; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const raw: unknown = e.body;
      const body = (typeof raw === 'string' ? JSON.parse(raw) : raw) as StatusBody;
      return { code: e.code, body, headers: e.headers };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

export const podBody = (name: string, extra: { labels?: Record<string, string>; requests?: Record<string, string>; image?: string } = {}) => ({
  metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
  spec: { containers: [{ name: 'main', image: extra.image ?? 'busybox:1.36', ...(extra.requests ? { resources: { requests: extra.requests } } : {}) }] },
});
