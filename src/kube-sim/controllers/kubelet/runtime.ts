// One pod on a simulated node, walked through its life like the kubelet does: pull images, run
// init containers one by one, start the containers, restart them per restartPolicy, enforce
// activeDeadlineSeconds, and on deletion stop them (SIGTERM, SIGKILL after the grace period) and
// remove the object. Real processes run for agent containers; the rest are simulated.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { R, rfc3339, StatusError, type StoredObject } from '../../store/index.js';
import { parseQuantity } from '../../quantity.js';
import type { Container, ContainerStatus, Pod, PodStatus } from '../pod-types.js';
import { agentArgv, imageAllowed, isWorkerImage } from './images.js';
import { ContainerConfigError, containerEnv, expand } from './env.js';
import { ContainerLog } from './logs.js';
import { mountSecretVolumes } from './volumes.js';
import { failedStart, startProcess, startSimulated, type ContainerRun, type ExitResult } from './process.js';
import { newContainerStatus, refreshPod, runningState, terminatedState } from './status.js';
import { simBehaviour } from './annotations.js';
import type { NodeRuntime } from './node-runtime.js';

interface Slot {
  spec: Container;
  init: boolean;
  status: ContainerStatus;
  run?: ContainerRun;
  log?: ContainerLog;
  prevLog?: ContainerLog;
}

const GIVE_UP_MS = 60_000;

export class PodRuntime {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  private readonly status: PodStatus;
  private readonly slots: Slot[] = [];
  private readonly abort = new AbortController();
  private dir: string | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private terminating = false;
  private destroyed = false;
  /** Every container ended for good: the phase is final. */
  private finished = false;

  constructor(private readonly node: NodeRuntime, private pod: StoredObject<Pod>) {
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name;
    const now = node.now();
    const hasInit = (pod.spec.initContainers ?? []).length > 0;
    const waiting = hasInit ? 'PodInitializing' : 'ContainerCreating';
    for (const c of pod.spec.initContainers ?? []) this.slots.push({ spec: c, init: true, status: newContainerStatus(c, waiting) });
    for (const c of pod.spec.containers) this.slots.push({ spec: c, init: false, status: newContainerStatus(c, waiting) });
    const ip = node.allocateIp();
    this.status = {
      ...pod.status, phase: 'Pending', hostIP: node.node.ip, hostIPs: [{ ip: node.node.ip }], podIP: ip, podIPs: [{ ip }], startTime: rfc3339(now),
    };
  }

  private get aborted(): boolean { return this.abort.signal.aborted; }
  private get initSlots(): Slot[] { return this.slots.filter((s) => s.init); }
  private get mainSlots(): Slot[] { return this.slots.filter((s) => !s.init); }

  start(): void {
    this.run().catch((e: unknown) => this.node.logger.error('kube-sim kubelet: pod failed', { pod: `${this.namespace}/${this.name}`, error: String(e) }));
  }

  /** The log of a container (current run, or the previous one). */
  log(container: string, previous: boolean): { log?: ContainerLog; waiting?: string } {
    const s = this.slots.find((x) => x.spec.name === container);
    if (!s) return {};
    const log = previous ? s.prevLog : s.log;
    return log ? { log } : { waiting: s.status.state.waiting?.reason ?? 'ContainerCreating' };
  }

  private async run(): Promise<void> {
    this.write();
    const ads = this.pod.spec.activeDeadlineSeconds;
    if (ads !== undefined) { this.deadline = setTimeout(() => void this.deadlineExceeded(), ads * 1000); this.deadline.unref(); }
    if (!(await this.mountVolumes())) return;
    for (const s of this.initSlots) {
      for (let attempt = 0; ; attempt++) {
        const run = await this.prepareAndStart(s);
        if (!run) return;
        const r = await run.exited;
        if (this.aborted) return;
        this.setTerminated(s, r);
        if (r.exitCode === 0) break;
        if ((this.pod.spec.restartPolicy ?? 'Always') === 'Never') { this.finish(); return; }
        if (!(await this.backoff(s, attempt))) return;
      }
    }
    for (const s of this.mainSlots) { s.status.state = { waiting: { reason: 'ContainerCreating' } }; }
    this.write();
    for (const s of this.mainSlots) {
      const run = await this.prepareAndStart(s);
      if (!run) return;
      this.watchMain(s, run);
    }
  }

