// KubernetesProvider: each ephemeral worker is a pod (see pods/pod-spec.ts) whose one-time token lives
// in a Secret owned by the pod (two requests to start a worker, one to delete it). One informer
// tracks the pods; the tracker turns what it sees into `worker.exited`/`worker.failed`; a periodic
// pass adopts, collects orphans and applies retention.
// Observability subscribes to `k8sEvents` (events.ts); every API call goes through `client`.
import { EventEmitter } from 'node:events';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../observability/logger.js';
import type { HealthCheck, HealthCheckResult, ProviderEvents, ProviderHealthCheck, ProviderWorker, ProvisionRequest, WorkerProvider } from '../provider.js';
import { apiMessage, failureReasonOf, ProvisionError } from './client/api-errors.js';
import { KubeClient } from './client/client.js';
import { KubernetesHealthChecker } from './health/checker.js';
import { cpuMillis, memoryBytes } from './quantity.js';
import { resolveKubernetesOptions, type KubernetesOptions, type KubernetesSettings } from './config.js';
import type { KubernetesProviderEventMap } from './events.js';
import { ProviderGc, shouldDelete } from './pods/gc.js';
import { PodInformer } from './pods/informer.js';
import { loadKubeConfig } from './client/kubeconfig.js';
import { LABEL, ownedSelector, podName, secretName } from './labels.js';
import { isNamespaceGone, NamespaceManager, namespaceFor } from './pods/namespace.js';
import { PodOps } from './pods/pod-ops.js';
import { buildWorkerPod, ownedBy, ResourceLimitError } from './pods/pod-spec.js';
import { classifyPod, isFinished, type PodJson } from './pods/pod-status.js';
import { builtinExtensions, type BuiltinExtensions } from './builtin-extensions.js';
import type { ProviderExtension } from './extension.js';
import type { PoolWorkerCount } from './pools/pools.js';
import { WorkerTracker, type Tracked, type WorkerLookup } from './pods/worker-tracker.js';

export interface KubernetesProviderOptions {
  /** Settings (validated and defaulted here). */
  settings?: KubernetesSettings;
  logger: Logger;
  /** A ready KubeConfig (tests); otherwise loaded from settings / KUBECONFIG / in-cluster. */
  kubeConfig?: KubeConfig;
  /**
   * The control plane's view of a worker (its store record). Used to learn when an agent registered
   * (startup breakdown) and which pods are orphans. Without it, orphans are left to the control
   * plane's reconciler (which terminates what `list()` shows and the store does not know).
   */
  lookupWorker?: WorkerLookup;
  /** Live workers registered through a pool, from the control plane (the HPA response time); unmeasured without it. */
  countPoolWorkers?: PoolWorkerCount;
  extensions?: ProviderExtension[];
  env?: NodeJS.ProcessEnv;
  /** The SLO target `slo.maxApiErrorRate` the readiness error-rate check judges by (one SLO config). */
  maxApiErrorRate?: number;
}

export class KubernetesProvider implements WorkerProvider {
  readonly kind = 'kubernetes';
  readonly id: string;
  readonly events = new EventEmitter<ProviderEvents>();
  /** Typed Kubernetes events for metrics, the event recorder and health (see events.ts). */
  readonly k8sEvents = new EventEmitter<KubernetesProviderEventMap>();
  readonly options: KubernetesOptions;
  private _client: KubeClient | undefined;
  private _core: CoreV1Api | undefined;
  private _informer: PodInformer | undefined;
  private namespaces: NamespaceManager | undefined;
  private ops: PodOps | undefined;
  private gc: ProviderGc | undefined;
  readonly tracker: WorkerTracker;
  /** Network policy (when enabled) and worker pools (network-policy/, pools/). */
  readonly extras: BuiltinExtensions;
  private readonly extensions: ProviderExtension[];
  private readonly log: Logger;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private gcRunning = false;
  /** Background API work (deletes after a worker ended); stop() waits for it. */
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;
  /** Last finished reconcile pass (startup: initial adoption done). */
  lastReconcileAt: Date | null = null;
  /** When each periodic loop last ran (liveness). */
  private readonly loopTicks = new Map<string, { lastTickAt: Date; intervalMs: number }>();
  private checker: KubernetesHealthChecker | undefined;

