// Helpers for tests on the shared real control plane (k8s-real-setup.ts): more worker namespaces
// granted exactly deploy/'s Role, and a ServiceAccount missing one verb for the RBAC scenario.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sRealContext } from './k8s-real-context.js';

const RBAC = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes', 'rbac.yaml');

export function kubectl(ctx: K8sRealContext, args: string[], opts: { kubeconfig?: string; input?: string } = {}): string {
  return execFileSync(ctx.kubectl, ['--kubeconfig', opts.kubeconfig ?? ctx.adminKubeconfig, ...args], {
    encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

interface Doc { kind: string; metadata: { name: string; namespace?: string }; rules?: { resources: string[]; verbs: string[] }[]; subjects?: { name: string }[] }
const docs = (): Doc[] => parseAllDocuments(readFileSync(RBAC, 'utf8')).map((d) => d.toJS() as Doc);

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
 * A kubeconfig for a ServiceAccount bound to deploy/'s ClusterRole and to its Role in `ns` without
 * the `create` verb on pods: the provider must fail jobs there with Forbidden.
 */
export function kubeconfigWithoutPodCreate(ctx: K8sRealContext, ns: string): string {
  const sa = 'hodei-no-pod-create';
  const role = docs().find((d) => d.kind === 'Role');
  if (!role?.rules) throw new Error(`${RBAC}: no Role`);
  const rules = role.rules.map((r) => (r.resources.includes('pods') ? { ...r, verbs: r.verbs.filter((v) => v !== 'create') } : r));
  const subjects = [{ kind: 'ServiceAccount', name: sa, namespace: 'hodei-jobs' }];
  apply(ctx, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: 'hodei-jobs' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: sa, namespace: ns }, rules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: sa, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa }, subjects },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hodei-provider' }, subjects },
  ]);
  const token = kubectl(ctx, ['create', 'token', sa, '-n', 'hodei-jobs', '--duration=2h']).trim();
  const dir = mkdtempSync(join(tmpdir(), 'hodei-k8s-limited-'));
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, readFileSync(ctx.kubeconfig, 'utf8').replace(/token: \S+/, `token: ${token}`), { mode: 0o600 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return file;
}
