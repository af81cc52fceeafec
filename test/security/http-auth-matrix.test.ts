// The auth matrix: every operation of /openapi.json × {no token, wrong token, right token} × the
// spellings of its path an attacker would try, sent over raw sockets so no client normalises them.
// A spelling that reaches the route must get exactly the canonical answer (token or not); one
// that reaches no route (double encoding, authority-form) must answer 401 without the token and
// 404 with it. Zero requests without the right token may reach a protected handler.
import { existsSync, readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { TestServer } from '../e2e/harness.js';
import { bearer, inertServerForTests, rawRequest, startInertServer, type RawResponse } from './support.js';

interface OpenApi { paths: Record<string, Record<string, { security?: unknown[] }>> }

let s: TestServer;
let doc: OpenApi;
inertServerForTests<OpenApi>({}, (f) => ({ s, doc } = f));

/** Percent-encodes the characters of `path` picked by `pick` (letters and digits only). */
const encode = (path: string, pick: (c: string, i: number) => boolean): string =>
  [...path].map((c, i) => (/[A-Za-z0-9]/.test(c) && pick(c, i) ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c)).join('');

/** Path parameter values: ids that exist nowhere, so no handler changes anything. */
const PARAMS: Record<string, string> = { '{id}': 'job-matrix-0', '{name}': 'pool-matrix', '{*}': consoleAsset() };

/** A console asset that exists when the console is built (the route's handler must be reached). */
function consoleAsset(): string {
  const dir = new URL('../../dist/console/assets/', import.meta.url);
  return (existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.js')) : undefined) ?? 'index.js';
}
const concrete = (p: string): string => Object.entries(PARAMS).reduce((acc, [k, v]) => acc.replace(k, v), p);
/** Letter case of the static segments only: parameter values keep their case (they are data). */
const upperCase = (path: string): string => Object.values(PARAMS).reduce((acc, v) => acc.replace(v.toUpperCase(), v), path.toUpperCase());

/**
 * Spellings of `path`: [name, target, what it reaches]: the same route, no route (404 with the
 * token, 401 without), or nothing at all (Node's HTTP parser refuses it with a bare 400).
 */
function variants(path: string, port: number): Array<[string, string, 'route' | 'none' | 'parser']> {
  const first = path.search(/[A-Za-z0-9]/);
  return [
    ['canonical', path, 'route'],
    ['one char encoded', encode(path, (_c, i) => i === first), 'route'],
    ['all encoded', encode(path, () => true), 'route'],
    ['lower-case hex', encode(path, () => true).replace(/%([0-9A-F]{2})/g, (_m, h: string) => `%${h.toLowerCase()}`), 'route'],
    ['double encoded', first < 0 ? `${path}%252e` : path.slice(0, first) + `%25${path.charCodeAt(first).toString(16)}` + path.slice(first + 1), 'none'],
    ['dot-dot segment', `/x/..${path}`, 'route'],
    ['encoded dot-dot', `/x/%2e%2e${path}`, 'route'],
    ['dot segment', path.replace(/\/([^/]*)$/, '/./$1'), 'route'],
    ['trailing slash', `${path}/`, 'route'],
    ['doubled slashes', path.replace(/\//g, '//'), 'route'],
    ['upper case', upperCase(path), 'route'],
    ['absolute-form', `http://127.0.0.1:${port}${path}`, 'route'],
    ['absolute-form, other host, encoded', `HTTP://EVIL.EXAMPLE${encode(path, (_c, i) => i === first)}`, 'route'],
    ['authority-form', `127.0.0.1:${port}`, 'parser'],
    ['asterisk-form', '*', 'none'],
  ];
}


const signature = (r: RawResponse): string => {
  let code = '';
  try { code = (JSON.parse(r.body) as { error?: { code?: string } }).error?.code ?? ''; } catch { /* text answers */ }
  return `${r.status} ${code}`;
};

it('lets no request without the right token reach a protected route, however the path is spelled', async () => {
  const tokens: Array<[string, Record<string, string>]> = [['none', {}], ['wrong', bearer('x'.repeat(43))], ['right', bearer(s.token)]];
  const failures: string[] = [];
  let tried = 0;
  let reachedWithoutToken = 0;
  const before = (JSON.parse((await rawRequest(s.cp.port, { target: '/v1/jobs', headers: bearer(s.token) })).body) as { jobs: unknown[] }).jobs.length;
  const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ method: m.toUpperCase(), path: concrete(p), isPublic: Array.isArray(op.security) && op.security.length === 0 })));
  for (const op of operations) {
    const body = ['POST', 'PATCH', 'PUT'].includes(op.method) ? '{}' : undefined;
    const send = (target: string, headers: Record<string, string>): Promise<RawResponse> => rawRequest(s.cp.port, {
      method: op.method, target, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}),
    });
    const canonical = signature(await send(op.path, bearer(s.token)));
    expect(canonical, `${op.method} ${op.path}`).not.toMatch(/^(401|404 NOT_FOUND)/);
    for (const [variant, target, reaches] of variants(op.path, s.cp.port)) {
      for (const [tokenName, headers] of tokens) {
        tried++;
        const got = signature(await send(target, headers));
        const authorized = tokenName === 'right';
        const want = reaches === 'parser' ? '400 '
          : reaches === 'route' ? (authorized || op.isPublic ? canonical : '401 UNAUTHORIZED')
          : authorized ? '404 NOT_FOUND' : '401 UNAUTHORIZED';
        if (!authorized && !op.isPublic && reaches === 'route' && !got.startsWith('401')) reachedWithoutToken++;
        if (got !== want) failures.push(`${op.method} ${target} (${variant}, ${tokenName} token): got ${got}, want ${want}`);
      }
    }
  }
  console.log(`[security] auth matrix: ${operations.length} operations × ${variants('/x', 1).length} spellings × ${tokens.length} tokens = ${tried} raw requests; `
    + `${reachedWithoutToken} reached a protected route without the right token`);
  expect(failures).toEqual([]);
  expect(reachedWithoutToken).toBe(0);
  expect(operations.length).toBeGreaterThanOrEqual(17);
  const after = (JSON.parse((await rawRequest(s.cp.port, { target: '/v1/jobs', headers: bearer(s.token) })).body) as { jobs: unknown[] }).jobs.length;
  expect(after).toBe(before);
});

