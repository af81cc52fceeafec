// Seeded secret markers: unique strings put into a job's secret values, env values, args and
// command, sent down every path (accepted, refused for bad input, NUL, lone surrogate, bad JSON,
// wrong media type, store down). Secret values must appear nowhere: logs, events, /metrics, API
// answers, error messages. Env, args and command come back only inside the job's own `spec`
// (the API returns them on purpose; secrets only by name) and appear nowhere else.
import { expect, it } from 'vitest';
import { poll } from '../support/wait.js';
import type { TestServer } from '../e2e/harness.js';
import type { TcpProxy } from './support-proxy.js';
import { bearer, inertServerForTests, marker, rawRequest, type RawResponse } from './support.js';

let s: TestServer;
let proxy: TcpProxy;
inertServerForTests({ behindProxy: true }, (f) => ({ s, proxy } = f));

const M = { secret: marker('secret'), env: marker('env'), arg: marker('arg'), command: marker('cmd') };
const ALL = Object.values(M);
const spec = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  command: `/bin/${M.command}`, args: ['--key', M.arg], env: { PLAIN: M.env }, secrets: { API_KEY: M.secret }, ...extra,
});

const post = (body: string, contentType = 'application/json'): Promise<RawResponse> => rawRequest(s.cp.port, {
  method: 'POST', target: '/v1/jobs', headers: { ...bearer(s.token), 'content-type': contentType }, body,
});
const get = (target: string, auth = true): Promise<RawResponse> => rawRequest(s.cp.port, { target, ...(auth ? { headers: bearer(s.token) } : {}) });

/** Markers found in `text`, by name. */
const leaked = (text: string, which: readonly string[] = ALL): string[] => which.filter((m) => text.includes(m));

/** A job answer with its own `spec` removed: what remains must carry no marker. */
function withoutSpec(body: string): string {
  const strip = (j: Record<string, unknown>): Record<string, unknown> => ({ ...j, spec: { secretNames: (j.spec as { secretNames?: unknown }).secretNames } });
  const parsed = JSON.parse(body) as Record<string, unknown> & { jobs?: Array<Record<string, unknown>> };
  return JSON.stringify(parsed.jobs ? { ...parsed, jobs: parsed.jobs.map(strip) } : strip(parsed));
}

it('never shows a seeded secret, and shows env/args/command only in the job\'s own spec, on every path', async () => {
  const accepted = await post(JSON.stringify(spec()));
  expect(accepted.status).toBe(201);
  const id = (JSON.parse(accepted.body) as { id: string }).id;
  const answers: Array<[string, RawResponse]> = [['submit', accepted], ['get', await get(`/v1/jobs/${id}`)], ['list', await get('/v1/jobs')]];
  for (const [what, r] of answers) {
    expect(leaked(r.body, [M.secret]), what).toEqual([]);
    expect(leaked(withoutSpec(r.body)), what).toEqual([]);
  }
  expect(JSON.parse(answers[1]?.[1].body ?? '{}').spec).toMatchObject({ command: `/bin/${M.command}`, secretNames: ['API_KEY'] });

  // Every refusal: nothing of the request comes back.
  const refusals: Array<[string, Promise<RawResponse>, number]> = [
    ['schema violation', post(JSON.stringify(spec({ retries: -1 }))), 400],
    ['unknown field', post(JSON.stringify(spec({ extra: M.secret }))), 400],
    ['bad secret name', post(JSON.stringify(spec({ secrets: { 'bad name': M.secret } }))), 400],
    ['NUL in another secret', post(JSON.stringify(spec({ secrets: { API_KEY: M.secret, B: '\u0000' } }))), 400],
    ['NUL in the command', post(JSON.stringify(spec({ command: `${M.command}\u0000` }))), 400],
    ['lone surrogate in env', post(JSON.stringify(spec({ env: { PLAIN: `${M.env}\ud800` } }))), 400],
    ['broken JSON', post(`${JSON.stringify(spec())}}`), 400],
    ['text body', post(JSON.stringify(spec()), 'text/plain'), 400],
    ['unknown media type', post(JSON.stringify(spec()), 'application/xml'), 415],
    ['no token', rawRequest(s.cp.port, { method: 'POST', target: '/v1/jobs', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec()) }), 401],
    ['label filter', get(`/v1/jobs?label=${M.secret}`), 400],
  ];
  for (const [what, pending, status] of refusals) {
    const r = await pending;
    expect(r.status, what).toBe(status);
    expect(leaked(r.body), what).toEqual([]);
  }

  // The store goes away: the 503s and the outage's log line carry nothing either.
  await proxy.cut();
  for (const r of [await post(JSON.stringify(spec())), await get(`/v1/jobs/${id}`), await get('/v1/jobs')]) {
    expect(r.status).toBe(503);
    expect(leaked(r.body)).toEqual([]);
  }
  await proxy.restore();
  await poll('the store back', async () => (await get('/v1/jobs')).status === 200);
  expect((await rawRequest(s.cp.port, { method: 'POST', target: `/v1/jobs/${id}/cancel`, headers: bearer(s.token) })).status).toBe(200);

  // Everything else the control plane shows: events, metrics, workers, SLO, health, and its log.
  for (const target of ['/v1/events?limit=1000', '/metrics', '/v1/workers?all=true', '/v1/slo', '/v1/health', '/readyz?verbose']) {
    const r = await get(target);
    expect(r.status, target).toBeLessThan(500);
    expect(leaked(r.body), target).toEqual([]);
  }
  expect(s.logs()).toContain('"msg":"job submitted"');
  expect(s.logs().split("\n").filter((l) => leaked(l).length > 0).map((l) => l.slice(0, 400))).toEqual([]);
});