  constructor(private readonly o: KubernetesProviderOptions) {
    this.options = resolveKubernetesOptions(o.settings);
    this.id = this.options.id;
    this.extras = builtinExtensions(this.options, o.countPoolWorkers);
    this.extensions = [...this.extras.all, ...(o.extensions ?? [])];
    this.log = o.logger.child({ provider: this.id });
    this.k8sEvents.setMaxListeners(50);
    this.tracker = new WorkerTracker({
      events: this.events, k8sEvents: this.k8sEvents, logger: this.log, pendingTimeoutMs: this.options.pendingTimeoutMs, startFailureGraceMs: this.options.startFailureGraceMs,
      ...(o.lookupWorker ? { lookupWorker: o.lookupWorker } : {}),
      onEnded: (t, failed) => this.onEnded(t, failed),
      deletePod: (t, cause) => this.background(this.removePod(t.namespace, t.pod, t.workerId, cause), t.workerId, 'deleting failed pod failed'),
    });
  }

  get client(): KubeClient {
    if (!this._client) throw new Error('KubernetesProvider not started');
    return this._client;
  }

  get core(): CoreV1Api {
    if (!this._core) throw new Error('KubernetesProvider not started');
    return this._core;
  }

  get informer(): PodInformer {
    if (!this._informer) throw new Error('KubernetesProvider not started');
    return this._informer;
  }

  /** Pods of this provider as the informer sees them now (for gauges such as pods_by_state). */
  pods(): PodJson[] {
    return this._informer?.list() ?? [];
  }

  async start(): Promise<void> {
    const o = this.options;
    const kc = this.o.kubeConfig ?? loadKubeConfig(o, this.o.env).kc;
    const client = new KubeClient({
      kubeConfig: kc, qps: o.qps, burst: o.burst, requestTimeoutMs: o.requestTimeoutMs, maxAttempts: o.maxAttempts,
      breakerThreshold: o.breakerThreshold, breakerCooldownMs: o.breakerCooldownMs,
      hook: (ev) => this.k8sEvents.emit('api.request', ev),
      onBreakerChange: (state) => {
        this.log.warn({ state }, 'Kubernetes API circuit breaker changed state');
        this.k8sEvents.emit('api.breaker', { state });
      },
    });
    this._client = client;
    const core = client.api(CoreV1Api);
    this._core = core;
    this.ops = new PodOps(core);
    this.namespaces = new NamespaceManager({
      core, logger: this.log, create: o.createNamespace,
      onCreated: (namespace, durationMs, recreated) => this.k8sEvents.emit('namespace.created', { namespace, durationMs, ...(recreated ? { recreated } : {}) }),
    });
    await this.namespaces.ensure(o.namespace);
    const informer = new PodInformer({
      client, namespace: o.tenantNamespaces ? undefined : o.namespace, labelSelector: ownedSelector(this.id), logger: this.log,
    });
    informer.on('add', (p) => this.tracker.onPod(p));
    informer.on('update', (p) => this.tracker.onPod(p));
    informer.on('delete', (p) => this.onPodDeleted(p));
    informer.on('relist', (ev) => this.k8sEvents.emit('informer.relist', ev));
    this._informer = informer;
    await informer.start();
    this.gc = new ProviderGc({
      informer, tracker: this.tracker, ops: this.ops, logger: this.log, retention: o.podRetention, selector: ownedSelector(this.id),
      namespaces: () => [...new Set([o.namespace, ...informer.list().map((p) => p.metadata.namespace)])],
      ...(this.o.lookupWorker ? { lookupWorker: this.o.lookupWorker } : {}),
      k8sEvents: this.k8sEvents,
      deletePod: async (p, cause) => {
        const t = 'workerId' in p ? p : undefined;
        const pod = t ? { ns: t.namespace, name: t.pod, id: t.workerId } : podIds(p as PodJson);
        await this.removePod(pod.ns, pod.name, pod.id, cause);
      },
    });
    for (const ext of this.extensions) {
      await ext.start({ client, core, options: o, namespaces: this.namespaces, events: this.k8sEvents, logger: this.log });
    }
    this.every('tracker', Math.min(1000, Math.max(100, Math.floor(o.pendingTimeoutMs / 4))), () => this.tracker.tick());
    this.every('reconcile', o.reconcileIntervalMs, () => this.reconcile());
    void this.reconcile(); // adoption and orphans right away, not one period later
    this.log.info({ namespace: o.namespace, pods: informer.list().length }, 'kubernetes provider started');
  }

