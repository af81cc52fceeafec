// What the network-policy extensions report: a denied connection and the events they emit.
import type { ViolationSource } from '../vocabulary.js';

export type { ViolationSource };

export interface NetworkPolicyViolation {
  source: ViolationSource;
  workerId: string | null;
  jobId: string | null;
  namespace: string;
  pod?: string;
  /** Pool of the pod, for pool workers (their worker id is not a pod label). */
  pool?: string;
  /** What was denied, e.g. "203.0.113.0/24:443/TCP" — never a secret. */
  destination: string;
  /** The NetworkPolicy (or policies) that denied it, when the report names them. */
  policy?: string;
  message: string;
  /** Denials this report stands for (a Kubernetes Event's count grows on repeats). */
  count: number;
}

export interface NetpolEventMap {
  violation: [v: NetworkPolicyViolation];
  applied: [ev: { namespace: string; policy: string; action: 'created' | 'updated' | 'unchanged' }];
}
