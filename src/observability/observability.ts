// Wires the observability runtime into a control plane: the event recorder (store + optional file
// sink, retention), the SLO engine (gauges, transitions), provider instrumentation and the HTTP
// routes. The Kubernetes provider's typed events are observed (kubernetes-observer.ts); a provider
// implementing ObservableProvider gets everything it needs to record its own; any other provider
// (local) is wrapped so its workers still record lifecycle events.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { eventRoutes } from '../api/routes/events.js';
import { sloRoutes } from '../api/routes/slo.js';
import type { HodeiConfig } from '../config.js';
import { KubernetesProviderMetrics } from '../providers/kubernetes/metrics.js';
import { observeExtras } from '../providers/kubernetes/pool-observe.js';
import type { KubeClient } from '../providers/kubernetes/client.js';
import { KubernetesEventSink } from '../providers/kubernetes/event-sink.js';
import type { BuiltinExtensions } from '../providers/kubernetes/pools.js';
import type { KubernetesApiRequest } from '../providers/kubernetes/metrics.js';
import type { WorkerProvider } from '../providers/provider.js';
import type { EventStore } from '../store/store.js';
import { ApiRequestEvents, kubernetesApiHook } from './events/api-requests.js';
import { instrumentProvider } from './events/provider-events.js';
import { EventRecorder } from './events/recorder.js';
import { JsonLinesFileSink } from './events/sinks.js';
import { isKubernetesEventSource, observeKubernetesProvider } from './kubernetes-observer.js';
import type { Logger } from './logger.js';
import { SloEngine } from './slo-engine.js';

/** What a self-instrumenting provider gets from the control plane. */
export interface ProviderObservability {
  registry: Registry;
  events: EventRecorder;
  slo: SloEngine;
  logger: Logger;
  /**
   * The Kubernetes provider's metrics on the shared registry, feeding the SLO window, plus the
   * function to install as the API client's per-request hook (metrics + api.request.* events).
   * Idempotent: the same instance is returned on every call.
   */
  kubernetes(opts: { namespace: string }): { metrics: KubernetesProviderMetrics; onApiRequest: (ev: KubernetesApiRequest) => void };
}

/** Implemented by providers that record their own metrics and events at the true moments. */
export interface ObservableProvider {
  attachObservability(o: ProviderObservability): void;
}

const isObservable = (p: WorkerProvider): p is WorkerProvider & ObservableProvider =>
  typeof (p as Partial<ObservableProvider>).attachObservability === 'function';

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
  /** /v1/events and /v1/slo. */
  plugins: Array<(app: FastifyInstance) => void>;
  start(): void;
  /** Flushes pending events; call before the store closes. */
  stop(): Promise<void>;
}

export function createObservability(o: ObservabilityOptions): Observability {
  const cfg = o.config;
  const log = o.logger.child({ component: 'observability' });
  const secrets = o.secrets?.filter((s): s is string => typeof s === 'string' && s.length > 0) ?? [];
  const events = new EventRecorder({
    store: o.store, provider: o.provider.kind, logger: log, registry: o.registry, secrets: () => secrets,
    sinks: cfg.events?.file ? [new JsonLinesFileSink(cfg.events.file)] : [],
    retention: {
      ...(cfg.events?.maxAgeSeconds ? { maxAgeMs: cfg.events.maxAgeSeconds * 1000 } : {}),
      ...(cfg.events?.maxCount ? { maxCount: cfg.events.maxCount } : {}),
    },
  });
  const { windowSeconds, ...targets } = cfg.slo ?? {};
  const slo = new SloEngine({
    slos: targets, registry: o.registry, events, logger: log, provider: 'kubernetes',
    ...(windowSeconds ? { windowSeconds } : {}),
  });
  let k8s: { metrics: KubernetesProviderMetrics; onApiRequest: (ev: KubernetesApiRequest) => void; api: ApiRequestEvents } | undefined;
  let running = false;
  const instruments = (namespace: string) => {
    if (!k8s) {
      const metrics = new KubernetesProviderMetrics({ registry: o.registry, provider: o.provider.id, sli: slo.tracker });
      const api = new ApiRequestEvents(events, { namespace, provider: o.provider.kind });
      if (running) api.start();
      k8s = { metrics, api, onApiRequest: kubernetesApiHook(metrics, api) };
    }
    return k8s;
  };
  const ctx: ProviderObservability = {
    registry: o.registry, events, slo, logger: o.logger,
    kubernetes: ({ namespace }) => {
      const k = instruments(namespace);
      return { metrics: k.metrics, onApiRequest: k.onApiRequest };
    },
  };
  let provider = o.provider;
  let unobserve = (): void => undefined;
  if (isObservable(provider)) {
    provider.attachObservability(ctx);
  } else if (isKubernetesEventSource(provider)) {
    const k = instruments(cfg.kubernetes?.namespace ?? 'hodei-jobs-workers');
    const offPods = observeKubernetesProvider(provider, { metrics: k.metrics, events, api: k.api });
    // Network policy and worker pools report through the provider's built-in extensions.
    const extras = (provider as Partial<{ extras: BuiltinExtensions }>).extras;
    const offExtras = extras ? observeExtras(extras, { metrics: k.metrics, events }) : () => undefined;
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
    plugins: [(app) => eventRoutes(app, events), (app) => sloRoutes(app, slo)],
    start() {
      running = true;
      events.start();
      slo.start();
      k8s?.api.start();
    },
    async stop() {
      running = false;
      unobserve();
      slo.stop();
      k8s?.api.stop();
      await events.stop();
    },
  };
}