  async provision(req: ProvisionRequest): Promise<{ handle: string }> {
    const o = this.options;
    const namespace = namespaceFor(o.namespace, o.tenantNamespaces, req.labels);
    const name = podName(req.workerId);
    const handle = `pod:${namespace}/${name}`;
    const ops = this.ops;
    if (!ops || this.stopped) throw new Error('kubernetes provider is not running');
    if (o.maxConcurrentWorkers > 0 && this.tracker.active().length >= o.maxConcurrentWorkers) {
      throw new Error(`kubernetes provider at maxConcurrentWorkers (${o.maxConcurrentWorkers})`);
    }
    const t = this.tracker.expect({ workerId: req.workerId, jobId: req.jobId, namespace, pod: name });
    const started = Date.now();
    let podCreated = false;
    try {
      const plan = buildWorkerPod(req, o, namespace, o.controlPlaneUrl ?? req.serverUrl);
      const prepare = async (): Promise<V1Pod> => {
        for (const ext of this.extensions) {
          const refusal = await ext.admit?.(req);
          if (refusal) throw new ProvisionError(refusal.reason, refusal.message);
        }
        if (namespace !== o.namespace) await this.namespaces?.ensure(namespace);
        // Pod first, then its token Secret owned by it: two requests, and deleting the pod deletes
        // the Secret (garbage collector). The kubelet waits for the Secret volume (pod-spec.ts).
        return ops.createPod(plan.pod);
      };
      const created = await prepare().catch(async (err: unknown) => {
        // The namespace was deleted under us: recreate it (waiting out its termination), once.
        if (!isNamespaceGone(err)) throw err;
        await this.recoverNamespace(namespace);
        return prepare();
      });
      podCreated = true;
      const uid = created.metadata?.uid;
      if (!uid) throw new Error(`the API server returned pod ${namespace}/${name} without a uid`);
      await ops.createSecret(ownedBy(plan.secret, { name, uid })).catch((err: unknown) => {
        throw new ProvisionError(failureReasonOf(err), `creating token Secret ${namespace}/${secretName(req.workerId)}: ${apiMessage(err)}`);
      });
      const image = plan.pod.spec?.containers[0]?.image ?? o.workerImage;
      this.k8sEvents.emit('pod.created', { workerId: req.workerId, jobId: req.jobId, namespace, pod: name, durationMs: Date.now() - started, image, resources: plan.requests });
      this.log.info({ workerId: req.workerId, jobId: req.jobId, pod: name, namespace }, 'worker pod created');
    } catch (err) {
      const reason = err instanceof ProvisionError ? err.reason : err instanceof ResourceLimitError ? 'Forbidden' : failureReasonOf(err);
      const message = err instanceof ProvisionError || err instanceof ResourceLimitError ? err.message : `creating pod ${namespace}/${name}: ${apiMessage(err)}`;
      // Reported as worker.failed (with the reason the job record keeps) rather than a rejection,
      // which the scheduler would record as a bare ProvisioningFailed — see docs/adr/0002. Ended
      // first, so the deletion below is never seen as the pod's own end.
      this.tracker.fail(t, reason, message, Date.now() - started);
      // A pod without its token can never register: delete it (ours, not "external"); the
      // reconcile pass deletes it if this fails.
      if (podCreated) this.background(this.removePod(namespace, name, req.workerId, 'failed', 0), req.workerId, 'deleting a pod without its token Secret failed');
    }
    return { handle };
  }

  async terminate(workerId: string, opts: { graceMs?: number } = {}): Promise<void> {
    const t = this.tracker.workers.get(workerId);
    const ids = t ? { ns: t.namespace, name: t.pod, id: workerId } : this.findPod(workerId);
    if (!ids) return;
    const grace = opts.graceMs !== undefined ? Math.ceil(opts.graceMs / 1000) : this.options.terminationGracePeriodSeconds;
    await this.removePod(ids.ns, ids.name, ids.id, 'terminated', grace);
  }

