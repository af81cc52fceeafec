import { expect, it } from 'vitest';
import { cidrContains, formatCidr, ipInCidr, isCidr, parseCidr } from './cidr.js';

const c = (s: string) => parseCidr(s) ?? (() => { throw new Error(s); })();

it('contains one block in another, per family', () => {
  expect(cidrContains(c('10.0.0.0/8'), c('10.20.3.0/24'))).toBe(true);
  expect(cidrContains(c('10.20.0.0/16'), c('10.0.0.0/8'))).toBe(false);
  expect(cidrContains(c('fd00::/8'), c('fd12:3456::/32'))).toBe(true);
  expect(cidrContains(c('10.0.0.0/8'), c('fd00::/8'))).toBe(false);
  expect(cidrContains(c('0.0.0.0/0'), c('203.0.113.9'))).toBe(true);
});

it('prints the network address, IPv6 compressed', () => {
  expect(formatCidr(c('10.1.2.3/8'))).toBe('10.0.0.0/8');
  expect(formatCidr(c('fd00:0:0:0:0:0:0:1/128'))).toBe('fd00::1/128');
  expect(formatCidr(c('2001:db8:0:0:1:0:0:1/64'))).toBe('2001:db8::/64');
  expect(formatCidr(c('192.168.1.7'))).toBe('192.168.1.7/32');
});

it.each(['10.0.0.0/33', '999.0.0.0/8', '10.1/8', '0x0a.0.0.1/8', '10.0.0.0/8/1', '10.0.0.0/x', 'fd00::/129', ''])('refuses %j', (t) => {
  expect(parseCidr(t)).toBeNull();
  expect(isCidr(t)).toBe(false);
});

it('tells whether an address is in a block (NetworkPolicy ipBlock)', () => {
  expect(ipInCidr('10.0.0.0/8', '10.255.1.2')).toBe(true);
  expect(ipInCidr('10.0.0.0/8', '11.0.0.1')).toBe(false);
  expect(ipInCidr('0.0.0.0/0', '1.2.3.4')).toBe(true);
  expect(ipInCidr('fd00::/8', 'fd12::1')).toBe(true);
  expect(ipInCidr('10.0.0.0/8', 'fd12::1')).toBe(false);
  expect(ipInCidr('not-a-cidr', '10.0.0.1')).toBe(false);
});
