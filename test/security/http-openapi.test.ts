// Every route the server serves is in /openapi.json with its security requirement: public routes
// say `security: []`, every other one requires the bearer token.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { TestServer } from '../e2e/harness.js';
import { inertServerForTests, rawRequest } from './support.js';

interface Operation { security?: Array<Record<string, string[]>>; summary?: string }
interface OpenApi { security?: Array<Record<string, string[]>>; paths: Record<string, Record<string, Operation>> }

let s: TestServer;
let doc: OpenApi;
inertServerForTests<OpenApi>({}, (f) => ({ s, doc } = f));

it('documents the probes, /metrics, /openapi.json and /v1/health, which the server answers', async () => {
  for (const path of ['/livez', '/readyz', '/startupz', '/metrics', '/openapi.json', '/v1/health']) {
    expect((await rawRequest(s.cp.port, { target: path, headers: { authorization: `Bearer ${s.token}` } })).status, path).not.toBe(404);
    expect(doc.paths[path]?.get, path).toBeDefined();
  }
});

it('lists every served route, with security [] exactly on the public ones', async () => {
  const { servedRoutes, openApiPath } = await import('../../src/api/route-table.js');
  const served = servedRoutes(s.cp.app);
  expect(served.length).toBeGreaterThan(10);
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
  expect(documented).toEqual(served.map((r) => `${r.method} ${openApiPath(r.url)}`).sort());
  expect(doc.security).toEqual([{ bearer: [] }]);
  for (const r of served) {
    const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
    if (r.public) expect(op?.security, `${r.method} ${r.url}`).toEqual([]);
    else expect(op?.security, `${r.method} ${r.url}`).toBeUndefined();
  }
  expect(served.filter((r) => r.public).map((r) => r.url).sort()).toEqual(['/', '/assets/*', '/favicon.svg', '/livez', '/metrics', '/openapi.json', '/readyz', '/startupz', '/version']);
});

const DOC = new URL('../../docs/security.md', import.meta.url);
const START = '<!-- route-table:start (generated from /openapi.json by test/security/http-openapi.test.ts; HODEI_UPDATE_DOCS=1 rewrites it) -->';
const END = '<!-- route-table:end -->';

it('keeps the route table of docs/security.md equal to the OpenAPI document', () => {
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) =>
    `| \`${m.toUpperCase()} ${path}\` | ${op.security?.length === 0 ? 'public' : 'bearer token'} | ${(op.summary ?? '').replace(/\|/g, '\\|')} |`));
  const table = ['| route | auth | what |', '|---|---|---|', ...rows.sort()].join('\n');
  const text = readFileSync(DOC, 'utf8');
  const [before, rest = ''] = text.split(START);
  const after = rest.split(END)[1] ?? '';
  const wanted = `${before}${START}\n${table}\n${END}${after}`;
  if (process.env.HODEI_UPDATE_DOCS === '1') writeFileSync(DOC, wanted);
  expect(text).toBe(wanted);
});
