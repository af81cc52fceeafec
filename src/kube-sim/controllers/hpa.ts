// HorizontalPodAutoscaler controller (autoscaling/v2): every sync period, compute the desired
// replicas of each HPA's Deployment from its metrics (hpa-calc.ts), apply the scale-down
// stabilisation window and min/max, update the Deployment's spec.replicas (its /scale), and write
// status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime) with the real
// AbleToScale / ScalingActive / ScalingLimited conditions and SuccessfulRescale events.
import { R, rfc3339, type ObjectStore, type StoredObject } from '../store/index.js';
import type { SimContext, SimController } from '../types.js';
import { EventRecorder } from './events.js';
import { limitReplicas, type Behavior, type ScaleEvent } from './hpa-behavior.js';
import { HpaCalculator, MetricError, type MetricSpec, type Recommendation } from './hpa-calc.js';
import { SimMetrics } from './metrics.js';
import type { SimControllerOptions } from './options.js';
import { podKey, setCondition, type Workload } from './pod-types.js';

const SOURCE = { component: 'horizontal-pod-autoscaler' };

interface HpaSpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
  behavior?: Behavior;
}
interface Hpa { metadata: StoredObject['metadata']; spec: HpaSpec; status?: Record<string, unknown>; [k: string]: unknown }
interface HpaCondition { type: string; status: 'True' | 'False'; reason: string; message: string; lastTransitionTime: string }

const DEFAULT_METRICS: MetricSpec[] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];

export class HpaController implements SimController {
  readonly name = 'horizontal-pod-autoscaler';
  readonly metrics = new SimMetrics();
  private store!: ObjectStore;
  private events!: EventRecorder;
  private calc!: HpaCalculator;
  private timer: NodeJS.Timeout | undefined;
  private off: (() => void)[] = [];
  /** HPA uid → rescales of the last 30 minutes, for the rate policies. */
  private readonly rescales = new Map<string, ScaleEvent[]>();
  /** HPA uid → recent recommendations, for the stabilisation windows. */
  private readonly history = new Map<string, { at: number; replicas: number }[]>();

  constructor(private readonly options: SimControllerOptions) {}

  start(ctx: SimContext): void {
    this.store = ctx.store;
    this.events = new EventRecorder(ctx.store);
    this.calc = new HpaCalculator(ctx.store, this.metrics, this.options.hpaTolerance ?? 0.1);
    this.off.push(...this.metrics.registerRoutes(ctx.store));
    this.off.push(ctx.store.onChange(R.horizontalpodautoscalers, (ev) => { if (ev.type === 'DELETED') { this.history.delete(ev.object.metadata.uid ?? ''); this.rescales.delete(ev.object.metadata.uid ?? ''); } }));
    this.timer = setInterval(() => {
      for (const h of this.store.list<Hpa>(R.horizontalpodautoscalers).items) {
        try { this.reconcile(h); } catch (e) { ctx.logger.warn('kube-sim: hpa sync failed', { hpa: podKey(h), error: String(e) }); }
      }
    }, this.options.hpaSyncMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const o of this.off) o();
  }

