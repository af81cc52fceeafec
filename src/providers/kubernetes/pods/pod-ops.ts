// The provider's writes to the API, each idempotent: creates use deterministic names and treat a
// 409 on an object carrying the same worker id as "already done" (our earlier attempt landed);
// deletes treat 404 as done.
import type { CoreV1Api, V1Pod, V1Secret } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../client/api-errors.js';
import { LABEL } from '../labels.js';

export class PodOps {
  constructor(private readonly core: CoreV1Api) {}

  async createSecret(secret: V1Secret): Promise<void> {
    const namespace = secret.metadata?.namespace ?? '';
    try {
      await this.core.createNamespacedSecret({ namespace, body: secret });
    } catch (err) {
      if (!isConflict(err)) throw err;
      const existing = await this.core.readNamespacedSecret({ namespace, name: secret.metadata?.name ?? '' });
      if (sameWorker(existing.metadata?.labels, secret.metadata?.labels)) return;
      throw err;
    }
  }

  async createPod(pod: V1Pod): Promise<V1Pod> {
    const namespace = pod.metadata?.namespace ?? '';
    try {
      return await this.core.createNamespacedPod({ namespace, body: pod });
    } catch (err) {
      if (!isConflict(err)) throw err;
      const existing = await this.core.readNamespacedPod({ namespace, name: pod.metadata?.name ?? '' });
      if (sameWorker(existing.metadata?.labels, pod.metadata?.labels)) return existing;
      throw err;
    }
  }

  /** true when a delete was issued, false when the pod was already gone. */
  async deletePod(namespace: string, name: string, graceSeconds: number): Promise<boolean> {
    try {
      await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: graceSeconds, propagationPolicy: 'Background' });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async deleteSecret(namespace: string, name: string): Promise<boolean> {
    try {
      await this.core.deleteNamespacedSecret({ namespace, name });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async listSecrets(namespace: string, labelSelector: string): Promise<V1Secret[]> {
    return (await this.core.listNamespacedSecret({ namespace, labelSelector })).items;
  }
}

function sameWorker(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const id = b?.[LABEL.workerId];
  return id !== undefined && a?.[LABEL.workerId] === id && a[LABEL.providerId] === b?.[LABEL.providerId];
}
