// Helpers for tests on the shared real control plane (k8s-real-setup.ts): more worker namespaces
// granted exactly deploy/'s Role, a ServiceAccount missing one verb for the RBAC scenario, and the
// simulated nodes' admin endpoint (pod usage, external metrics, connection reports).
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RemoteApi } from '../../src/kube-sim/remote/api.js';
import type { K8sRealContext } from './k8s-real-context.js';

const RBAC = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes', 'rbac.yaml');

export function kubectl(ctx: K8sRealContext, args: string[], opts: { kubeconfig?: string; input?: string } = {}): string {
  return execFileSync(ctx.kubectl, ['--kubeconfig', opts.kubeconfig ?? ctx.adminKubeconfig, ...args], {
    encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

interface Doc { kind: string; metadata: { name: string; namespace?: string }; rules?: { resources: string[]; verbs: string[] }[]; subjects?: { name: string }[] }
export const docs = (): Doc[] => parseAllDocuments(readFileSync(RBAC, 'utf8')).map((d) => d.toJS() as Doc);

function apply(ctx: K8sRealContext, objects: unknown[]): void {
  kubectl(ctx, ['apply', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });
}

/** A restricted namespace where the `hodei` ServiceAccount has deploy/'s namespaced Role (as a kustomize overlay would put it). */
export function grantWorkerNamespace(ctx: K8sRealContext, ns: string): void {
  const labels = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' };
  apply(ctx, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } },
    ...docs().filter((d) => d.kind === 'Role' || d.kind === 'RoleBinding').map((d) => ({ ...d, metadata: { ...d.metadata, namespace: ns } })),
  ]);
}

/**
 * A kubeconfig for ServiceAccount hodei-jobs/`sa` bound to deploy/'s ClusterRole and to its Role in
 * `ns`, with `rules` changing the Role's rules (default: as deploy/ has them).
 */
export function serviceAccountKubeconfig(ctx: K8sRealContext, sa: string, ns: string, rules = (r: NonNullable<Doc['rules']>) => r): string {
  const role = docs().find((d) => d.kind === 'Role');
  if (!role?.rules) throw new Error(`${RBAC}: no Role`);
  const subjects = [{ kind: 'ServiceAccount', name: sa, namespace: 'hodei-jobs' }];
  apply(ctx, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: 'hodei-jobs' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: sa, namespace: ns }, rules: rules(role.rules) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: sa, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa }, subjects },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hodei-provider' }, subjects },
  ]);
  return serviceAccountToken(ctx, sa);
}

/** A kubeconfig (removed when the process exits) with a 2 h token of ServiceAccount hodei-jobs/`sa`. */
export function serviceAccountToken(ctx: K8sRealContext, sa: string): string {
  const token = kubectl(ctx, ['create', 'token', sa, '-n', 'hodei-jobs', '--duration=2h']).trim();
  const dir = mkdtempSync(join(tmpdir(), `hodei-k8s-${sa}-`));
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, readFileSync(ctx.kubeconfig, 'utf8').replace(/token: \S+/, `token: ${token}`), { mode: 0o600 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return file;
}

/** Credentials without the `create` verb on pods: the provider must fail jobs there with Forbidden. */
export function kubeconfigWithoutPodCreate(ctx: K8sRealContext, ns: string): string {
  return serviceAccountKubeconfig(ctx, 'hodei-no-pod-create', ns,
    (rules) => rules.map((r) => (r.resources.includes('pods') ? { ...r, verbs: r.verbs.filter((v) => v !== 'create') } : r)));
}

/** The admin token of the control plane (system:masters), from the admin kubeconfig. */
export function adminToken(ctx: K8sRealContext): string {
  const m = /token: (\S+)/.exec(readFileSync(ctx.adminKubeconfig, 'utf8'));
  if (!m?.[1]) throw new Error(`${ctx.adminKubeconfig}: no token`);
  return m[1];
}

/** A request to the simulated nodes' admin endpoint (`/__sim/...`, as kube-sim's API server serves them). */
export function nodeAdmin(ctx: K8sRealContext, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, ctx.nodeAdminUrl), {
      method, ca: readFileSync(ctx.ca),
      headers: { authorization: `Bearer ${adminToken(ctx)}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) as unknown : undefined }));
    });
    req.on('error', reject).end(payload);
  });
}

/**
 * A FlowSchema of the API server's Priority and Fairness that matches every request of ServiceAccount
 * hodei-jobs/`sa`: its `apiserver_flowcontrol_dispatched_requests_total{flow_schema=...}` is what the
 * API server saw of that client (watches included; long-running non-watch requests such as pods/log
 * bypass flow control). Resolves once the API server classifies the account's requests with it.
 */
export async function flowSchemaFor(ctx: K8sRealContext, sa: string, kubeconfig: string): Promise<void> {
  const all = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] };
  apply(ctx, [{
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: sa },
    spec: {
      priorityLevelConfiguration: { name: 'workload-high' }, matchingPrecedence: 1000, distinguisherMethod: { type: 'ByUser' },
      rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: sa, namespace: 'hodei-jobs' } }], resourceRules: [all], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }],
    },
  }]);
  const uid = (JSON.parse(kubectl(ctx, ['get', 'flowschema', sa, '-o', 'json'])) as { metadata: { uid: string } }).metadata.uid;
  const api = new RemoteApi(kubeconfig);
  try {
    for (const deadline = Date.now() + 30_000; ;) {
      const r = await api.request('GET', '/version');
      if (r.headers['x-kubernetes-pf-flowschema-uid'] === uid) return;
      if (Date.now() > deadline) throw new Error(`FlowSchema ${sa} not in effect after 30 s`);
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    api.close();
  }
}

/** Requests of FlowSchema `name` the API server has dispatched so far. */
export function dispatched(ctx: K8sRealContext, name: string): number {
  const line = kubectl(ctx, ['get', '--raw', '/metrics']).split('\n')
    .find((l) => l.startsWith('apiserver_flowcontrol_dispatched_requests_total{') && l.includes(`flow_schema="${name}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
