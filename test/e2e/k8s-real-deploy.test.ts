// deploy/kubernetes as shipped, on the REAL control plane (k8s-real-setup.ts): `kubectl kustomize`
// orders it, `kubectl apply -k` validates and applies it (server-side dry run first, with the real
// Pod Security admission judging the control-plane pod template), and the Deployment becomes
// Available and runs a job whose worker pod is admitted as restricted.
// The simulated nodes run processes, not images: the kubelet runs the ghcr.io/hodei/hodei image as
// the local build (`hodei server`), gives it its ServiceAccount as a KUBECONFIG (TokenRequest bound to
// the pod) and its volumes as directories. They have no cluster DNS or Service routing, so an overlay
// (what an operator would write for their cluster) sets the URL workers dial, a free host port and
// a worker namespace of this test's own; the base is not changed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realCluster } from '../support/k8s-real-context.js';
import { grantWorkerNamespace, kubectl } from '../support/k8s-real.js';
import { packageRoot } from '../../src/util/paths.js';
import { newToken } from '../../src/util/tokens.js';
import { waitFor } from './harness.js';

const ctx = realCluster('deploy/kubernetes on a real control plane');
const WAIT = 120_000;
const BASE = join(packageRoot(), 'deploy', 'kubernetes');
const WORKERS = 'hodei-deploy-workers';

