// Token authentication and a small RBAC model: each token is a user with rules of
// verbs × apiGroups × resources (incl. subresources like "pods/log") × namespaces, '*' wildcards.
//
// Policy YAML:
//   users:
//     - name: ci
//       token: ci-token
//       rules:
//         - verbs: [get, list, watch]
//           resources: [pods, pods/log]
//           apiGroups: [""]          # optional, default ['*']
//           namespaces: [team-a]     # optional, default ['*']; cluster-scoped resources need '*'
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { errors, qualified } from './store/index.js';

export interface RbacRule {
  verbs: string[];
  resources: string[];
  apiGroups?: string[];
  namespaces?: string[];
}

export interface RbacUser {
  name: string;
  token: string;
  rules: RbacRule[];
}

export interface RbacPolicy {
  users: RbacUser[];
}

export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export const ADMIN_USER = 'kube-sim-admin';

const has = (list: string[] | undefined, v: string) => list === undefined || list.includes('*') || list.includes(v);

export class Rbac {
  private readonly byToken = new Map<string, RbacUser>();
  constructor(adminToken: string, policy: RbacPolicy = { users: [] }) {
    this.set(adminToken, policy);
  }

  static load(source: RbacPolicy | string | undefined): RbacPolicy | undefined {
    if (source === undefined) return undefined;
    if (typeof source !== 'string') return source;
    const parsed = parse(readFileSync(source, 'utf8')) as RbacPolicy | null;
    return { users: parsed?.users ?? [] };
  }

  set(adminToken: string, policy: RbacPolicy): void {
    this.byToken.clear();
    for (const u of policy.users) this.byToken.set(u.token, u);
    this.byToken.set(adminToken, { name: ADMIN_USER, token: adminToken, rules: [{ verbs: ['*'], resources: ['*'], apiGroups: ['*'], namespaces: ['*'] }] });
  }

  /** The user a bearer token belongs to, or undefined (→ 401). */
  authenticate(authorization: string | undefined): RbacUser | undefined {
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    return m?.[1] ? this.byToken.get(m[1].trim()) : undefined;
  }

  allows(user: RbacUser, a: RequestAttributes): boolean {
    // Like system:basic-user: anyone authenticated may ask what they may do.
    if (a.group === 'authorization.k8s.io' && a.resource === 'selfsubjectaccessreviews' && a.verb === 'create') return true;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return user.rules.some((r) =>
      has(r.verbs, a.verb) && has(r.apiGroups, a.group) &&
      (r.resources.includes('*') || r.resources.includes(res) || (a.subresource !== undefined && r.resources.includes(`${a.resource}/*`))) &&
      (a.namespace ? has(r.namespaces, a.namespace) : has(r.namespaces, '*')));
  }

  /** Throws 403 Forbidden worded like the API server's authorizer. */
  authorize(user: RbacUser, a: RequestAttributes): void {
    if (this.allows(user, a)) return;
    throw errors.forbidden(a.group, a.resource, a.name, forbiddenMessage(user.name, a));
  }
}

export function forbiddenMessage(userName: string, a: RequestAttributes): string {
  const what = qualified(a.group, a.resource) + (a.name ? ` "${a.name}"` : '');
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${userName}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}`;
}