  private watchMain(s: Slot, run: ContainerRun): void {
    void run.exited.then(async (r) => {
      if (this.aborted) return;
      this.setTerminated(s, r);
      const policy = this.pod.spec.restartPolicy ?? 'Always';
      if (policy === 'Always' || (policy === 'OnFailure' && r.exitCode !== 0)) {
        if (!(await this.backoff(s, s.status.restartCount))) return;
        const next = await this.prepareAndStart(s);
        if (next) this.watchMain(s, next);
        return;
      }
      if (this.mainSlots.every((x) => x.status.state.terminated)) this.finish();
      else this.write();
    });
  }

  /** Secret volumes, before any container (volumes.ts); a missing Secret is retried with backoff. false when the pod stops meanwhile. */
  private async mountVolumes(): Promise<boolean> {
    this.dir ??= this.node.podDir(this.uid);
    for (let backoff = this.node.options.volumeMountRetryMs; ; backoff = Math.min(backoff * 2, GIVE_UP_MS)) {
      const failed = mountSecretVolumes(this.node.store, this.pod, this.dir);
      if (!failed) return true;
      this.event('Warning', 'FailedMount', failed.message);
      if (!(await this.sleep(backoff))) return false;
    }
  }

  /** CrashLoopBackOff between restarts; false when the pod stops meanwhile. */
  private async backoff(s: Slot, restarts: number): Promise<boolean> {
    const ms = Math.min(300_000, (this.node.options.restartBackoffMs) * 2 ** restarts);
    s.status.lastState = s.status.state;
    s.status.restartCount++;
    s.status.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(ms / 1000)}s restarting failed container=${s.spec.name} pod=${this.name}_${this.namespace}(${this.uid})` } };
    this.write();
    this.event('Warning', 'BackOff', `Back-off restarting failed container ${s.spec.name} in pod ${this.name}_${this.namespace}(${this.uid})`, s);
    return this.sleep(ms);
  }

  private async prepareAndStart(s: Slot): Promise<ContainerRun | undefined> {
    if (!(await this.pull(s))) return undefined;
    let env: Record<string, string>;
    for (let backoff = this.node.options.imagePullBackoffMs; ; backoff = Math.min(backoff * 2, GIVE_UP_MS)) {
      try { env = containerEnv(this.node.store, { ...this.pod, status: this.status }, s.spec); break; } catch (e) {
        if (!(e instanceof ContainerConfigError)) throw e;
        s.status.state = { waiting: { reason: 'CreateContainerConfigError', message: e.message } };
        this.write();
        this.event('Warning', 'Failed', `Error: ${e.message}`, s);
        if (!(await this.sleep(backoff))) return undefined;
      }
    }
    const credentials = this.node.options.podCredentials;
    let hostEnv: Record<string, string> = {};
    if (credentials && !s.init && this.runsProcess(s) && this.pod.spec.automountServiceAccountToken !== false) {
      try { hostEnv = await credentials(this.pod); } catch (e) {
        this.event('Warning', 'FailedMount', `MountVolume.SetUp failed for volume "kube-api-access": ${(e as Error).message}`, s);
      }
    }
    this.event('Normal', 'Created', `Created container ${s.spec.name}`, s);
    if (!(await this.sleep(this.node.options.containerStartLatencyMs))) return undefined;
    const run = this.launch(s, env, hostEnv);
    runningState(s.status, s.spec, this.node.now(), !s.init);
    s.run = run;
    this.write();
    this.event('Normal', 'Started', `Started container ${s.spec.name}`, s);
    return run;
  }

  /** `hostEnv`: paths on this machine (credentials), given as they are; the container's `env` wins over them. */
  private launch(s: Slot, env: Record<string, string>, hostEnv: Record<string, string> = {}): ContainerRun {
    if (s.log) s.prevLog = s.log;
    const log = new ContainerLog(this.node.now);
    s.log = log;
    const behaviour = simBehaviour(this.pod, { runSeconds: this.node.options.simulatedRunSeconds, exitCode: this.node.options.simulatedExitCode });
    if (s.init && isWorkerImage(s.spec.image)) { log.end(); return startSimulated({ runMs: 0, exitCode: 0, oom: false }); } // "copies" the agent
    let argv: string[] | undefined;
    try { argv = agentArgv(s.spec, this.node.options.agentPathPrefix); } catch (e) {
      log.append(`kube-sim: cannot start the hodei agent: ${(e as Error).message}\n`);
      log.end();
      return failedStart(`failed to start container process: ${(e as Error).message}`);
    }
    if (!argv) {
      log.end();
      return s.init ? startSimulated({ runMs: 0, exitCode: 0, oom: false }) : startSimulated(behaviour);
    }
    const workdir = this.workdir(s.spec);
    const limit = s.spec.resources?.limits?.memory;
    const mounted = this.mountedPaths(s.spec);
    // Only what the container spec gave is rewritten: the `hodei` CLI's own path stays as it is.
    const own = (s.spec.command ?? []).slice(1).length + (s.spec.args ?? []).length;
    const cli = argv.slice(0, argv.length - own);
    const run = startProcess([...cli, ...argv.slice(cli.length).map((a) => mounted(expand(a, env)))], {
      cwd: workdir, log, memoryWatch: this.node.memoryWatch,
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: workdir, HOSTNAME: this.name, ...this.node.options.agentEnv, ...hostEnv,
        ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mounted(v)])) },
      ...(limit !== undefined ? { memoryLimitBytes: parseQuantity(limit) } : {}),
    });
    if (behaviour.oom && !s.init) { const t = setTimeout(() => run.oomKill(), behaviour.runSet ? behaviour.runMs : 0); t.unref(); }
    return run;
  }

  /** Whether the container runs as a real process here (the Hodei agent or control plane). */
  private runsProcess(s: Slot): boolean {
    try { return agentArgv(s.spec, this.node.options.agentPathPrefix) !== undefined; } catch { return false; }
  }

  /**
   * A process sees this machine's filesystem, not the container's: a path under one of the
   * container's volume mounts (HODEI_DATA_DIR=/var/lib/hodei on the `data` volume) is rewritten to
   * that volume's directory in the pod's directory.
   */
  private mountedPaths(c: Container): (value: string) => string {
    this.dir ??= this.node.podDir(this.uid);
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
    return (value) => {
      const m = mounts.find((x) => value === x.mountPath || value.startsWith(`${x.mountPath.replace(/\/$/, '')}/`));
      return m ? join(this.dir ?? '', 'volumes', m.name, value.slice(m.mountPath.length)) : value;
    };
  }

  /** The pod's directory: emptyDir (and claimed, node-local) volumes as directories; cwd = the volume mounted at workingDir, else work/. */
  private workdir(c: Container): string {
    this.dir ??= this.node.podDir(this.uid);
    const mount = c.volumeMounts?.find((m) => c.workingDir !== undefined && m.mountPath === c.workingDir);
    const dir = join(this.dir, mount ? `volumes/${mount.name}` : 'work');
    for (const v of this.pod.spec.volumes ?? []) if (v.emptyDir || v.persistentVolumeClaim) mkdirSync(join(this.dir, 'volumes', v.name), { recursive: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Image pull with the real sequence of events; unknown images loop ErrImagePull ⇄ ImagePullBackOff. */
  private async pull(s: Slot): Promise<boolean> {
    const { image } = s.spec;
    const o = this.node.options;
    if (imageAllowed(image, o.imageAllowList) && this.node.pulled.has(image) && s.spec.imagePullPolicy !== 'Always') {
      this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`, s);
      return true;
    }
    for (let backoff = o.imagePullBackoffMs; ; backoff = Math.min(backoff * 2, GIVE_UP_MS)) {
      this.event('Normal', 'Pulling', `Pulling image "${image}"`, s);
      const started = this.node.now();
      if (!(await this.sleep(o.imagePullLatencyMs))) return false;
      if (imageAllowed(image, o.imageAllowList)) {
        this.node.pulled.add(image);
        const took = `${((this.node.now() - started) / 1000).toFixed(3)}s`;
        this.event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting)`, s);
        return true;
      }
      const why = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
      s.status.state = { waiting: { reason: 'ErrImagePull', message: why } };
      this.write();
      this.event('Warning', 'Failed', `Failed to pull image "${image}": ${why}`, s);
      this.event('Warning', 'Failed', 'Error: ErrImagePull', s);
      if (!(await this.sleep(Math.min(backoff, 1000)))) return false;
      s.status.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
      this.write();
      this.event('Normal', 'BackOff', `Back-off pulling image "${image}"`, s);
      this.event('Warning', 'Failed', 'Error: ImagePullBackOff', s);
      if (!(await this.sleep(backoff))) return false;
    }
  }

  private setTerminated(s: Slot, r: ExitResult): void {
    terminatedState(s.status, r, this.node.now());
    s.run = undefined;
  }

  private finish(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.finished = true;
    this.write();
  }

  /** activeDeadlineSeconds passed: the pod fails with DeadlineExceeded and its containers are killed. */
  private async deadlineExceeded(): Promise<void> {
    if (this.aborted || this.status.phase === 'Succeeded' || this.status.phase === 'Failed') return;
    this.abort.abort();
    const message = 'Pod was active on the node longer than the specified deadline';
    Object.assign(this.status, { phase: 'Failed', reason: 'DeadlineExceeded', message });
    this.event('Normal', 'DeadlineExceeded', message);
    this.write();
    await this.stopContainers(this.pod.spec.terminationGracePeriodSeconds ?? 30);
    this.write();
  }

  /** Graceful deletion: stop the containers, then remove the pod object. */
  async terminate(graceSeconds: number): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    this.abort.abort();
    if (this.deadline) clearTimeout(this.deadline);
    await this.stopContainers(graceSeconds);
    this.write();
    try {
      this.node.store.delete(R.pods, this.namespace, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
    this.destroy();
  }

  private async stopContainers(graceSeconds: number): Promise<void> {
    const running = this.slots.filter((s) => s.run);
    for (const s of running) { this.event('Normal', 'Killing', `Stopping container ${s.spec.name}`, s); s.run?.kill('SIGTERM'); }
    const all = Promise.all(running.map(async (s) => { const run = s.run; if (run) { const r = await run.exited; if (s.run === run) this.setTerminated(s, r); } }));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => { timer = setTimeout(r, graceSeconds * 1000); });
    await Promise.race([all, grace]);
    if (timer) clearTimeout(timer);
    for (const s of running) s.run?.kill('SIGKILL');
    await all;
  }

  /** Object gone or kubelet stopping: kill everything now and free the pod's directory. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.abort.abort();
    if (this.deadline) clearTimeout(this.deadline);
    for (const s of this.slots) { s.run?.kill('SIGKILL'); s.log?.end(); }
    this.node.forget(this);
    this.node.releaseIp(this.status.podIP);
    if (this.dir) { const d = this.dir; void allExited(this.slots).then(() => rmSync(d, { recursive: true, force: true })); }
  }

  onUpdate(pod: StoredObject<Pod>): void {
    this.pod = pod;
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => { clearTimeout(t); resolve(false); };
      const t = setTimeout(() => { this.abort.signal.removeEventListener('abort', onAbort); resolve(!this.aborted); }, ms);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, s?: Slot): void {
    const fieldPath = s ? `spec.${s.init ? 'initContainers' : 'containers'}{${s.spec.name}}` : undefined;
    this.node.events.record(this.pod, type, reason, message, { component: 'kubelet', host: this.node.node.name }, fieldPath);
  }

  /** Recompute phase and conditions from the containers and write the status subresource. */
  private write(): void {
    if (this.destroyed) return;
    this.status.initContainerStatuses = this.initSlots.map((s) => structuredClone(s.status));
    this.status.containerStatuses = this.mainSlots.map((s) => structuredClone(s.status));
    refreshPod(this.status, this.node.now(), this.finished);
    if (this.status.initContainerStatuses.length === 0) delete this.status.initContainerStatuses;
    const status = structuredClone(this.status);
    try {
      this.node.store.mutate<Pod>(R.pods, this.namespace, this.name, (p) => {
        if (p.metadata.uid !== this.uid) return;
        // Pods created with spec.nodeName never met the scheduler: the kubelet reports them scheduled.
        const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled')
          ?? { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: status.startTime ?? rfc3339(this.node.now()) };
        p.status = { ...status, qosClass: p.status?.qosClass ?? status.qosClass, conditions: [...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled] };
      }, { subresource: 'status' });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }
}

/** Resolves when every container process of the slots has exited. */
function allExited(slots: Slot[]): Promise<unknown> {
  return Promise.all(slots.map((s) => s.run?.exited));
}