/** Minimal CustomResourceDefinitions of the Prometheus Operator's two kinds the kustomization uses. */
const operatorCrd = (kind: string, plural: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.monitoring.coreos.com` },
  spec: {
    group: 'monitoring.coreos.com', scope: 'Namespaced', names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe.skipIf(!ctx)('deploy/kubernetes on a real control plane', () => {
  const c = ctx as NonNullable<typeof ctx>;
  const k = (args: string[], input?: string) => kubectl(c, args, input === undefined ? {} : { input });
  /** kubectl with its stderr (where the API server's warnings go) as well. */
  const kAll = (args: string[]) => {
    const r = spawnSync(c.kubectl, ['--kubeconfig', c.adminKubeconfig, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return { out: r.stdout, err: r.stderr };
  };
  const token = newToken();
  let overlay = '';
  let port = 0;
  let pvDir = '';

  beforeAll(async () => {
    port = await freePort();
    overlay = mkdtempSync(join(tmpdir(), 'hodei-deploy-overlay-'));
    pvDir = mkdtempSync(join(tmpdir(), 'hodei-deploy-pv-'));
    writeFileSync(join(overlay, 'kustomization.yaml'), [
      'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', `resources: [${JSON.stringify(relative(overlay, BASE))}]`, // kustomize takes no absolute path
      'patches:', '  - path: sim-nodes.yaml',
    ].join('\n') + '\n');
    writeFileSync(join(overlay, 'sim-nodes.yaml'), JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hodei', namespace: 'hodei-jobs' },
      spec: { template: { spec: { containers: [{ name: 'hodei', env: [
        { name: 'HODEI_PORT', value: String(port) }, { name: 'HODEI_PUBLIC_URL', value: `http://127.0.0.1:${port}` },
        { name: 'HODEI_K8S_NAMESPACE', value: WORKERS },
      ] }] } } },
    }));
    // What the cluster provides before the kustomization: the Operator's CRDs, storage for the
    // claim (no provisioner here), a worker namespace with deploy/'s Role, and the API token Secret.
    k(['apply', '-f', '-'], [operatorCrd('ServiceMonitor', 'servicemonitors'), operatorCrd('PrometheusRule', 'prometheusrules')].map((o) => JSON.stringify(o)).join('\n'));
    k(['wait', '--for=condition=Established', 'crd/servicemonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com', '--timeout=30s']);
    k(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'hodei-deploy-test-data' },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: pvDir } },
    }));
    grantWorkerNamespace(c, WORKERS);
    k(['create', 'secret', 'generic', 'hodei-api-token', '-n', 'hodei-jobs', `--from-literal=token=${token}`]);
  }, WAIT);

  afterAll(() => {
    if (!overlay) return;
    // Not `delete -k`: the namespaces, ServiceAccount and RBAC are shared with the other real-cluster tests.
    for (const args of [
      ['delete', 'deployment,service,pvc,networkpolicy,configmap,servicemonitor,prometheusrule', '-n', 'hodei-jobs', '-l', 'app.kubernetes.io/name=hodei', '--wait=false'],
      ['delete', 'networkpolicy', 'hodei-workers', '-n', 'hodei-jobs-workers', '--ignore-not-found'],
      ['delete', 'secret', 'hodei-api-token', '-n', 'hodei-jobs', '--ignore-not-found'],
      ['delete', 'pv', 'hodei-deploy-test-data', '--ignore-not-found', '--wait=false'],
      ['delete', 'namespace', WORKERS, '--ignore-not-found', '--wait=false'],
    ]) { try { k(args); } catch (e) { console.log(`cleanup: ${(e as Error).message.split('\n')[0]}`); } }
    rmSync(overlay, { recursive: true, force: true });
    rmSync(pvDir, { recursive: true, force: true });
  });

  it('kubectl kustomize puts namespaces before what lives in them', () => {
    const kinds = parseAllDocuments(k(['kustomize', BASE])).map((d) => (d.toJS() as { kind: string; metadata: { namespace?: string } }));
    const lastNamespace = kinds.map((o) => o.kind).lastIndexOf('Namespace');
    const firstNamespaced = kinds.findIndex((o) => o.metadata.namespace !== undefined);
    expect(lastNamespace).toBeGreaterThanOrEqual(0);
    expect(lastNamespace).toBeLessThan(firstNamespaced);
    expect(kinds.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ServiceAccount', 'ClusterRole', 'NetworkPolicy', 'ServiceMonitor', 'PrometheusRule']));
  });

  it('kubectl apply -k validates on the server: no Pod Security warning for the control-plane pod', () => {
    const r = kAll(['apply', '-k', BASE, '--dry-run=server']);
    expect(r.out).toMatch(/deployment\.apps\/hodei (created|configured|unchanged) \(server dry run\)/);
    expect(r.err).not.toMatch(/PodSecurity|would violate/);
  });

  it('kubectl apply -k deploys it: the Deployment becomes Available and runs a job on a restricted worker pod', async () => {
    const applied = kAll(['apply', '-k', overlay]);
    expect(applied.err).not.toMatch(/PodSecurity|would violate/);
    expect(applied.out).toMatch(/deployment\.apps\/hodei (created|configured|unchanged)/);
    k(['rollout', 'status', 'deployment/hodei', '-n', 'hodei-jobs', '--timeout=100s']);
    const dep = JSON.parse(k(['get', 'deployment', 'hodei', '-n', 'hodei-jobs', '-o', 'json'])) as { status: { availableReplicas?: number; conditions: { type: string; status: string }[] } };
    expect(dep.status.availableReplicas).toBe(1);
    expect(dep.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Available', status: 'True' })]));

    // The control plane in the pod answers as the probes would ask it, with its token from the Secret.
    const url = `http://127.0.0.1:${port}`;
    let last = '';
    try {
      await waitFor('the deployed control plane ready', async () => {
        const r = await fetch(`${url}/readyz?verbose`).catch((e: Error) => e);
        last = r instanceof Error ? r.message : `${r.status} ${await r.text()}`;
        return r instanceof Response && r.status === 200;
      }, 60_000);
    } catch (e) {
      let logs = '';
      for (const args of [['logs', 'deployment/hodei', '-n', 'hodei-jobs', '--tail=40'], ['logs', 'deployment/hodei', '-n', 'hodei-jobs', '--previous', '--tail=40'],
        ['get', 'pods', '-n', 'hodei-jobs', '-o', 'jsonpath={.items[*].status.containerStatuses}'], ['get', 'events', '-n', 'hodei-jobs']]) {
        try { logs += `\n$ kubectl ${args.join(' ')}\n${k(args)}`; } catch (x) { logs += String(x); }
      }
      throw new Error(`${(e as Error).message}; /readyz: ${last.slice(0, 2000)}\n--- pod log ---\n${logs}`);
    }
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: auth, body: JSON.stringify({ command: 'sh', args: ['-c', 'echo from-the-deployed-control-plane'] }) });
    expect(submitted.status).toBe(201);
    const { id } = await submitted.json() as { id: string };
    let state = '';
    await waitFor('the job ends', async () => {
      state = ((await (await fetch(`${url}/v1/jobs/${id}`, { headers: auth })).json()) as { state: string }).state;
      return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(state);
    }, 90_000);
    expect(state).toBe('succeeded');
    expect(await (await fetch(`${url}/v1/jobs/${id}/logs`, { headers: auth })).text()).toContain('from-the-deployed-control-plane');
    // Its worker pod was created in the worker namespace with the ServiceAccount's rights, past restricted Pod Security.
    const events = JSON.parse(k(['get', 'events', '-n', WORKERS, '-o', 'json'])) as { items: { reason: string }[] };
    expect(events.items.some((e) => e.reason === 'Started')).toBe(true);
  }, WAIT + 60_000);
});
