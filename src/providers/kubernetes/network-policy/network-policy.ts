// Network policy for worker pods (issue 4 item 4): a default-deny ingress policy and an egress
// allow-list (control plane, DNS, configured CIDRs/ports), applied idempotently to every pod of
// this provider (podSelector on managed-by + provider-id, so pool pods are covered too).
//
// Admission: a job asking for egress outside the allow-list is refused before anything is created
// (`admit`, called by the provider's provision). Runtime denials reported by the cluster's network
// layer are watched by watch.ts. Both are emitted as `violation` on `events`
// (source "admission" | "cni"); observability/kubernetes/extras-observer.ts turns them into metrics and
// platform events.
import { EventEmitter } from 'node:events';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { NetworkingV1Api, type V1NetworkPolicy, type V1NetworkPolicyEgressRule, type V1NetworkPolicyPort } from '@kubernetes/client-node';
import type { EgressRequest, ProvisionRequest } from '../../provider.js';
import { apiMessage, isConflict, isNotFound } from '../client/api-errors.js';
import { LABEL, MANAGED_BY } from '../labels.js';
import type { ExtensionContext, ProviderExtension } from '../extension.js';
import { isNamespaceGone, namespaceFor } from '../pods/namespace.js';
import { cidrContains, formatCidr, parseCidr, type Cidr } from '../../../util/cidr.js';
import type { EgressProtocol, NetworkPolicySettings } from './config.js';
import type { NetpolEventMap } from './types.js';

export const POLICY_NAMES = { denyIngress: 'hodei-workers-deny-ingress', egress: 'hodei-workers-egress' } as const;
export const VIOLATION_REASON = 'NetworkPolicyViolation';

/** One destination workers may reach. `ports: null` = every port; `protocol: null` = every protocol. */
export interface AllowedEgress {
  cidr: Cidr;
  ports: number[] | null;
  protocol: EgressProtocol | null;
  why: 'control-plane' | 'dns' | 'configured';
}

export type { NetpolEventMap, NetworkPolicyViolation, ViolationSource } from './types.js';

export function workerPodSelector(providerId: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.providerId]: providerId } };
}

/** The control plane as CIDRs + port: the URL's IP, an override, or the host name resolved once. */
export async function controlPlaneTarget(url: string, override?: string): Promise<{ cidrs: string[]; port: number }> {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (override) return { cidrs: [override], port };
  if (isIP(host)) return { cidrs: [`${host}/${isIP(host) === 4 ? 32 : 128}`], port };
  const addrs = await lookup(host, { all: true });
  return { cidrs: [...new Set(addrs.map((a) => `${a.address}/${a.family === 4 ? 32 : 128}`))], port };
}

/** The allow-list admission checks against (the DNS rule to kube-system pods has no CIDR: not listed). */
export function allowList(np: NetworkPolicySettings, cp: { cidrs: string[]; port: number }): AllowedEgress[] {
  const out: AllowedEgress[] = [];
  const add = (text: string, ports: number[] | null, protocol: EgressProtocol | null, why: AllowedEgress['why']): void => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`kubernetes.networkPolicy: '${text}' is not a CIDR`);
    out.push({ cidr, ports, protocol, why });
  };
  for (const c of cp.cidrs) add(c, [cp.port], 'TCP', 'control-plane');
  for (const r of np.dnsResolvers ?? []) {
    add(r, [53], 'UDP', 'dns');
    add(r, [53], 'TCP', 'dns');
  }
  for (const r of np.egressAllow ?? []) {
    const ports = r.ports?.length ? r.ports : null;
    add(r.cidr, ports, ports ? (r.protocol ?? 'TCP') : (r.protocol ?? null), 'configured');
  }
  return out;
}

export function describeEgress(e: EgressRequest): string {
  return `${e.cidr}${e.port !== undefined ? `:${e.port}` : ''}/${e.protocol ?? 'TCP'}`;
}