it('answers a CONNECT (authority-form) by closing the connection, never a route', async () => {
  for (const headers of [{}, bearer(s.token)]) {
    const r = await rawRequest(s.cp.port, { method: 'CONNECT', target: `127.0.0.1:${s.cp.port}`, headers });
    expect(r.status === 0 || r.status === 400 || r.status === 404 || r.status === 401).toBe(true);
  }
});

it('requires the token on /metrics when metricsRequireToken is set', async () => {
  const locked = await startInertServer({ config: { metricsRequireToken: true } });
  try {
    for (const target of ['/metrics', '/%6detrics', '/METRICS/', `http://x/metrics`]) {
      expect((await rawRequest(locked.cp.port, { target })).status, target).toBe(401);
      expect((await rawRequest(locked.cp.port, { target, headers: bearer(locked.token) })).status, target).toBe(200);
    }
    const d = JSON.parse((await rawRequest(locked.cp.port, { target: '/openapi.json' })).body) as OpenApi;
    expect(d.paths['/metrics']?.get?.security).toBeUndefined();
  } finally {
    await locked.stop();
  }
});

it('answers every spelling of an unknown path identically, echoing nothing of it', async () => {
  const spellings = ['/nope-marker', '/%6eope-marker', '/NOPE-MARKER/', '//nope-marker', '/x/../nope-marker', 'http://h/nope-marker', '/%2576/nope-marker', '/v1/nope-marker'];
  for (const [headers, status] of [[{}, 401], [bearer(s.token), 404]] as const) {
    const answers = await Promise.all(spellings.map((target) => rawRequest(s.cp.port, { target, headers })));
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`)).size).toBe(1);
    expect(answers[0]?.status).toBe(status);
    expect(answers[0]?.body.toLowerCase()).not.toContain('marker');
  }
});
