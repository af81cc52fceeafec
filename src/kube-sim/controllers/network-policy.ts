// The sim's network layer: a test (or a running "container") reports a connection attempt, the
// pod's NetworkPolicies decide, and a denial becomes a Warning Event (reason
// NetworkPolicyViolation) on the pod — how policy violations become observable, like a CNI's
// flow logs. Counters are served with the attempts.
//   POST /__sim/connections  {namespace, pod, direction: "egress"|"ingress", host, port?, protocol?}
//        → {allowed, policy?, policies, reason}
//   GET  /__sim/connections  → {allowed, denied, byPolicy: {<ns>/<policy>: denials}}
//   DELETE /__sim/connections → reset the counters
import { errors, R } from '../store/index.js';
import type { SimContext, SimController } from '../types.js';
import { addAdminRoute, requireBody } from '../apiserver/admin-routes.js';
import { EventRecorder } from './events.js';
import { PolicyEvaluator, type ConnectionAttempt, type Verdict } from '../netpol/evaluate.js';

export interface ConnectionStats { allowed: number; denied: number; byPolicy: Record<string, number> }

export const VIOLATION_REASON = 'NetworkPolicyViolation';

function parseAttempt(body: unknown): ConnectionAttempt {
  const b = requireBody(body, '{"namespace", "pod", "direction", "host", "port", "protocol"}');
  const str = (k: string) => { const v = b[k]; if (typeof v !== 'string' || v === '') throw errors.badRequest(`${k} is required (a string)`); return v; };
  const direction = b.direction ?? 'egress';
  if (direction !== 'egress' && direction !== 'ingress') throw errors.badRequest('direction must be "egress" or "ingress"');
  const protocol = b.protocol ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') throw errors.badRequest('protocol must be TCP, UDP or SCTP');
  const port = b.port;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) throw errors.badRequest('port must be an integer between 1 and 65535');
  return { namespace: str('namespace'), pod: str('pod'), direction, host: str('host'), protocol, ...(port !== undefined ? { port } : {}) };
}

export class NetworkPolicyController implements SimController {
  readonly name = 'network-policy';
  private stats: ConnectionStats = { allowed: 0, denied: 0, byPolicy: {} };
  private off: (() => void)[] = [];
  private evaluator!: PolicyEvaluator;
  private events!: EventRecorder;
  private ctx!: SimContext;

  start(ctx: SimContext): void {
    this.ctx = ctx;
    this.evaluator = new PolicyEvaluator(ctx.store);
    this.events = new EventRecorder(ctx.store);
    this.off.push(
      addAdminRoute(ctx.store, { method: 'POST', path: /^\/__sim\/connections$/, handle: (_m, body) => ({ body: this.report(parseAttempt(body)) }) }),
      addAdminRoute(ctx.store, { method: 'GET', path: /^\/__sim\/connections$/, handle: () => ({ body: this.snapshot() }) }),
      addAdminRoute(ctx.store, { method: 'DELETE', path: /^\/__sim\/connections$/, handle: () => { this.stats = { allowed: 0, denied: 0, byPolicy: {} }; return { body: this.snapshot() }; } }),
    );
  }

  stop(): void {
    for (const o of this.off) o();
  }

  snapshot(): ConnectionStats {
    return structuredClone(this.stats);
  }

  /** Evaluate an attempt, count it, and record a Warning event on the pod when denied. */
  report(a: ConnectionAttempt): Verdict {
    if (!this.ctx.store.get(R.pods, a.namespace, a.pod)) throw errors.notFound('', 'pods', a.pod);
    const v = this.evaluator.evaluate(a);
    if (v.allowed) { this.stats.allowed++; return v; }
    this.stats.denied++;
    const key = `${a.namespace}/${v.policy ?? ''}`;
    this.stats.byPolicy[key] = (this.stats.byPolicy[key] ?? 0) + 1;
    const pod = this.ctx.store.get(R.pods, a.namespace, a.pod);
    if (pod) {
      const dest = `${a.host}${a.port !== undefined ? `:${a.port}` : ''}/${a.protocol ?? 'TCP'}`;
      const what = a.direction === 'egress' ? `egress connection to ${dest}` : `ingress connection from ${a.host} to port ${a.port ?? '*'}/${a.protocol ?? 'TCP'}`;
      this.events.record(pod, 'Warning', VIOLATION_REASON, `${what} denied by NetworkPolicy ${v.policies.join(', ')}`, { component: 'kube-sim-network', ...(typeof pod.spec === 'object' && pod.spec && 'nodeName' in pod.spec ? { host: String(pod.spec.nodeName) } : {}) });
    }
    return v;
  }
}
