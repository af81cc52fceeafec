// Runtime network-policy denials: core/v1 Events with reason NetworkPolicyViolation in the worker
// namespace (what the sim's network layer records, like a CNI's flow-log exporter), watched with
// list + watch from the list's resourceVersion, relisting on 410 Gone. Each denial is attributed
// to the pod's worker and job (labels) and reported once: events are deduplicated by uid, and a
// repeat of the same event (its count grows) reports only the increase. Events already present at
// start are a baseline, not new denials (a restarted control plane does not count them twice).
import { EventEmitter } from 'node:events';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/logger.js';
import { apiMessage, isNotFound } from '../client/api-errors.js';
import type { KubeClient } from '../client/client.js';
import { ListWatch } from '../client/list-watch.js';
import { LABEL } from '../labels.js';
import type { ExtensionContext, ProviderExtension } from '../extension.js';
import type { NetpolEventMap, NetworkPolicyViolation } from './types.js';

const REASON = 'NetworkPolicyViolation';
/**
 * Events Hodei writes itself (`hodei.io/...` reporting components, e.g. a worker.failed mirrored onto
 * its pod with the failure reason NetworkPolicyViolation) are not denials of the network layer.
 */
const OWN_REPORTER = 'hodei.io/';
/** Pool pods carry this label (pools/spec.ts); their worker id is known to the control plane only. */
const POOL_LABEL = 'hodei.io/pool';

interface EventJson {
  metadata: { uid: string; name: string; namespace: string; resourceVersion?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  count?: number;
  source?: { component?: string };
  reportingComponent?: string;
}

export interface ViolationWatcherOptions {
  client: KubeClient;
  core: CoreV1Api;
  namespace: string;
  logger: Logger;
  onViolation: (v: NetworkPolicyViolation) => void;
}

export class ViolationWatcher {
  /** event uid → count already reported. */
  private readonly seen = new Map<string, number>();
  /** pod name → labels, so a denial reported after the pod is gone is still attributed. */
  private readonly podLabels = new Map<string, Record<string, string>>();
  private readonly watch: ListWatch<EventJson>;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: ViolationWatcherOptions) {
    this.watch = new ListWatch<EventJson>({
      client: o.client, logger: o.logger, what: 'network-policy event', path: this.path, query: { fieldSelector: `reason=${REASON}` },
      relist: () => this.list(false),
      onEvent: async (type, ev) => {
        if (type === 'DELETED') this.seen.delete(ev.metadata.uid);
        else await this.observe(ev);
      },
    });
  }

  private get path(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.o.namespace)}/events`;
  }

  async start(): Promise<void> {
    this.watch.resourceVersion = await this.list(true);
    this.loop = this.watch.run();
  }

  async stop(): Promise<void> {
    this.watch.stop();
    await this.loop;
  }

  /** Lists the denials (a baseline at start: not reported) and returns the list's resourceVersion. */
  private async list(baseline: boolean): Promise<string> {
    const res = await this.o.client.request('GET', this.path, { fieldSelector: `reason=${REASON}` });
    const list = JSON.parse(res.text) as { metadata?: { resourceVersion?: string }; items?: EventJson[] };
    for (const ev of list.items ?? []) {
      if (baseline) this.seen.set(ev.metadata.uid, ev.count ?? 1);
      else await this.observe(ev);
    }
    return list.metadata?.resourceVersion ?? '';
  }



  private async observe(ev: EventJson): Promise<void> {
    if (ev.reason !== REASON || ev.involvedObject?.kind !== 'Pod' || !ev.involvedObject.name) return;
    if ([ev.reportingComponent, ev.source?.component].some((c) => c?.startsWith(OWN_REPORTER))) return;
    const count = ev.count ?? 1;
    const before = this.seen.get(ev.metadata.uid) ?? 0;
    if (count <= before) return;
    this.seen.set(ev.metadata.uid, count);
    const pod = ev.involvedObject.name;
    const labels = await this.labelsOf(pod);
    const message = ev.message ?? 'connection denied by NetworkPolicy';
    this.o.onViolation({
      source: 'cni', namespace: this.o.namespace, pod, count: count - before, message,
      workerId: labels[LABEL.workerId] ?? null, jobId: labels[LABEL.jobId] ?? null,
      ...(labels[POOL_LABEL] ? { pool: labels[POOL_LABEL] } : {}),
      destination: /connection to (\S+)/.exec(message)?.[1] ?? 'unknown',
      ...policyOf(message),
    });
  }

  /** A pod of ours as created: its denial is attributed even when the pod is gone before the Event is seen. */
  remember(pod: string, labels: Record<string, string>): void {
    this.podLabels.set(pod, labels);
    if (this.podLabels.size > 10_000) this.podLabels.delete(this.podLabels.keys().next().value ?? '');
  }

  private async labelsOf(pod: string): Promise<Record<string, string>> {
    const cached = this.podLabels.get(pod);
    if (cached) return cached;
    try {
      const p = await this.o.core.readNamespacedPod({ namespace: this.o.namespace, name: pod });
      const labels = p.metadata?.labels ?? {};
      this.remember(pod, labels);
      return labels;
    } catch (err) {
      if (!isNotFound(err)) this.o.logger.warn({ pod, err: (err as Error).message }, 'could not read pod of a network-policy denial');
      return {};
    }
  }
}

/** The policy a CNI-style denial message names ("… denied by NetworkPolicy <name>[, <name>]"). */
function policyOf(message: string): { policy?: string } {
  const m = /denied by NetworkPolicy (.+)$/.exec(message)?.[1];
  return m ? { policy: m } : {};
}

/**
 * Runtime network-policy denials are watched in the worker namespace whether or not Hodei manages
 * the policies: a cluster operator's own deny-egress policy refusing a job's connection is a
 * violation an SRE needs named (metric, event, `hodei diagnose`) all the same.
 */
export class NetpolViolationWatch implements ProviderExtension {
  readonly name = 'network-policy-violations';
  readonly events = new EventEmitter<NetpolEventMap>();
  private watcher: ViolationWatcher | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  async start(ctx: ExtensionContext): Promise<void> {
    // A job that fails at once on its refused connection may have its pod deleted before the
    // denial's Event is read: the pods this provider creates are remembered as they are created.
    ctx.events.on('pod.created', ({ pod, workerId, jobId, namespace }) => {
      if (namespace === ctx.options.namespace) this.watcher?.remember(pod, { [LABEL.workerId]: workerId, ...(jobId ? { [LABEL.jobId]: jobId } : {}) });
    });
    await this.startWatcher(ctx);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.watcher?.stop();
  }

  /** Best effort: without access to Events, workers still run (retried every 30 s). */
  private async startWatcher(ctx: ExtensionContext): Promise<void> {
    const w = new ViolationWatcher({
      client: ctx.client, core: ctx.core, namespace: ctx.options.namespace, logger: ctx.logger,
      onViolation: (v) => this.events.emit('violation', v),
    });
    try {
      await w.start();
      this.watcher = w;
    } catch (err) {
      ctx.logger.warn({ err: apiMessage(err) }, 'cannot watch NetworkPolicyViolation events; retrying in 30 s');
      if (!this.stopped) this.retry = setTimeout(() => void this.startWatcher(ctx), 30_000).unref();
    }
  }
}