  async list(): Promise<ProviderWorker[]> {
    const out: ProviderWorker[] = [];
    for (const p of this._informer?.list() ?? []) {
      const workerId = p.metadata.labels?.[LABEL.workerId];
      if (!workerId || p.metadata.deletionTimestamp || isFinished(p)) continue;
      out.push({
        workerId, handle: `pod:${p.metadata.namespace}/${p.metadata.name}`, jobId: p.metadata.labels?.[LABEL.jobId] ?? null,
        phase: classifyPod(p, true).phase === 'running' ? 'running' : 'starting',
      });
    }
    return out;
  }

  /** The control plane tells the provider a worker's agent registered (ends its startup breakdown). */
  markAgentRegistered(workerId: string, at?: Date): void {
    this.tracker.markAgentRegistered(workerId, at?.getTime());
  }

  /** Registration timeout: the pod's own state names the failure (never a bare AgentNeverRegistered for a Pending pod). */
  failUnregistered(workerId: string): { reason: string; message: string } | undefined {
    const t = this.tracker.workers.get(workerId);
    const why = this.tracker.registrationFailure(workerId);
    if (!t || !why || t.ended) return why;
    this.tracker.fail(t, why.reason, `agent did not register: ${why.message}`);
    return { reason: why.reason, message: `agent did not register: ${why.message}` };
  }

  /** The KubernetesHealthChecker of this provider (after start). */
  get healthChecker(): KubernetesHealthChecker {
    if (!this.checker) {
      const o = this.options;
      const netpol = this.extras.netpol;
      this.checker = new KubernetesHealthChecker(this.id, this.client, o.namespace, {
        informerSynced: () => this._informer?.synced ?? false,
        loops: () => [...this.loopTicks].map(([name, t]) => ({ name, ...t })),
        adopted: () => this.lastReconcileAt !== null,
        ...(netpol ? { networkPolicy: () => netpol.check() } : {}),
        worker: { cpuMillis: cpuMillis(o.defaultResources.cpu), memoryBytes: memoryBytes(o.defaultResources.memory), gpus: o.defaultResources.gpu ?? 0 },
        ...(this.o.maxApiErrorRate !== undefined ? { maxApiErrorRate: this.o.maxApiErrorRate } : {}),
        // Hung = no answer within the timeout the provider's own requests get (at most 5 s).
        unansweredAfterMs: Math.min(o.requestTimeoutMs, 5000),
      });
    }
    return this.checker;
  }

  /** Every named check of the health checker, for the control plane's /livez /readyz /startupz. */
  healthChecks(): ProviderHealthCheck[] {
    return this.healthChecker.checks();
  }

  /** Readiness, from the health checker (every check, each bounded by its timeout). */
  async health(): Promise<HealthCheckResult> {
    if (!this._client) {
      const check: HealthCheck = { name: 'kubernetes-started', status: 'Unhealthy', message: 'provider not started', durationMs: 0 };
      return { status: 'Unhealthy', details: { [check.name]: check.message }, checks: [check], durationMs: 0, checkedAt: new Date().toISOString() };
    }
    return this.healthChecker.readinessCheck();
  }

