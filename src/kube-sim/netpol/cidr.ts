// IPv4/IPv6 CIDR membership for NetworkPolicy ipBlocks.
import { isIP } from 'node:net';

function toBigInt(ip: string): { v: bigint; bits: number } | undefined {
  const fam = isIP(ip);
  if (fam === 4) return { v: ip.split('.').reduce((n, o) => (n << 8n) + BigInt(Number(o)), 0n), bits: 32 };
  if (fam !== 6) return undefined;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return { v: groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', lenStr] = cidr.split('/');
  const a = toBigInt(base), b = toBigInt(ip);
  if (!a || !b || a.bits !== b.bits) return false;
  const len = lenStr === undefined ? a.bits : Number(lenStr);
  if (!Number.isInteger(len) || len < 0 || len > a.bits) return false;
  const shift = BigInt(a.bits - len);
  return (a.v >> shift) === (b.v >> shift);
}
