// ReplicaSet controller (apps/v1): keeps spec.replicas pods from the template, owned by the
// ReplicaSet (controller ownerReference); scales down unscheduled, then pending, then unready,
// then the newest pods first; writes status replicas/readyReplicas/availableReplicas.
import { R, StatusError, labelSelectorMatches, type StoredObject } from '../store/index.js';
import { OwnerController } from './owner-controller.js';
import { controllerOf, isTerminalPod, type Pod, type Workload } from './pod-types.js';
import { splitKey } from './workqueue.js';

const SOURCE = { component: 'replicaset-controller' };

export const isPodReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Deletion order of the real controller: unassigned < pending < not ready < newer. */
function deletionRank(p: StoredObject<Pod>): [number, number, number, number] {
  return [p.spec.nodeName ? 1 : 0, p.status?.phase === 'Pending' ? 0 : 1, isPodReady(p) ? 1 : 0, -Date.parse(p.metadata.creationTimestamp)];
}

export class ReplicaSetController extends OwnerController {
  readonly name = 'replicaset-controller';
  protected readonly owners = R.replicasets;
  protected readonly owned = R.pods;
  protected readonly ownerKind = 'ReplicaSet';

  protected sync(key: string): void {
    const [ns, name] = splitKey(key);
    const rs = this.store.get<Workload>(R.replicasets, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const owned = this.store.list<Pod>(R.pods, ns).items.filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
    const active = owned.filter((p) => !isTerminalPod(p) && !p.metadata.deletionTimestamp);
    const want = rs.spec.replicas ?? 1;
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        try {
          const pod = this.store.create<Pod>(R.pods, this.podFor(rs));
          this.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
          this.events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${e.message}`, SOURCE);
          this.queue.addAfter(key, 1000);
          break;
        }
      }
    } else if (active.length > want) {
      const victims = [...active].sort((a, b) => {
        const ra = deletionRank(a), rb = deletionRank(b);
        for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] ?? 0) - (rb[i] ?? 0);
        return 0;
      }).slice(0, active.length - want);
      for (const p of victims) {
        try {
          this.store.delete(R.pods, ns, p.metadata.name);
          this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
        } catch (e) { if (!(e instanceof StatusError)) throw e; }
      }
    }
    this.writeStatus(rs);
  }

  private podFor(rs: StoredObject<Workload>): Pod {
    const t = rs.spec.template;
    return {
      metadata: {
        generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace, labels: { ...t.metadata?.labels },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(t.spec),
    };
  }

  private writeStatus(rs: StoredObject<Workload>): void {
    const ns = rs.metadata.namespace;
    const pods = this.store.list<Pod>(R.pods, ns).items.filter((p) => controllerOf(p)?.uid === rs.metadata.uid && !isTerminalPod(p) && !p.metadata.deletionTimestamp);
    const ready = pods.filter(isPodReady).length;
    const status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => labelSelectorMatches(rs.spec.selector, p.metadata.labels)).length,
      readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1,
    };
    if (JSON.stringify(status) === JSON.stringify(rs.status)) return;
    this.store.mutate<Workload>(R.replicasets, ns, rs.metadata.name, (d) => { d.status = status; }, { subresource: 'status' });
  }
}
