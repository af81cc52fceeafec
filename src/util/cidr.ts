// The one CIDR implementation (IPv4 and IPv6), on ipaddr.js: egress admission in the Kubernetes
// provider (is a requested destination inside an allowed one?) and NetworkPolicy ipBlocks in the
// simulator (is this address in the block?). Addresses are checked with node:net first, so only
// the dotted / RFC 4291 forms pass — ipaddr.js alone also reads "10.1" or "0x0a.0.0.1".
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  network: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
}

/** Parses "10.0.0.0/8", "fd00::/8" or a bare address (as /32, /128); null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const [ip = '', len, extra] = text.trim().split('/');
  const family = isIP(ip);
  if (extra !== undefined || (family !== 4 && family !== 6)) return null;
  const bits = family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const prefix = len === undefined ? bits : Number(len);
  if (prefix > bits) return null;
  const cidr = `${ip}/${prefix}`;
  const network = family === 4 ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return { family, network, prefix };
}

export const isCidr = (text: string): boolean => parseCidr(text) !== null;

/** Whether every address of `inner` is in `outer` (same family, longer or equal prefix). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  return inner.network.kind() === outer.network.kind() && inner.network.match(outer.network, outer.prefix);
}

/** Whether address `ip` is in the block `cidr` (texts; false when either is malformed). */
export function ipInCidr(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const addr = parseCidr(ip.split('/')[0] ?? '');
  return block !== null && addr !== null && cidrContains(block, addr);
}

/** Canonical text of a CIDR ("10.1.2.3/8" → "10.0.0.0/8"; IPv6 compressed, RFC 5952), as written into NetworkPolicy ipBlocks. */
export function formatCidr(c: Cidr): string {
  return `${c.network.toString()}/${c.prefix}`;
}
