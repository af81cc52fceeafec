// The `kubernetes.networkPolicy` settings (types + JSON Schema), kept apart from config.ts so the
// network-policy code and the config module share them without importing each other.

export type EgressProtocol = 'TCP' | 'UDP';

/** One allowed egress destination: a CIDR and, optionally, ports (none = every port). */
export interface EgressAllowRule {
  cidr: string;
  ports?: number[];
  /** @defaultValue "TCP" (with ports); without ports every protocol is allowed */
  protocol?: EgressProtocol;
}

export interface NetworkPolicySettings {
  /** Apply the default-deny ingress and egress allow-list policies to worker pods. @defaultValue false */
  enabled?: boolean;
  /** Extra egress destinations every worker may reach (besides the control plane and DNS). */
  egressAllow?: EgressAllowRule[];
  /**
   * DNS servers (CIDRs) workers may query on port 53. Unset: any pod in kube-system (where
   * CoreDNS runs).
   */
  dnsResolvers?: string[];
  /**
   * CIDR of the control plane when its URL names a host (NetworkPolicy has no host names).
   * Unset: the URL's IP, or the host name resolved once at start.
   */
  controlPlaneCidr?: string;
}

/** IPv4 or IPv6 CIDR (shape only; util/cidr.ts parses it strictly). */
export const CIDR_PATTERN = '^([0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3})$';
const cidr = { type: 'string', pattern: CIDR_PATTERN, description: 'a CIDR like 10.0.0.0/8' };
const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const networkPolicySchema = {
  type: 'object', additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    egressAllow: {
      type: 'array', maxItems: 256,
      items: {
        type: 'object', additionalProperties: false, required: ['cidr'],
        properties: { cidr, ports: { type: 'array', items: port, maxItems: 64 }, protocol: { enum: ['TCP', 'UDP'] } },
      },
    },
    dnsResolvers: { type: 'array', items: cidr, maxItems: 16 },
    controlPlaneCidr: cidr,
  },
} as const;