  private reconcile(hpa: StoredObject<Hpa>): void {
    const now = this.store.clock.now();
    const ts = rfc3339(now);
    const ns = hpa.metadata.namespace;
    const ref = hpa.spec.scaleTargetRef;
    let conditions = (Array.isArray(hpa.status?.conditions) ? hpa.status.conditions : []) as HpaCondition[];
    const set = (type: string, ok: boolean, reason: string, message: string) => {
      conditions = setCondition<HpaCondition>(conditions, { type, status: ok ? 'True' : 'False', reason, message, lastTransitionTime: ts });
    };
    const target = ref.kind === 'Deployment' ? this.store.get<Workload>(R.deployments, ns, ref.name) : undefined;
    if (!target) {
      const message = `the HPA controller was unable to get the target's current scale: ${ref.kind === 'Deployment' ? `deployments.apps "${ref.name}" not found` : `no matches for kind "${ref.kind}" in the simulator`}`;
      set('AbleToScale', false, 'FailedGetScale', message);
      this.events.record(hpa, 'Warning', 'FailedGetScale', message, SOURCE);
      return this.writeStatus(hpa, { ...hpa.status, conditions });
    }
    const current = target.spec.replicas ?? 1;
    const statusReplicas = typeof target.status?.replicas === 'number' ? target.status.replicas : current;
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = current;
    let best: Recommendation | undefined;
    const currentMetrics: Record<string, unknown>[] = [];
    let rescaleReason = '';
    if (current === 0 && min !== 0) {
      set('ScalingActive', false, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (current > max) {
      desired = max; rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    } else if (current < min) {
      desired = min; rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    } else {
      try {
        for (const m of hpa.spec.metrics ?? DEFAULT_METRICS) {
          const r = this.calc.recommend(m, current, target);
          currentMetrics.push(r.current);
          if (!best || r.replicas > best.replicas) best = r;
        }
        if (best) {
          set('ScalingActive', true, 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${best.name}`);
          const limited = limitReplicas(this.stabilize(hpa, best.replicas, current, now), current, min, max, hpa.spec.behavior, this.scaleEvents(hpa.metadata.uid, now), now);
          desired = limited.replicas;
          set('ScalingLimited', limited.limited, limited.reason, limited.message);
          rescaleReason = desired > current ? `${best.name} above target` : 'All metrics below target';
          if (desired < current && best.replicas > desired) rescaleReason = 'All metrics below target';
        }
      } catch (e) {
        if (!(e instanceof MetricError)) throw e;
        set('ScalingActive', false, e.reason, e.message);
        this.events.record(hpa, 'Warning', e.reason, e.message, SOURCE);
        desired = current;
      }
    }
    let lastScaleTime = hpa.status?.lastScaleTime;
    if (desired !== current) {
      this.store.mutate<Workload>(R.deployments, ns, ref.name, (d) => { d.spec.replicas = desired; });
      this.scaleEvents(hpa.metadata.uid, now).push({ at: now, change: desired - current });
      lastScaleTime = ts;
      set('AbleToScale', true, 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      this.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`, SOURCE);
    } else if (best && best.replicas < current && desired === current) {
      set('AbleToScale', true, 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
    } else {
      set('AbleToScale', true, 'ReadyForNewScale', 'recommended size matches current size');
    }
    const order = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];
    conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
    this.writeStatus(hpa, {
      observedGeneration: hpa.metadata.generation ?? 1, ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas: statusReplicas, desiredReplicas: desired, ...(currentMetrics.length ? { currentMetrics } : {}), conditions,
    });
  }

  private scaleEvents(uid: string, now: number): ScaleEvent[] {
    const list = (this.rescales.get(uid) ?? []).filter((e) => e.at > now - 1_800_000);
    this.rescales.set(uid, list);
    return list;
  }

  /** Scale up at once (unless a scale-up window is set); scale down to the highest recommendation of the window. */
  private stabilize(hpa: StoredObject<Hpa>, recommended: number, current: number, now: number): number {
    const downWindow = (hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? this.options.hpaDownscaleStabilizationSeconds ?? 15) * 1000;
    const upWindow = (hpa.spec.behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
    const uid = hpa.metadata.uid;
    const recs = (this.history.get(uid) ?? []).filter((r) => r.at > now - Math.max(downWindow, upWindow));
    let up = recommended, down = recommended;
    for (const r of recs) {
      if (r.at > now - upWindow) up = Math.min(up, r.replicas);
      if (r.at > now - downWindow) down = Math.max(down, r.replicas);
    }
    recs.push({ at: now, replicas: recommended });
    this.history.set(uid, recs);
    let result = current;
    if (result < up) result = up;
    if (result > down) result = down;
    return result;
  }

  private writeStatus(hpa: StoredObject<Hpa>, status: Record<string, unknown>): void {
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    this.store.mutate<Hpa>(R.horizontalpodautoscalers, hpa.metadata.namespace, hpa.metadata.name, (h) => { h.status = status; }, { subresource: 'status' });
  }
}
