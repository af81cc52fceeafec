// The default scheduler: binds pending pods to nodes honouring resource requests, nodeSelector,
// required node affinity and taints/tolerations. Unschedulable pods stay Pending with
// PodScheduled=False/Unschedulable and the real "0/4 nodes are available: ..." message, and are
// retried whenever capacity frees (a pod ends or goes, a node changes) and periodically.
import { R, rfc3339, type ObjectStore, type StoreEvent, type StoredObject } from '../store/index.js';
import { toMilli } from '../quantity.js';
import type { SimContext, SimController } from '../types.js';
import { EventRecorder } from './events.js';
import type { SimNode } from './nodes.js';
import type { SimControllerOptions } from './options.js';
import { isTerminalPod, podKey, setCondition, type Pod, type PodCondition } from './pod-types.js';
import { addAmounts, podRequests, type Amounts } from './requests.js';
import { filterNode } from './fit.js';

const SOURCE = { component: 'default-scheduler' };

export class Scheduler implements SimController {
  readonly name = 'scheduler';
  private store!: ObjectStore;
  private logger: SimContext['logger'] | undefined;
  private events!: EventRecorder;
  /** pods waiting for an attempt: key → earliest attempt time */
  private readonly queue = new Map<string, number>();
  private readonly unschedulable = new Set<string>();
  /** bound non-terminal pods: uid → node and requests */
  private readonly bound = new Map<string, { node: string; req: Amounts }>();
  private readonly used = new Map<string, Amounts>();
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void)[] = [];
  private readonly latency: number;

  constructor(private readonly nodes: SimNode[], private readonly options: SimControllerOptions) {
    this.latency = options.schedulingLatencyMs ?? 0;
  }

  start(ctx: SimContext): void {
    this.store = ctx.store;
    this.logger = ctx.logger;
    this.events = new EventRecorder(ctx.store);
    for (const n of this.nodes) this.used.set(n.name, new Map());
    this.unsubscribe.push(ctx.store.onChange(R.pods, (ev) => this.onPod(ev)));
    this.unsubscribe.push(ctx.store.onChange(R.nodes, () => this.requeueUnschedulable()));
    for (const p of ctx.store.list<Pod>(R.pods).items) this.onPod({ type: 'ADDED', object: p, rv: 0, line: () => '' });
    this.retry = setInterval(() => this.requeueUnschedulable(), this.options.schedulerRetryMs ?? 5000);
    this.retry.unref();
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    if (this.timer) clearTimeout(this.timer);
    if (this.retry) clearInterval(this.retry);
  }

  private onPod(ev: StoreEvent): void {
    const pod = ev.object as Pod;
    const uid = pod.metadata.uid ?? '';
    const key = podKey(pod);
    if (ev.type === 'DELETED' || isTerminalPod(pod)) {
      this.queue.delete(key);
      this.unschedulable.delete(key);
      if (this.release(uid)) this.requeueUnschedulable();
      return;
    }
    if (pod.spec.nodeName) {
      if (!this.bound.has(uid)) {
        const req = podRequests(pod.spec).set('pods', 1000);
        this.bound.set(uid, { node: pod.spec.nodeName, req });
        const used = this.used.get(pod.spec.nodeName);
        if (used) addAmounts(used, req, 1);
      }
      return;
    }
    if (pod.metadata.deletionTimestamp || (pod.spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    if (!this.queue.has(key) && !this.unschedulable.has(key)) this.enqueue(key, this.store.clock.now() + this.latency);
  }

  private release(uid: string): boolean {
    const b = this.bound.get(uid);
    if (!b) return false;
    this.bound.delete(uid);
    const used = this.used.get(b.node);
    if (used) addAmounts(used, b.req, -1);
    return true;
  }

  private requeueUnschedulable(): void {
    const at = this.store.clock.now();
    for (const key of this.unschedulable) this.queue.set(key, at);
    this.unschedulable.clear();
    this.arm(at);
  }

  private enqueue(key: string, at: number): void {
    this.queue.set(key, at);
    this.arm(at);
  }

  private arm(at: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.drain(); }, Math.max(0, at - this.store.clock.now()));
    this.timer.unref();
  }

  private drain(): void {
    const now = this.store.clock.now();
    let next = Infinity;
    for (const [key, at] of this.queue) {
      if (at > now) { next = Math.min(next, at); continue; }
      this.queue.delete(key);
      const [ns, name] = key.split('/') as [string, string];
      const pod = this.store.get<Pod>(R.pods, ns, name);
      if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp || isTerminalPod(pod)) continue;
      try { this.schedule(pod); } catch (e) { this.unschedulable.add(key); this.logger?.warn('kube-sim: scheduling failed', { pod: key, error: String(e) }); }
    }
    if (next !== Infinity) this.arm(next);
  }

  private schedule(pod: StoredObject<Pod>): void {
    const req = podRequests(pod.spec);
    const reasons = new Map<string, number>();
    let best: { node: SimNode; score: number } | undefined;
    for (const n of this.nodes) {
      const nodeObj = this.store.get(R.nodes, undefined, n.name);
      if (!nodeObj) continue;
      const failed = filterNode(pod, req, nodeObj, this.used.get(n.name) ?? new Map());
      if (failed.length) { for (const r of failed) reasons.set(r, (reasons.get(r) ?? 0) + 1); continue; }
      // Least-allocated cpu first, so pods spread like the default scoring does.
      const alloc = toMilli(String((nodeObj.status as { allocatable?: Record<string, string> } | undefined)?.allocatable?.cpu ?? '0')) || 1;
      const score = ((this.used.get(n.name)?.get('cpu') ?? 0) + (req.get('cpu') ?? 0)) / alloc;
      if (!best || score < best.score) best = { node: n, score };
    }
    if (!best) return this.markUnschedulable(pod, reasons);
    const node = best.node.name;
    const boundPod = this.store.mutate<Pod>(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => { p.spec.nodeName = node; });
    if (!boundPod) return;
    this.store.mutate<Pod>(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      const status = p.status ?? {};
      status.conditions = setCondition<PodCondition>(status.conditions ?? [], { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.store.clock.now()) });
      p.status = status;
    }, { subresource: 'status' });
    this.events.record(boundPod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, SOURCE);
  }

  private markUnschedulable(pod: StoredObject<Pod>, reasons: Map<string, number>): void {
    const total = this.nodes.length;
    const message = total === 0 || reasons.size === 0
      ? 'no nodes available to schedule pods'
      : `0/${total} nodes are available: ${[...reasons].map(([r, c]) => `${c} ${r}`).sort().join(', ')}.`;
    this.unschedulable.add(podKey(pod));
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cond?.status === 'False' && cond.message === message) return; // nothing new to say
    this.store.mutate<Pod>(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      const status = p.status ?? {};
      status.conditions = setCondition<PodCondition>(status.conditions ?? [], {
        type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339(this.store.clock.now()),
      });
      p.status = status;
    }, { subresource: 'status' });
    this.events.record(pod, 'Warning', 'FailedScheduling', message, SOURCE);
  }
}
