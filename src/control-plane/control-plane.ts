// Wires the control plane: store → job and worker services → API (every route, api/) + worker
// gateway → scheduler + reconciler → provider, plus metrics and health. `startControlPlane` is
// what `hodei server` and tests run.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ScheduleService } from '../schedules/service.js';
import { TemplateService } from '../templates/service.js';
import { ScheduleTicker } from '../schedules/ticker.js';
import { buildApi } from '../api/server.js';
import { retentionSettings, workerCallbackUrl, type HodeiConfig } from '../config.js';
import { RetentionSweeper } from '../jobs/retention.js';
import { createGateway, type Gateway } from '../gateway/gateway.js';
import { PoolService, poolsOf } from '../jobs/pools.js';
import { JobService } from '../jobs/service.js';
import { WorkerSessions } from '../jobs/worker-sessions.js';
import { WorkerService } from '../jobs/workers.js';
import { HealthRegistry, PROBES } from '../observability/health.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { recordWorkerRejection } from '../observability/events/worker-rejections.js';
import { PlatformMetrics } from '../observability/platform-metrics.js';
import { observeQueues } from '../observability/queue-metrics.js';
import { createObservability, type Observability } from '../observability/observability.js';
import { platformReading, RecentSamples } from '../observability/recent-samples.js';
import { createProvider } from '../providers/factory.js';
import type { WorkerProvider } from '../providers/provider.js';
import { cachedCheck } from '../providers/health-cache.js';
import { Reconciler } from '../scheduler/reconciler.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { resolveApiToken } from './api-token.js';
import { VERSION } from '../version.js';

export interface ControlPlaneOptions {
  config: HodeiConfig;
  logger?: Logger;
  /** A provider built by the caller (tests, embedding); defaults to the configured one. */
  provider?: WorkerProvider;
  /** Called once with a freshly generated API token (the server prints it). */
  onTokenGenerated?: (token: string, path: string) => void;
}

export interface ControlPlane {
  url: string;
  port: number;
  apiToken: string;
  store: Store;
  jobs: JobService;
  workers: WorkerService;
  provider: WorkerProvider;
  gateway: Gateway;
  scheduler: Scheduler;
  registry: Registry;
  /** Cron schedules (CRUD) and the loop that fires them. */
  schedules: { service: ScheduleService; ticker: ScheduleTicker };
  /** Deletes finished jobs past their ttl or the retention (runs on its own; `sweep()` runs one pass now). */
  retention: RetentionSweeper;
  /** Event recorder, SLO engine. */
  observability: Observability;
  health: HealthRegistry;
  app: FastifyInstance;
  /** Stops accepting work and closes everything; workers keep running unless `terminateWorkers`. */
  stop(opts?: { terminateWorkers?: boolean }): Promise<void>;
}

/** How often the control plane runs its own probes. */
const HEALTH_PROBE_INTERVAL_MS = 30_000;

