// Wires the observability runtime into a control plane: the event recorder (store + optional file
// sink, retention) and the SLO engine (gauges, transitions), subscribed to the provider. The
// Kubernetes provider's typed events are observed (kubernetes/provider-observer.ts); any other
// provider (local) is wrapped so its workers still record lifecycle events. The HTTP routes over
// these (/v1/events, /v1/slo) are mounted by the control plane from api/.
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { HodeiConfig } from '../config.js';
import { KubernetesProviderMetrics } from './kubernetes/metrics.js';
import type { KubeClient } from '../providers/kubernetes/client/client.js';
import type { BuiltinExtensions } from '../providers/kubernetes/builtin-extensions.js';
import type { WorkerProvider } from '../providers/provider.js';
import type { EventStore } from '../store/store.js';
import { instrumentProvider } from './events/provider-events.js';
import { EventRecorder } from './events/recorder.js';
import { JsonLinesFileSink } from './events/sinks.js';
import { ApiRequestEvents } from './kubernetes/api-requests.js';
import { KubernetesEventSink } from './kubernetes/event-sink.js';
import { observeExtras } from './kubernetes/extras-observer.js';
import { isKubernetesEventSource, observeKubernetesProvider } from './kubernetes/provider-observer.js';
import type { Logger } from './logger.js';
import { SloEngine } from './slo-engine.js';

export interface ObservabilityOptions {
  config: HodeiConfig;
  store: EventStore;
  registry: Registry;
  logger: Logger;
  provider: WorkerProvider;
  /** Secret values that must never appear in an event (API token, database URL...). */
  secrets?: ReadonlyArray<string | undefined>;
}

export interface Observability {
  /** The provider to schedule on (wrapped when it does not record its own events). */
  provider: WorkerProvider;
  events: EventRecorder;
  slo: SloEngine;
  start(): void;
  /** Flushes pending events; call before the store closes. */
  stop(): Promise<void>;
}

/** Every `provider` label and event field is the provider's own name: its id ('local', 'kubernetes' or the configured one). */
export function createObservability(o: ObservabilityOptions): Observability {
  const cfg = o.config;
  const log = o.logger.child({ component: 'observability' });
  const secrets = o.secrets?.filter((s): s is string => typeof s === 'string' && s.length > 0) ?? [];
  const events = new EventRecorder({
    store: o.store, provider: o.provider.id, logger: log, registry: o.registry, secrets: () => secrets,
    sinks: cfg.events?.file ? [new JsonLinesFileSink(cfg.events.file)] : [],
    retention: {
      ...(cfg.events?.maxAgeSeconds ? { maxAgeMs: cfg.events.maxAgeSeconds * 1000 } : {}),
      ...(cfg.events?.maxCount ? { maxCount: cfg.events.maxCount } : {}),
    },
  });
  const { windowSeconds, ...targets } = cfg.slo ?? {};
  const slo = new SloEngine({
    slos: targets, registry: o.registry, events, logger: log, provider: o.provider.id,
    ...(windowSeconds ? { windowSeconds } : {}),
  });
  let api: ApiRequestEvents | undefined;
  let provider = o.provider;
  let unobserve = (): void => undefined;
  if (isKubernetesEventSource(provider)) {
    const metrics = new KubernetesProviderMetrics({ registry: o.registry, provider: o.provider.id, sli: slo.tracker });
    api = new ApiRequestEvents(events, { namespace: cfg.kubernetes?.namespace ?? 'hodei-jobs-workers', provider: o.provider.id });
    const offPods = observeKubernetesProvider(provider, { metrics, events, api });
    // Network policy and worker pools report through the provider's built-in extensions.
    const extras = (provider as Partial<{ extras: BuiltinExtensions }>).extras;
    const offExtras = extras ? observeExtras(extras, { metrics, events }) : () => undefined;
    unobserve = () => { offPods(); offExtras(); };
    // Lifecycle events also go onto the worker's pod, where `kubectl describe pod` shows them.
    const k8s = provider as Partial<{ client: KubeClient; pods: () => ReadonlyArray<{ metadata: { namespace?: string; name?: string; uid?: string } }> }>;
    if ('client' in k8s && k8s.pods) {
      const pods = k8s.pods.bind(provider);
      events.addSink(new KubernetesEventSink(() => k8s.client as KubeClient, hostname(),
        (ns, name) => pods().find((p) => p.metadata.namespace === ns && p.metadata.name === name)?.metadata.uid));
    }
  } else {
    provider = instrumentProvider(provider, events);
  }

  return {
    provider, events, slo,
    start() {
      events.start();
      slo.start();
      api?.start();
    },
    async stop() {
      unobserve();
      slo.stop();
      api?.stop();
      await events.stop();
    },
  };
}
