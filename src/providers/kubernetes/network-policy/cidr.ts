// CIDR parsing and containment (IPv4 and IPv6) for egress admission: is a requested destination
// inside an allowed one? BigInt arithmetic keeps one code path for both families.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

function v4(ip: string): bigint {
  return ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function v6(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const n = v4(tail[1]);
    text = `${text.slice(0, -tail[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(fill).fill('0'), ...right].reduce((acc, h) => (acc << 16n) | BigInt(parseInt(h, 16)), 0n);
}

/** Parses "10.0.0.0/8", "fd00::/8" or a bare address (as /32, /128); null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const [ip = '', len, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const family = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0;
  if (family === 0) return null;
  const bits = family === 4 ? 32 : 128;
  const prefix = len === undefined ? bits : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return null;
  const addr = family === 4 ? v4(ip) : v6(ip);
  const hostBits = BigInt(bits - prefix);
  return { family, base: (addr >> hostBits) << hostBits, prefix };
}

/** Whether every address of `inner` is in `outer` (same family, longer or equal prefix). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return (inner.base >> bits) === (outer.base >> bits);
}

/** Canonical text of a CIDR ("10.1.2.3/8" → "10.0.0.0/8"), as written into NetworkPolicy ipBlocks. */
export function formatCidr(c: Cidr): string {
  if (c.family === 4) {
    const o = [24n, 16n, 8n, 0n].map((s) => String((c.base >> s) & 0xffn));
    return `${o.join('.')}/${c.prefix}`;
  }
  const h: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) h.push(((c.base >> s) & 0xffffn).toString(16));
  // Compress the longest run of zero hextets (RFC 5952).
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (h[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && h[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const text = best.at < 0 ? h.join(':') : `${h.slice(0, best.at).join(':')}::${h.slice(best.at + best.len).join(':')}`;
  return `${text}/${c.prefix}`;
}
