// Library entry of the Kubernetes API simulator: startKubeSim(options) → a running cluster API
// that @kubernetes/client-node and kubectl use through the kubeconfig it writes.
//
//   const sim = await startKubeSim({ controllers: (ctx) => [new Scheduler(ctx), new Kubelet(ctx)] });
//   const kc = new KubeConfig(); kc.loadFromFile(sim.kubeconfig);
//   ...
//   sim.admin.setFaults({ rules: [{ verbs: ['create'], resources: ['pods'], error: { code: 503 }, everyNth: 20 }] });
//   sim.admin.stats();  // what the sim received and injected
//   await sim.stop();
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore, R, type KubeObject, type ResourceRef, type StoredObject } from './store/index.js';
import { validationAdmission } from './admission/validation.js';
import { QuotaController } from './admission/quota.js';
import { Faults, loadFaults, type FaultConfig, type Outage } from './faults.js';
import { Rbac, type RbacPolicy } from './rbac.js';
import { SimStats, type SimStatsSnapshot } from './stats.js';
import { ApiServer } from './apiserver/server.js';
import { selfSignedCert } from './apiserver/tls.js';
import { writeKubeconfig } from './apiserver/kubeconfig.js';
import { PodLogRegistry, type KubeSimOptions, type SimContext, type SimController, type SimLogger } from './types.js';
import { builtinControllers } from './controllers/index.js';

export * from './types.js';
export * from './store/index.js';
export type { FaultConfig, FaultRule, Outage } from './faults.js';
export type { RbacPolicy, RbacRule, RbacUser } from './rbac.js';
export type { SimStatsSnapshot } from './stats.js';
export { parseQuantity, toMilli, formatMilli } from './quantity.js';

/** Programmatic control of a running sim (the same operations as the /__sim HTTP endpoints). */
export interface SimAdmin {
  setFaults(config: FaultConfig): void;
  clearFaults(): void;
  faults(): FaultConfig;
  setOutage(outage: Outage | null): void;
  stats(): SimStatsSnapshot;
  resetStats(): void;
  setRbac(policy: RbacPolicy): void;
  /** Forget watch history: resuming from older resourceVersions (or continuing lists) → 410. */
  compact(): void;
  /** Create or replace an object bypassing HTTP (seeding nodes, fixtures). */
  apply(ref: ResourceRef, obj: KubeObject): StoredObject;
}

export interface KubeSim {
  /** Path of the kubeconfig file written for clients. */
  kubeconfig: string;
  url: string;
  /** Admin bearer token. */
  token: string;
  /** PEM of the serving certificate (tls: true). */
  caPem?: string;
  admin: SimAdmin;
  store: ObjectStore;
  podLogs: PodLogRegistry;
  context: SimContext;
  /** Write another kubeconfig (e.g. for a restricted user's token). */
  writeKubeconfig(path: string, token?: string, user?: string): string;
  stop(): Promise<void>;
}

const consoleLogger: SimLogger = {
  debug: () => {},
  info: () => {},
  warn: (m, f) => console.warn(m, f ?? ''),
  error: (m, f) => console.error(m, f ?? ''),
};

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const logger = options.logger ?? consoleLogger;
  const store = new ObjectStore({ ...(options.clock ? { clock: options.clock } : {}), ...options.store });
  store.addAdmission(validationAdmission);
  const quota = new QuotaController(store);
  const rbac = new Rbac(token, Rbac.load(options.rbac));
  const faults = new Faults(loadFaults(options.faults), options.faultSeed);
  const stats = new SimStats();
  const podLogs = new PodLogRegistry();
  const stopping = new AbortController();

  for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    store.create(R.namespaces, { metadata: { name } });
  }
  store.create(R.serviceaccounts, { metadata: { name: 'default', namespace: 'default' } });

  const tls = options.tls !== false ? await selfSignedCert(host) : undefined;
  const server = new ApiServer(
    { store, rbac, faults, stats, podLogs, logger, now: () => store.clock.now(), bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000, stopping: stopping.signal },
    { host, port: options.port ?? 0, adminToken: token, ...(tls ? { tls } : {}) },
  );
  await server.listen();
  if (faults.outage) faults.setOutage(faults.outage); // an outage from the faults file starts now
  const url = server.url;
  const write = (path: string, tok = token, user?: string) =>
    writeKubeconfig(path, { server: url, token: tok, ...(tls ? { caPem: tls.cert } : {}), ...(user ? { user } : {}) });
  const kubeconfig = write(options.kubeconfigPath ?? join(mkdtempSync(join(tmpdir(), 'kube-sim-')), 'kubeconfig'));

  const context: SimContext = { store, clock: store.clock, logger, options, podLogs, url };
  const controllers: SimController[] = options.controllers?.(context) ?? builtinControllers(options);
  const started: SimController[] = [];
  const stopAll = async () => {
    stopping.abort();
    for (const c of [...started].reverse()) {
      try { await c.stop(); } catch (e) { logger.error('kube-sim: controller stop failed', { controller: c.name, error: String(e) }); }
    }
    quota.stop();
    faults.close();
    store.close();
    await server.close();
  };
  try {
    for (const c of controllers) { await c.start(context); started.push(c); }
  } catch (e) {
    await stopAll();
    throw e;
  }

  const admin: SimAdmin = {
    setFaults: (c) => faults.set(c),
    clearFaults: () => faults.clear(),
    faults: () => faults.config,
    setOutage: (o) => faults.setOutage(o),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setRbac: (p) => rbac.set(token, p),
    compact: () => store.compact(),
    apply: (ref, obj) => {
      const existing = store.get(ref, obj.metadata.namespace, obj.metadata.name ?? '');
      let out: StoredObject;
      if (existing) {
        const next = structuredClone(obj);
        delete next.metadata.resourceVersion;
        out = store.update(ref, next);
      } else out = store.create(ref, obj);
      // create/update reset or keep status: write the given one through the status subresource.
      if (obj.status !== undefined && JSON.stringify(out.status) !== JSON.stringify(obj.status)) {
        out = store.update(ref, { ...structuredClone(out), status: structuredClone(obj.status) }, { subresource: 'status' });
      }
      return out;
    },
  };

  let stopped: Promise<void> | undefined;
  return {
    kubeconfig, url, token, admin, store, podLogs, context,
    ...(tls ? { caPem: tls.cert } : {}),
    writeKubeconfig: (path, tok, user) => write(path, tok ?? token, user),
    stop: () => (stopped ??= stopAll()),
  };
}
