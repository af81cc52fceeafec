// The kubelets of every simulated node as one controller: picks up pods bound to our nodes, runs
// them (PodRuntime), finishes their deletion, and serves their logs through ctx.podLogs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors, R, StatusError, type ObjectStore, type StoreEvent, type StoredObject } from '../../store/index.js';
import type { PodLogRequest, SimContext, SimController } from '../../types.js';
import { EventRecorder } from '../events.js';
import type { SimNode } from '../nodes.js';
import type { SimControllerOptions } from '../options.js';
import { isTerminalPod, type Pod } from '../pod-types.js';
import { kubeletOptions, NodeRuntime } from './node-runtime.js';
import { MemoryWatch } from './rss.js';
import { PodRuntime } from './runtime.js';

export class Kubelet implements SimController {
  readonly name = 'kubelet';
  private store!: ObjectStore;
  private readonly runtimes = new Map<string, PodRuntime>(); // uid →
  private readonly nodes = new Map<string, NodeRuntime>();
  private readonly memoryWatch: MemoryWatch;
  private root = '';
  private cleanup: (() => void)[] = [];

  constructor(private readonly simNodes: SimNode[], private readonly options: SimControllerOptions) {
    this.memoryWatch = new MemoryWatch(options.memorySampleMs ?? 250);
  }

  start(ctx: SimContext): void {
    this.store = ctx.store;
    this.root = mkdtempSync(join(this.options.podDirRoot ?? tmpdir(), 'kube-sim-pods-'));
    const events = new EventRecorder(ctx.store);
    const opts = kubeletOptions(this.options);
    for (const n of this.simNodes) {
      this.nodes.set(n.name, new NodeRuntime(n, ctx.store, events, ctx.logger, opts, this.memoryWatch, this.root, (rt) => this.runtimes.delete(rt.uid)));
    }
    this.cleanup.push(ctx.store.onChange(R.pods, (ev) => this.onPod(ev)));
    this.cleanup.push(ctx.podLogs.register((req) => this.logs(req)));
    // Agent processes are detached: if the host process exits without stop(), take them along.
    const onExit = () => { for (const rt of this.runtimes.values()) rt.destroy(); };
    process.once('exit', onExit);
    this.cleanup.push(() => process.off('exit', onExit));
    for (const p of ctx.store.list<Pod>(R.pods).items) this.onPod({ type: 'ADDED', object: p, rv: 0, line: () => '' });
  }

  async stop(): Promise<void> {
    for (const c of this.cleanup) c();
    for (const rt of [...this.runtimes.values()]) rt.destroy();
    this.memoryWatch.close();
    // Let killed processes be reaped before their directories go.
    await new Promise((r) => setTimeout(r, 50));
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }

  private onPod(ev: StoreEvent): void {
    const pod = ev.object as StoredObject<Pod>;
    const uid = pod.metadata.uid;
    const rt = this.runtimes.get(uid);
    if (ev.type === 'DELETED') { rt?.destroy(); return; }
    const node = pod.spec.nodeName ? this.nodes.get(pod.spec.nodeName) : undefined;
    if (!node) return;
    if (rt) {
      rt.onUpdate(pod);
      if (pod.metadata.deletionTimestamp) void rt.terminate(pod.metadata.deletionGracePeriodSeconds ?? 0);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      // Nothing runs for it here (e.g. bound before we started): finish the deletion at once.
      setImmediate(() => this.forceDelete(pod));
      return;
    }
    if (isTerminalPod(pod) || pod.status?.startTime) return; // already run (by us) or not ours to restart
    const created = new PodRuntime(node, pod);
    this.runtimes.set(uid, created);
    created.start();
  }

  private forceDelete(pod: StoredObject<Pod>): void {
    try {
      this.store.delete(R.pods, pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }

  private logs(req: PodLogRequest): ReturnType<Parameters<SimContext['podLogs']['register']>[0]> {
    const pod = this.store.get<Pod>(R.pods, req.namespace, req.pod);
    if (!pod) return undefined;
    const rt = this.runtimes.get(pod.metadata.uid);
    if (!rt || !req.container) return rt ? '' : undefined;
    const { log, waiting } = rt.log(req.container, req.previous);
    if (waiting !== undefined) {
      if (req.previous) throw errors.badRequest(`previous terminated container "${req.container}" in pod "${req.pod}" not found`);
      throw errors.badRequest(`container "${req.container}" in pod "${req.pod}" is waiting to start: ${waiting}`);
    }
    return log?.read(req) ?? '';
  }
}