/** The first requested destination no allowed rule covers, or null when all are allowed. */
export function firstDisallowed(requested: readonly EgressRequest[], allowed: readonly AllowedEgress[]): EgressRequest | null {
  for (const e of requested) {
    const want = parseCidr(e.cidr);
    const protocol = e.protocol ?? 'TCP';
    const ok = want !== null && allowed.some((a) => cidrContains(a.cidr, want)
      && (a.ports === null || (e.port !== undefined && a.ports.includes(e.port)))
      && (a.protocol === null || a.protocol === protocol));
    if (!ok) return e;
  }
  return null;
}

const policyPorts = (ports: number[] | null, protocol: EgressProtocol | null): V1NetworkPolicyPort[] | undefined =>
  ports ? ports.map((port) => ({ port, protocol: protocol ?? 'TCP' })) : protocol ? [{ protocol }] : undefined;

/** The two policies of a worker namespace. */
export function buildPolicies(providerId: string, namespace: string, np: NetworkPolicySettings,
  cp: { cidrs: string[]; port: number }): V1NetworkPolicy[] {
  const podSelector = workerPodSelector(providerId);
  const labels = { [LABEL.managedBy]: MANAGED_BY, [LABEL.providerId]: providerId };
  const meta = (name: string) => ({ name, namespace, labels });
  const egress: V1NetworkPolicyEgressRule[] = allowList(np, cp)
    .filter((a) => a.why !== 'dns')
    .map((a) => ({ to: [{ ipBlock: { cidr: formatCidr(a.cidr) } }], ...optional('ports', policyPorts(a.ports, a.protocol)) }));
  const dnsPorts: V1NetworkPolicyPort[] = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
  egress.push(np.dnsResolvers?.length
    ? { to: np.dnsResolvers.map((r) => ({ ipBlock: { cidr: formatCidr(parseCidr(r) as Cidr) } })), ports: dnsPorts }
    : { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: dnsPorts });
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(POLICY_NAMES.denyIngress),
      spec: { podSelector, policyTypes: ['Ingress'], ingress: [] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(POLICY_NAMES.egress),
      spec: { podSelector, policyTypes: ['Egress'], egress } },
  ];
}

function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

