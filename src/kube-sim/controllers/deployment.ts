// Deployment controller (apps/v1): one ReplicaSet per pod template (named <deployment>-<hash>,
// labelled pod-template-hash), scaled to spec.replicas; ReplicaSets of older templates are scaled
// to 0 (a recreate-style rollout). Status and the Available/Progressing conditions follow the
// ReplicaSets.
import { R, rfc3339, StatusError, type StoredObject } from '../store/index.js';
import { normalize } from '../store/strategy.js';
import { OwnerController } from './owner-controller.js';
import { controllerOf, setCondition, type Workload } from './pod-types.js';
import { splitKey } from './workqueue.js';

const SOURCE = { component: 'deployment-controller' };
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** The real controller's template hash: fnv32a of the template, "safe-encoded". */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(JSON.stringify(normalize(template)))) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return [...String(h)].map((ch) => SAFE[ch.charCodeAt(0) % SAFE.length]).join('');
}

interface DeploymentCondition { type: string; status: string; reason: string; message: string; lastUpdateTime: string; lastTransitionTime: string }

export class DeploymentController extends OwnerController {
  readonly name = 'deployment-controller';
  protected readonly owners = R.deployments;
  protected readonly owned = R.replicasets;
  protected readonly ownerKind = 'Deployment';

  protected sync(key: string): void {
    const [ns, name] = splitKey(key);
    const d = this.store.get<Workload>(R.deployments, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const want = d.spec.replicas ?? 1;
    const hash = templateHash(d.spec.template);
    const owned = this.store.list<Workload>(R.replicasets, ns).items.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    let current = owned.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    if (!current) current = this.createReplicaSet(d, hash, owned);
    else if ((current.spec.replicas ?? 1) !== want) this.scale(d, current, want);
    for (const old of owned) if (old !== current && (old.spec.replicas ?? 0) > 0) this.scale(d, old, 0);
    this.writeStatus(d, current);
  }

  private createReplicaSet(d: StoredObject<Workload>, hash: string, owned: StoredObject<Workload>[]): StoredObject<Workload> | undefined {
    const revision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0))) + 1;
    const labels = { ...d.spec.template.metadata?.labels, [HASH_LABEL]: hash };
    const rsName = `${d.metadata.name}-${hash}`;
    try {
      const rs = this.store.create<Workload>(R.replicasets, {
        metadata: {
          name: rsName, namespace: d.metadata.namespace, labels, annotations: { [REVISION]: String(revision) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas: d.spec.replicas ?? 1,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [HASH_LABEL]: hash } },
          template: { ...structuredClone(d.spec.template), metadata: { ...d.spec.template.metadata, labels } },
        },
      });
      this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} to ${d.spec.replicas ?? 1}`, SOURCE);
      return rs;
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) return this.store.get<Workload>(R.replicasets, d.metadata.namespace, rsName);
      throw e;
    }
  }

  private scale(d: StoredObject<Workload>, rs: StoredObject<Workload>, to: number): void {
    const from = rs.spec.replicas ?? 1;
    this.store.mutate<Workload>(R.replicasets, rs.metadata.namespace, rs.metadata.name, (x) => { x.spec.replicas = to; });
    this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to} from ${from}`, SOURCE);
  }

  private writeStatus(d: StoredObject<Workload>, current: StoredObject<Workload> | undefined): void {
    const owned = this.store.list<Workload>(R.replicasets, d.metadata.namespace).items.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    const num = (rs: StoredObject<Workload> | undefined, k: string) => { const v = rs?.status?.[k]; return typeof v === 'number' ? v : 0; };
    const sum = (k: string) => owned.reduce((n, rs) => n + num(rs, k), 0);
    const want = d.spec.replicas ?? 1;
    const available = sum('availableReplicas');
    const now = rfc3339(this.store.clock.now());
    const rsName = current?.metadata.name ?? '';
    const done = num(current, 'availableReplicas') >= want && sum('replicas') === want;
    const prev = (Array.isArray(d.status?.conditions) ? d.status.conditions : []) as DeploymentCondition[];
    const keep = (c: DeploymentCondition) => {
      const old = prev.find((p) => p.type === c.type);
      return old && old.status === c.status && old.reason === c.reason && old.message === c.message ? old : c;
    };
    let conditions = setCondition<DeploymentCondition>(prev, keep(available >= want
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: now, lastTransitionTime: now }));
    conditions = setCondition<DeploymentCondition>(conditions, keep(done
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.`, lastUpdateTime: now, lastTransitionTime: now }
      : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.`, lastUpdateTime: now, lastTransitionTime: now }));
    const status = {
      observedGeneration: d.metadata.generation ?? 1, replicas: sum('replicas'), updatedReplicas: num(current, 'replicas'),
      readyReplicas: sum('readyReplicas'), availableReplicas: available, unavailableReplicas: Math.max(0, want - available), conditions,
    };
    if (JSON.stringify(status) === JSON.stringify(d.status)) return;
    this.store.mutate<Workload>(R.deployments, d.metadata.namespace, d.metadata.name, (x) => { x.status = status; }, { subresource: 'status' });
  }
}
