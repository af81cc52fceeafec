// deploy/: every manifest validates against its schema, the pieces fit together (selectors,
// ports, probes, restricted security context, RBAC), and the core objects apply to the simulator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../src/kube-sim/index.js';
import { MANIFEST_DIR, loadManifests, validateManifest, type Manifest } from '../test/support/monitoring/manifests.js';
import { simPolicyFromDeploy } from '../test/support/monitoring/rbac.js';
import { listDir, read, toolAsync } from '../test/support/monitoring/tools.js';

const all = loadManifests();
const find = (kind: string, name: string): Manifest => {
  const m = all.find((x) => x.obj.kind === kind && x.obj.metadata.name === name)?.obj;
  if (!m) throw new Error(`no ${kind} ${name} in ${MANIFEST_DIR}`);
  return m;
};
interface Container { ports: { name: string; containerPort: number }[]; securityContext: Record<string, unknown>; env: { name: string; value?: string }[]; [probe: string]: unknown }
interface PodSpec { securityContext: { runAsNonRoot: boolean; runAsUser: number; seccompProfile: { type: string } }; serviceAccountName: string; containers: Container[] }
interface DeploymentSpec { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }
interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }

/** Kinds the simulator serves; the others are validated only (listed in the skip assertion). */
const SIM_KINDS = new Set(['Namespace', 'ServiceAccount', 'Deployment', 'NetworkPolicy', 'ConfigMap']);

