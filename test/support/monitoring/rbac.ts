// The deploy RBAC (Role + ClusterRole bound to the hodei ServiceAccount) as a kube-sim policy, so
// tests can run the provider, kubectl or access reviews with exactly the rights we ship.
import type { RbacPolicy, RbacRule } from '../../../src/kube-sim/index.js';
import { loadManifests, type Manifest } from './manifests.js';

interface PolicyRule { apiGroups: string[]; resources: string[]; verbs: string[] }

export function simPolicyFromDeploy(token: string, user = 'system:serviceaccount:hodei-jobs:hodei'): RbacPolicy {
  const rules: RbacRule[] = [];
  for (const { obj } of loadManifests()) {
    if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') continue;
    const namespaces = obj.kind === 'Role' ? [obj.metadata.namespace ?? 'default'] : ['*'];
    for (const r of (obj as Manifest & { rules: PolicyRule[] }).rules) rules.push({ verbs: r.verbs, resources: r.resources, apiGroups: r.apiGroups, namespaces });
  }
  return { users: [{ name: user, token, rules }] };
}