export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const cfg = o.config;
  const logger = o.logger ?? createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  const store = await openStore({ ...(cfg.databaseUrl ? { databaseUrl: cfg.databaseUrl } : { dataDir: cfg.dataDir }) });
  const token = resolveApiToken(cfg.dataDir, cfg.apiToken);
  if (token.generated) o.onTokenGenerated?.(token.token, token.path);

  const jobs = new JobService(store, logger);
  await jobs.followReplicas();
  const retention = retentionSettings(cfg);
  jobs.maxLogBytesPerJob = retention.maxLogBytesPerJob;
  const sweeper = new RetentionSweeper(jobs, retention, logger.child({ component: 'retention' }));
  const workers = new WorkerService(store);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const health = new HealthRegistry(registry);
  const observability = createObservability({
    config: cfg, store, registry, logger, secrets: [token.token, cfg.databaseUrl],
    provider: o.provider ?? createProvider(cfg, logger, {
      lookupWorker: (id) => workers.get(id), countPoolWorkers: (pool) => pools.countLiveWorkers(pool),
    }),
  });
  const platformMetrics = new PlatformMetrics(registry, jobs, observability.slo.tracker);
  const provider = observability.provider;
  jobs.provider = { kind: provider.kind, unsupportedFields: provider.unsupportedFields ?? [] };
  const gateway = createGateway({
    backend: new WorkerSessions(jobs, logger), logger, heartbeatIntervalMs: cfg.heartbeatIntervalMs,
    onRejected: (r) => {
      platformMetrics.workerRejected(r.reason);
      recordWorkerRejection(observability.events, r);
    },
  });
  let url = '';
  const pools = new PoolService({ store, backend: poolsOf(provider), providerId: provider.id, serverUrl: () => url, logger });
  const templates = new TemplateService(store);
  const schedules = {
    service: new ScheduleService(store, undefined, templates),
    ticker: new ScheduleTicker(jobs, logger.child({ component: 'schedules' }), undefined, undefined, templates),
  };
  observeQueues({ registry, jobs, ticker: schedules.ticker, events: observability.events, sli: observability.slo.tracker });
  // The console's Overview charts: the last 15 minutes of the server's own numbers.
  const samples = new RecentSamples({
    read: platformReading({ jobs, workers, slo: observability.slo }), subscribe: (fn) => observability.events.subscribe(fn),
    onError: (err) => logger.warn({ err }, 'stats sample failed'),
  });

  // Requests that found the store unreachable make readiness say so at once, not at the next refresh.
  let storeDown = false;
  const app = await buildApi({
    jobs, workers, pools, schedules: schedules.service, templates, events: observability.events, slo: observability.slo, health,
    metrics: { registry, requireToken: cfg.metricsRequireToken === true }, stats: () => samples.series(),
    apiToken: token.token, logger, version: VERSION, onStoreOutage: (down) => { storeDown = down; },
  });
  await app.listen({ host: cfg.host, port: cfg.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.port;
  url = workerCallbackUrl(cfg, port);
  gateway.attach(app.server);

  let started = false;
  try {
    await provider.start();
    started = true;
  } catch (err) {
    await Promise.allSettled([gateway.close(), app.close(), store.close()]);
    throw err;
  }
  const scheduler = new Scheduler({
    jobs, workers, provider, gateway, logger, serverUrl: () => url, maxWorkers: cfg.maxWorkers,
    ephemeral: cfg.workerMode === 'ephemeral',
    // Local agents cost a process each, not a pod: kept started ahead of jobs.
    warmPool: provider.kind === 'local',
  });
  const reconciler = new Reconciler({
    jobs, workers, provider, scheduler, logger, intervalMs: cfg.reconcileIntervalMs,
    workerLostAfterMs: cfg.workerLostAfterMs, registrationTimeoutMs: cfg.registrationTimeoutMs,
  });
  addControlPlaneChecks(health, { jobs, engine: store.engine, provider, reconciler, intervalMs: cfg.reconcileIntervalMs, started: () => started, storeDown: () => storeDown });
  health.warm();
  health.onChange((ev) => {
    logger.warn({ probe: ev.probe, from: ev.from, to: ev.to, failing: ev.failing }, 'health changed');
    observability.events.record('health.changed', { success: ev.to !== 'Unhealthy', details: ev });
  });
  // Probes also run on their own, so hodei_health_status and health.changed events stay current
  // even when nothing polls /readyz.
  const probeTimer = setInterval(() => {
    for (const p of PROBES) void health.run(p).catch((err: unknown) => logger.warn({ err, probe: p }, 'health probe failed'));
  }, HEALTH_PROBE_INTERVAL_MS);
  probeTimer.unref();
  scheduler.start();
  reconciler.start();
  schedules.ticker.start();
  sweeper.start();
  observability.start();
  samples.start();
  logger.info({ url, provider: provider.id, store: store.engine }, 'control plane ready');

  return {
    url, port, apiToken: token.token, store, jobs, workers, provider, gateway, scheduler, registry, schedules, retention: sweeper, observability, health, app,
    async stop(opts = {}) {
      clearInterval(probeTimer);
      await Promise.all([scheduler.stop(), reconciler.stop(), schedules.ticker.stop(), sweeper.stop()]);
      await scheduler.releaseWarmPool().catch((err: unknown) => logger.warn({ err }, 'shutting down the warm pool failed'));
      await provider.stop(opts);
      await gateway.close();
      await app.close();
      await samples.stop();
      await observability.stop();
      await store.close();
    },
  };
}

function addControlPlaneChecks(health: HealthRegistry, d: {
  jobs: Pick<JobService, 'countByState'>; engine: Store['engine']; provider: WorkerProvider; reconciler: Reconciler; intervalMs: number; started: () => boolean;
  storeDown: () => boolean;
}): void {
  // Read from cache, refreshed behind the probes each second: a probe never waits on the
  // database, and a slow answer under load is not an outage (a refused or failing one is).
  const cached = cachedCheck(async () => {
    await d.jobs.countByState();
    return { status: 'Healthy', message: `${d.engine} answering` };
  }, { periodMs: 1000, timeoutMs: 800, unansweredAfterMs: 5000, failed: 'Unhealthy', now: Date.now, onError: (err) => ({ status: 'Unhealthy', message: err instanceof Error ? err.message : String(err) }) });
  health.add({
    name: 'store', probes: ['readiness', 'startup'],
    run: async () => {
      if (!d.storeDown()) return cached();
      // Requests find the store unreachable, and the cached answer may predate that: ask the store
      // itself (the health runner bounds the wait and turns a failure into Unhealthy), so readiness
      // turns with the API's 503s and comes back with its 200s.
      await d.jobs.countByState();
      return { status: 'Healthy', message: `${d.engine} answering again` };
    },
  });
  health.add({
    name: 'reconciler-loop', probes: ['liveness'],
    run: async () => {
      const last = d.reconciler.loop.lastTickAt;
      const age = last ? Date.now() - last.getTime() : 0;
      // Stuck for many periods means a wedged event loop or a hung pass: a restart would help.
      return age > d.intervalMs * 6 + 30_000
        ? { status: 'Unhealthy', message: `reconciler last ran ${Math.round(age / 1000)} s ago` }
        : { status: 'Healthy', message: last ? `last pass ${Math.round(age)} ms ago` : 'starting' };
    },
  });
  health.add({
    name: 'provider-started', probes: ['startup'],
    run: async () => (d.started() ? { status: 'Healthy', message: `${d.provider.id} started` } : { status: 'Unhealthy', message: 'provider not started' }),
  });
  const own = d.provider.healthChecks?.();
  if (own) for (const check of own) health.add(check);
  else health.add({
    name: `provider-${d.provider.id}`, probes: ['readiness'],
    run: async () => {
      const r = await d.provider.health();
      return { status: r.status, message: r.checks.map((c) => `${c.name}: ${c.message}`).join('; ') || r.status };
    },
  });
}