describe('deploy manifests', () => {
  it.each(all.map((m) => [`${m.file}: ${m.obj.kind}/${m.obj.metadata.name}`, m.obj] as const))('%s validates against its schema', (_n, obj) => {
    expect(() => validateManifest(obj)).not.toThrow();
  });

  it('a schema violation is reported (validation can fail)', () => {
    const bad = structuredClone(find('Deployment', 'hodei')) as Manifest & { spec: DeploymentSpec };
    (bad.spec.template.spec.containers[0] as { ports: unknown[] }).ports = [{ containerPort: 'http' }];
    expect(() => validateManifest(bad)).toThrow(/containerPort/);
  });

  it('kustomization lists every manifest file', () => {
    const k = parse(read(`${MANIFEST_DIR}/kustomization.yaml`)) as { resources: string[] };
    expect([...k.resources].sort()).toEqual(listDir(MANIFEST_DIR, '.yaml').filter((f) => !f.endsWith('kustomization.yaml')).map((f) => f.slice(MANIFEST_DIR.length + 1)).sort());
  });

  it('deployment: probes on /livez /readyz /startupz, restricted security context, selectors fit', () => {
    const d = find('Deployment', 'hodei') as Manifest & { spec: DeploymentSpec };
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    if (!c) throw new Error('no container');
    const path = (probe: string): unknown => (c[probe] as { httpGet: { path: string; port: string } }).httpGet;
    expect([path('livenessProbe'), path('readinessProbe'), path('startupProbe')]).toEqual([
      { path: '/livez', port: 'http' }, { path: '/readyz', port: 'http' }, { path: '/startupz', port: 'http' },
    ]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    expect(pod.serviceAccountName).toBe(find('ServiceAccount', 'hodei').metadata.name);
    const port = c.ports.find((p) => p.name === 'http')?.containerPort;
    expect(c.env.find((e) => e.name === 'HODEI_PORT')?.value).toBe(String(port));
    // The Dockerfile's user is the one the pod runs as.
    expect(read('deploy/Dockerfile')).toMatch(new RegExp(`^USER ${pod.securityContext.runAsUser}:`, 'm'));
    expect(read('deploy/Dockerfile')).toMatch(/^FROM node:20-slim$/m);
    expect(read('deploy/Dockerfile')).toMatch(/^ENTRYPOINT \["hodei"\]$/m);
  });

  it('service and ServiceMonitor select the control plane and its metrics port', () => {
    const d = find('Deployment', 'hodei') as Manifest & { spec: DeploymentSpec };
    const svc = find('Service', 'hodei') as Manifest & { spec: { selector: Record<string, string>; ports: { name: string }[] } };
    const sm = find('ServiceMonitor', 'hodei') as Manifest & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } };
    expect(d.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.endpoints).toMatchObject([{ port: svc.spec.ports[0]?.name, path: '/metrics' }]);
    // The alert rules select job="<Service name>".
    expect(read('monitoring/prometheus/hodei-alerts.yaml')).toContain(`up{job="${svc.metadata.name}"}`);
  });

  it('worker namespace enforces the restricted Pod Security Standard', () => {
    expect(find('Namespace', 'hodei-jobs-workers').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  it('RBAC grants exactly the verbs the provider uses', () => {
    const rules = (kind: string): string[] => ((find(kind, 'hodei-provider') as Manifest & { rules: Rule[] }).rules)
      .flatMap((r) => r.resources.map((res) => `${r.apiGroups[0] || 'core'}/${res}: ${[...r.verbs].sort().join(',')}`));
    expect(rules('Role')).toEqual([
      'core/pods: create,delete,get,list,watch', 'core/pods/log: get', 'core/secrets: create,delete,get,list,update',
      'core/events: get,list,watch', 'events.k8s.io/events: create,patch', 'networking.k8s.io/networkpolicies: create,get,list,update',
      'apps/deployments: create,delete,get,list,patch,update,watch', 'autoscaling/horizontalpodautoscalers: create,delete,get,list,patch,update,watch',
      'core/resourcequotas: get,list',
    ]);
    expect(rules('ClusterRole')).toEqual(['core/namespaces: create,get,list', 'core/nodes: get,list', 'core/pods: list', 'authorization.k8s.io/selfsubjectaccessreviews: create']);
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      expect((find(kind, 'hodei-provider') as Manifest & { subjects: unknown[] }).subjects).toEqual([{ kind: 'ServiceAccount', name: 'hodei', namespace: 'hodei-jobs' }]);
    }
  });
});

describe('deploy manifests on the simulator (kubectl apply)', () => {
  let sim: KubeSim;
  beforeAll(async () => { sim = await startKubeSim(); });
  afterAll(async () => { await sim?.stop(); });

  it('the core objects apply and read back; kinds the sim lacks are listed', async () => {
    const applied = all.filter((m) => SIM_KINDS.has(m.obj.kind));
    const skipped = [...new Set(all.filter((m) => !SIM_KINDS.has(m.obj.kind)).map((m) => m.obj.kind))].sort();
    expect(skipped).toEqual(['ClusterRole', 'ClusterRoleBinding', 'PersistentVolumeClaim', 'PrometheusRule', 'Role', 'RoleBinding', 'Service', 'ServiceMonitor']);
    // Namespaces first, as kubectl apply -k orders them.
    applied.sort((a, b) => Number(b.obj.kind === 'Namespace') - Number(a.obj.kind === 'Namespace'));
    const file = join(mkdtempSync(join(tmpdir(), 'hodei-deploy-')), 'core.yaml');
    writeFileSync(file, applied.map((m) => stringify(m.obj)).join('---\n'));
    const kubectl = (...args: string[]): ReturnType<typeof toolAsync> => toolAsync('kubectl', ['--kubeconfig', sim.kubeconfig, ...args]);
    const r = await kubectl('apply', '--validate=false', '-f', file);
    expect(r.code, r.out).toBe(0);
    for (const m of applied) {
      const ns = m.obj.metadata.namespace ? ['-n', m.obj.metadata.namespace] : [];
      const got = await kubectl('get', m.obj.kind.toLowerCase(), m.obj.metadata.name, ...ns, '-o', 'json');
      expect(got.code, `${m.obj.kind}/${m.obj.metadata.name}: ${got.out}`).toBe(0);
      expect((JSON.parse(got.out) as Manifest).metadata.labels).toMatchObject(m.obj.metadata.labels ?? {});
    }
    // Re-applying is a no-op (kubectl's three-way merge against the stored object).
    const again = await kubectl('apply', '--validate=false', '-f', file);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/unchanged/);
  });

  it('the shipped RBAC allows the provider\'s requests in the worker namespace and nothing beyond', async () => {
    sim.admin.setRbac(simPolicyFromDeploy('hodei-sa-token'));
    const kubeconfig = sim.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'hodei-rbac-')), 'kubeconfig'), 'hodei-sa-token', 'hodei');
    const can = async (...args: string[]): Promise<string> => (await toolAsync('kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', ...args])).out.trim().split('\n').pop() ?? '';
    const w = ['-n', 'hodei-jobs-workers'];
    expect(await can('create', 'pods', ...w)).toBe('yes');
    expect(await can('get', 'pods', '--subresource=log', ...w)).toBe('yes');
    expect(await can('update', 'secrets', ...w)).toBe('yes');
    expect(await can('patch', 'secrets', ...w)).toBe('no');
    expect(await can('create', 'horizontalpodautoscalers.autoscaling', ...w)).toBe('yes');
    expect(await can('list', 'nodes')).toBe('yes');
    expect(await can('create', 'namespaces')).toBe('yes');
    // Not granted: other namespaces, exec, deleting namespaces, writing quotas.
    expect(await can('create', 'pods', '-n', 'default')).toBe('no');
    expect(await can('get', 'secrets', '-n', 'hodei-jobs')).toBe('no');
    expect(await can('create', 'pods', '--subresource=exec', ...w)).toBe('no');
    expect(await can('delete', 'namespaces')).toBe('no');
    expect(await can('update', 'resourcequotas', ...w)).toBe('no');
  });
});