/** Create, or replace when the spec differs: running it twice changes nothing. */
export async function applyPolicy(api: NetworkingV1Api, p: V1NetworkPolicy): Promise<'created' | 'updated' | 'unchanged'> {
  const namespace = p.metadata?.namespace ?? '';
  const name = p.metadata?.name ?? '';
  for (let attempt = 0; ; attempt++) {
    let existing: V1NetworkPolicy | undefined;
    try {
      existing = await api.readNamespacedNetworkPolicy({ namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      if (!existing) {
        await api.createNamespacedNetworkPolicy({ namespace, body: p });
        return 'created';
      }
      if (JSON.stringify(canonical(existing.spec)) === JSON.stringify(canonical(p.spec))) return 'unchanged';
      const body = { ...p, metadata: { ...p.metadata, resourceVersion: existing.metadata?.resourceVersion ?? '' } };
      await api.replaceNamespacedNetworkPolicy({ namespace, name, body });
      return 'updated';
    } catch (err) {
      // Someone else wrote it meanwhile (another replica): read again and compare.
      if (isConflict(err) && attempt < 3) continue;
      throw err;
    }
  }
}

/** Key-sorted, undefined-free JSON form for comparing specs the server may have defaulted. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]));
  }
  return v;
}

export interface Refusal { reason: 'NetworkPolicyViolation'; message: string }

/** The provider extension: applies the policies, admits jobs' egress, watches runtime denials. */
export class NetworkPolicyExtension implements ProviderExtension {
  readonly name = 'network-policy';
  readonly events = new EventEmitter<NetpolEventMap>();
  private ctx: ExtensionContext | undefined;
  private api: NetworkingV1Api | undefined;
  /** namespace → the control-plane URL its policies were applied for. */
  private readonly applied = new Map<string, { url: string; done: Promise<AllowedEgress[]> }>();
  private stopped = false;

  constructor(private readonly settings: NetworkPolicySettings) {}

  async start(ctx: ExtensionContext): Promise<void> {
    this.ctx = ctx;
    this.api = ctx.client.api(NetworkingV1Api);
    // Without a configured URL the policies are applied with the first worker's callback URL.
    if (ctx.options.controlPlaneUrl) await this.ensure(ctx.options.namespace, ctx.options.controlPlaneUrl);
    // A namespace deleted under us took its policies along: apply them again to the new one.
    ctx.events.on('namespace.created', ({ namespace, recreated }) => {
      if (!recreated || this.stopped) return;
      const url = this.applied.get(namespace)?.url ?? ctx.options.controlPlaneUrl;
      this.applied.delete(namespace);
      if (url) this.ensure(namespace, url).catch((err: unknown) => ctx.logger.warn({ namespace, err: apiMessage(err) }, 'reapplying network policies failed; the next worker retries'));
    });
    // Runtime denials are watched by NetpolViolationWatch, managed policies or not.
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** Policies of `namespace` applied for `url`; resolves with the allow-list admission uses. */
  ensure(namespace: string, url: string): Promise<AllowedEgress[]> {
    const cur = this.applied.get(namespace);
    if (cur && cur.url === url) return cur.done;
    const done = this.apply(namespace, url);
    this.applied.set(namespace, { url, done });
    done.catch(() => this.applied.delete(namespace)); // retried by the next caller
    return done;
  }

  /** For readiness: both policies exist in the worker namespace (a read of each, through the client). */
  async check(): Promise<{ ok: boolean; message: string }> {
    const api = this.api;
    const ns = this.ctx?.options.namespace;
    if (!api || !ns) return { ok: false, message: 'network-policy extension not started' };
    const missing: string[] = [];
    for (const name of Object.values(POLICY_NAMES)) {
      try {
        await api.readNamespacedNetworkPolicy({ namespace: ns, name });
      } catch (err) {
        if (!isNotFound(err)) return { ok: false, message: `reading NetworkPolicy ${ns}/${name}: ${apiMessage(err)}` };
        missing.push(name);
      }
    }
    return missing.length ? { ok: false, message: `NetworkPolicy missing in ${ns}: ${missing.join(', ')}` } : { ok: true, message: `policies present in ${ns}` };
  }

  /** Checked by the provider before it creates anything for a worker. */
  async admit(req: ProvisionRequest): Promise<Refusal | null> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('network-policy extension not started');
    const o = ctx.options;
    const namespace = namespaceFor(o.namespace, o.tenantNamespaces, req.labels);
    if (namespace !== o.namespace) await ctx.namespaces.ensure(namespace);
    const allowed = await this.ensure(namespace, o.controlPlaneUrl ?? req.serverUrl);
    const bad = firstDisallowed(req.egress ?? [], allowed);
    if (!bad) return null;
    const destination = describeEgress(bad);
    const message = `egress to ${destination} is outside the network policy allow-list of namespace ${namespace}`;
    this.events.emit('violation', { source: 'admission', workerId: req.workerId, jobId: req.jobId, namespace, destination, message, count: 1 });
    return { reason: VIOLATION_REASON, message };
  }

  private async apply(namespace: string, url: string): Promise<AllowedEgress[]> {
    const ctx = this.ctx;
    const api = this.api;
    if (!ctx || !api) throw new Error('network-policy extension not started');
    const cp = await controlPlaneTarget(url, this.settings.controlPlaneCidr);
    for (const p of buildPolicies(ctx.options.id, namespace, this.settings, cp)) {
      const policy = p.metadata?.name ?? '';
      try {
        const action = await applyPolicy(api, p);
        if (action !== 'unchanged') ctx.logger.info({ namespace, policy, action }, 'network policy applied');
        this.events.emit('applied', { namespace, policy, action });
      } catch (err) {
        if (isNamespaceGone(err)) throw err; // the provider recreates the namespace and retries
        throw new Error(`applying NetworkPolicy ${namespace}/${policy}: ${apiMessage(err)}`);
      }
    }
    return allowList(this.settings, cp);
  }
}
