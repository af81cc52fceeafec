// Legacy (unaggregated) discovery documents and /version: what kubectl and client libraries read
// to map kinds to resources. Answered as plain application/json, which clients accept as a fallback
// to aggregated discovery.
import { RESOURCES, type ResourceDef } from '../store/index.js';

export const SIM_VERSION = {
  major: '1', minor: '30', gitVersion: 'v1.30.0-kube-sim', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.22.0', compiler: 'gc', platform: 'linux/amd64',
};

const groupVersion = (r: ResourceDef) => (r.group ? `${r.group}/${r.version}` : r.version);

const SUB_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'], scale: ['get', 'patch', 'update'], log: ['get'], binding: ['create'], finalize: ['update'],
};

function apiResources(gv: string): unknown[] {
  const out: unknown[] = [];
  for (const r of RESOURCES) {
    if (groupVersion(r) !== gv) continue;
    out.push({
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: Buffer.from(`${gv}/${r.resource}`).toString('base64').slice(0, 11),
    });
    for (const s of r.subresources) {
      const scale = s === 'scale';
      out.push({
        name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced,
        kind: scale ? 'Scale' : s === 'binding' ? 'Binding' : r.kind, verbs: SUB_VERBS[s] ?? ['get'],
        ...(scale ? { group: 'autoscaling', version: 'v1' } : {}),
      });
    }
  }
  return out;
}

export function discoveryDocument(pathname: string, serverAddress: string): unknown {
  if (pathname === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (pathname === '/apis') {
    const groups = new Map<string, string[]>();
    for (const r of RESOURCES) if (r.group) groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0] ?? 'v1'}`, version: versions[0] ?? 'v1' },
      })),
    };
  }
  const m = /^\/apis\/([^/]+)$/.exec(pathname);
  if (m) {
    const versions = [...new Set(RESOURCES.filter((r) => r.group === m[1]).map((r) => r.version))];
    if (versions.length === 0) return undefined;
    return {
      kind: 'APIGroup', apiVersion: 'v1', name: m[1],
      versions: versions.map((v) => ({ groupVersion: `${m[1] ?? ''}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${m[1] ?? ''}/${versions[0] ?? ''}`, version: versions[0] },
    };
  }
  const gv = pathname === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(pathname)?.[1];
  if (!gv) return undefined;
  const resources = apiResources(gv);
  if (resources.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
}