  async stop(opts: { terminateWorkers?: boolean } = {}): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const ext of [...this.extensions].reverse()) await ext.stop?.().catch((err: unknown) => this.log.warn({ err, ext: ext.name }, 'extension stop failed'));
    if (opts.terminateWorkers) {
      await Promise.allSettled(this.tracker.active().map((t) => this.removePod(t.namespace, t.pod, t.workerId, 'terminated', 1)));
    }
    await this._informer?.stop();
    while (this.pending.size > 0 || this.gcRunning) {
      await Promise.allSettled([...this.pending]);
      if (this.gcRunning) await new Promise((r) => setTimeout(r, 20));
    }
    this.checker?.close();
    this._client?.close();
  }

  /** One reconcile pass (also run periodically). */
  async reconcile(): Promise<void> {
    if (!this.gc || this.gcRunning || this.stopped) return;
    this.gcRunning = true;
    const t0 = Date.now();
    try {
      // A worker namespace deleted while no job asks for it is recreated all the same.
      if (this.options.createNamespace && await this.namespaces?.isGone(this.options.namespace)) await this.recoverNamespace(this.options.namespace);
      const r = await this.gc.run();
      this.lastReconcileAt = new Date();
      this.k8sEvents.emit('reconcile.done', { durationMs: Date.now() - t0, ...r });
    } catch (err) {
      this.log.warn({ err: apiMessage(err) }, 'kubernetes reconcile pass failed');
    } finally {
      this.gcRunning = false;
    }
  }

  /**
   * A pod's deletion. One we did not ask for is named: with its namespace (`NamespaceDeleted`,
   * and the namespace is recreated) or alone (`PodDeleted`, e.g. `kubectl delete pod`).
   */
  private onPodDeleted(p: PodJson): void {
    const workerId = p.metadata.labels?.[LABEL.workerId];
    const t = workerId ? this.tracker.workers.get(workerId) : undefined;
    if (!t || t.ended || t.deleteCause || (t.obj && t.obj.metadata.uid !== p.metadata.uid)) {
      this.tracker.onDelete(p);
      return;
    }
    const ns = p.metadata.namespace;
    this.background((async () => {
      const gone = (await this.namespaces?.isGone(ns)) ?? false;
      this.tracker.onDelete(p, gone ? 'NamespaceDeleted' : 'PodDeleted');
      if (gone && this.options.createNamespace) await this.recoverNamespace(ns);
    })(), t.workerId, 'handling a deleted pod failed');
  }

  private recoverNamespace(ns: string): Promise<void> {
    const m = this.namespaces;
    if (!m) return Promise.resolve();
    if (!this.options.createNamespace) return Promise.reject(new ProvisionError('NamespaceDeleted', `namespace ${ns} was deleted and createNamespace is false`));
    return m.recover(ns);
  }

  private onEnded(t: Tracked, failed: boolean): void {
    // Pods that never ran (provisioning failures, pending timeouts) are deleted by their own path,
    // and their Secret with them (owner reference).
    if (!t.obj || !isFinished(t.obj)) return;
    if (shouldDelete(this.options.podRetention, failed || t.obj.status?.phase === 'Failed')) {
      this.background(this.removePod(t.namespace, t.pod, t.workerId, 'finished'), t.workerId, 'deleting ended pod failed; the reconcile pass retries');
    } else {
      // A pod kept for inspection keeps no token: the Secret goes now, not with the pod.
      this.background(this.ops?.deleteSecret(t.namespace, secretName(t.workerId)), t.workerId, 'token Secret delete failed; the reconcile pass retries');
    }
  }

  private background(p: Promise<unknown> | undefined, workerId: string, what: string): void {
    if (!p) return;
    const tracked = p.catch((err: unknown) => this.log.warn({ workerId, err: apiMessage(err) }, what)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async removePod(ns: string, name: string, workerId: string, cause: Tracked['deleteCause'] & string, graceSeconds?: number): Promise<void> {
    const t = this.tracker.workers.get(workerId);
    if (t) {
      t.deleteRequestedAt ??= Date.now();
      t.deleteCause ??= cause;
    }
    // One request: the token Secret is the pod's dependant, deleted by the garbage collector (the
    // reconcile pass deletes any a missing or lagging collector leaves, see pods/gc.ts).
    await this.ops?.deletePod(ns, name, graceSeconds ?? this.options.terminationGracePeriodSeconds);
  }

  private findPod(workerId: string): { ns: string; name: string; id: string } | undefined {
    const p = this._informer?.list().find((x) => x.metadata.labels?.[LABEL.workerId] === workerId);
    return p ? podIds(p) : undefined;
  }

  /** Runs `fn` every `ms` after the previous run finished (never overlapping). */
  private every(name: string, ms: number, fn: () => Promise<void>): void {
    const run = (): void => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        // Ticks count whether the pass succeeded or not: an API outage is not a wedged loop.
        this.loopTicks.set(name, { lastTickAt: new Date(), intervalMs: ms });
        fn().catch((err: unknown) => this.log.warn({ err: apiMessage(err), loop: name }, 'kubernetes provider loop failed')).finally(run);
      }, ms);
      timer.unref();
      this.timers.set(name, timer);
    };
    run();
  }
}

function podIds(p: PodJson): { ns: string; name: string; id: string } {
  return { ns: p.metadata.namespace, name: p.metadata.name, id: p.metadata.labels?.[LABEL.workerId] ?? '' };
}
