// Fault rounds beyond crashes, Kubernetes provider on kube-sim: API errors (503/429) and watch
// cuts, a 30 s API outage (every request answered 503, then connections refused), a hung API
// server, RBAC revoked then restored, worker pods deleted mid-job (what `kubectl delete pod`
// does), the worker namespace deleted, an image that cannot be pulled, jobs whose connections the
// cluster operator's own NetworkPolicy denies. Each round counts
// what must never happen — a job lost (ended other than succeeded, or failed by another reason than
// the fault's own), run twice (ledger), stuck — and how fast the fault is named and readiness is
// back by itself. HODEI_CHAOS_JOBS sizes the rounds (an eighth of it per round, at least 5).
import type { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, type KubeSim, type RbacRule } from '../../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { clientsFor } from '../support/kube-sim/clients.js';
import { runCli, startTestServer, waitFor, type TestServer } from '../e2e/harness.js';
import { JOBS, newLedger, report, submitLedgerJobs, tally, type Tally } from './rounds.js';
import type { JobSubmission } from '../../src/client/client.js';

const NS = 'hodei-chaos-faults';
const jobs = Math.max(5, Math.round(JOBS / 8));
/** The API outage: every request answered 503 for the first half, connections refused for the second. */
const OUTAGE_MS = Number(process.env.HODEI_CHAOS_OUTAGE_MS ?? 30_000);
const USER = { name: 'hodei', token: 'hodei-chaos-token-0123456789' };
const ALL: RbacRule[] = [{ verbs: ['*'], resources: ['*'] }];
/** Everything but creating pods (what a ClusterRole edit gone wrong leaves). */
const NO_POD_CREATE: RbacRule[] = [
  { verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection'], resources: ['*'] },
  { verbs: ['create'], resources: ['secrets', 'namespaces', 'events', 'selfsubjectaccessreviews', 'networkpolicies'] },
];
let sim: KubeSim;
let s: TestServer;

beforeAll(async () => {
  sim = await startTestSim();
  sim.admin.setRbac({ users: [{ ...USER, rules: ALL }] });
  const kubeconfig = sim.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'hodei-chaos-')), 'kubeconfig'), USER.token, USER.name);
  s = await startTestServer({
    // A worker is lost after 20 s of silence, as in the crash rounds: the harness's 4 s is shorter
    // than the heartbeat delays of a machine loaded by `npm run chaos`.
    config: { workerLostAfterMs: 20_000, provider: 'kubernetes', kubernetes: { ...simSettings(sim, { namespace: NS, requestTimeoutMs: 1000, startFailureGraceMs: 2000, pendingTimeoutMs: 60_000 }), kubeconfig } },
  });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

const readyz = async (): Promise<number> => (await fetch(`${s.url}/readyz`).catch(() => null))?.status ?? 0;
const metric = async (re: RegExp): Promise<number> => {
  let total = 0;
  for (const line of (await s.client.raw('/metrics')).text.split('\n')) if (re.test(line)) total += Number(line.split(' ').pop());
  return total;
};
const injected = (...kinds: string[]): number =>
  Object.entries(sim.admin.stats().faults.byKey).filter(([k]) => kinds.includes(k.split(' ')[0] ?? '')).reduce((a, [, n]) => a + n, 0);
const running = async (n: number): Promise<void> =>
  void await waitFor(`${n} jobs running`, async () => (await s.client.listJobs({ state: 'running', limit: 200 })).jobs.length >= n, 60_000);
/** Readiness 503 within `withinMs` of now (the fault named), or null. */
async function named(withinMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs) {
    if (await readyz() === 503) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
/** After the fault cleared: readiness back to 200, ms. */
async function readyAgain(): Promise<number> {
  const t0 = Date.now();
  await waitFor('readiness 200 again', async () => await readyz() === 200, 30_000);
  return Date.now() - t0;
}

async function round(name: string, opts: { extra?: Partial<JobSubmission>; allowed?: string[]; perAttempt?: boolean },
  fault: (ids: string[]) => Promise<Record<string, unknown>>): Promise<Tally & Record<string, unknown>> {
  const ledger = newLedger();
  const t0 = Date.now();
  const ids = await submitLedgerJobs(s.client, jobs, ledger, opts.extra ?? {}, opts.perAttempt);
  const measured = await fault(ids);
  const t = await tally(s.client, ids, ledger, 60_000 + jobs * 2000, opts.allowed);
  const figures = { target: `kubernetes/${name}`, jobs, ...measured, ...t, seconds: (Date.now() - t0) / 1000 };
  report(figures);
  return figures;
}

describe('fault rounds, kubernetes provider (kube-sim)', () => {
  it('API 503/429 and watch cuts: none lost; the 503/429 error counters equal the injected errors; ready after', async () => {
    // Client-side timeouts (requestTimeoutMs is 1 s here) on a loaded machine are errors of their own code.
    const injectedCodes = /^hodei_kubernetes_api_request_errors_total\{.*code="(503|429)"/;
    const errorsBefore = await metric(injectedCodes);
    const injectedBefore = injected('503', '429');
    const f = await round('api-errors', {}, async () => {
      sim.admin.setFaults({ seed: 7, rules: [
        { verbs: ['create'], resources: ['pods'], error: { code: 503 }, everyNth: 3 },
        { verbs: ['create'], resources: ['secrets'], error: { code: 429, retryAfterSeconds: 1 }, everyNth: 4 },
        { verbs: ['watch'], resources: ['pods'], watchCutAfterEvents: 15 },
      ] });
      await running(2);
      return {};
    });
    sim.admin.clearFaults();
    const readyAfterMs = await readyAgain();
    expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0 });
    const errors = await metric(injectedCodes) - errorsBefore;
    expect(errors).toBe(injected('503', '429') - injectedBefore);
    expect(errors).toBeGreaterThan(0);
    report({ target: 'kubernetes/api-errors', injected: errors, readyAfterMs });
  }, 180_000);

  it(`a ${OUTAGE_MS / 1000} s API outage (503 to every request, then connections refused): readiness 503 throughout, error counters match; none lost, run twice or stuck`, async () => {
    const codes = async (): Promise<Record<string, number>> => {
      const by: Record<string, number> = {};
      for (const line of (await s.client.raw('/metrics')).text.split('\n')) {
        const code = /^hodei_kubernetes_api_request_errors_total\{.*code="([^"]+)"/.exec(line)?.[1];
        if (code) by[code] = (by[code] ?? 0) + Number(line.split(' ').pop());
      }
      return by;
    };
    const ledger = newLedger();
    const before = await codes();
    const injectedBefore = injected('503');
    // The circuit breaker opens (calls fail fast instead of piling up), half-opens to probe, closes
    // once the API is back; no worker ever gets two pods.
    const breaker: string[] = [];
    const onBreaker = (e: { state: string }): void => void breaker.push(e.state);
    const k8sEvents = (s.cp.provider as unknown as { k8sEvents: EventEmitter }).k8sEvents;
    k8sEvents.on('api.breaker', onBreaker);
    const podsOf: string[] = [];
    const offPods = sim.store.onChange('pods', (ev) => { if (ev.type === 'ADDED') podsOf.push(ev.object.metadata.labels?.['hodei.io/worker-id'] ?? '?'); });
    // Half the jobs run when the API goes, the other half are queued during the outage.
    const ids = await submitLedgerJobs(s.client, Math.ceil(jobs / 2), ledger);
    await running(1);
    const t0 = Date.now();
    sim.admin.setFaults({ rules: [{ error: { code: 503 } }] });
    ids.push(...await submitLedgerJobs(s.client, Math.floor(jobs / 2), ledger));
    const namedAfterMs = await named(OUTAGE_MS / 2);
    // Sampled every 500 ms from the first 503 on: readiness must not call an unreachable API ready.
    const samples: number[] = [];
    const sample = async (untilMs: number): Promise<void> => {
      while (Date.now() - t0 < untilMs) {
        samples.push(await readyz());
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await sample(OUTAGE_MS / 2);
    sim.admin.clearFaults();
    sim.admin.setOutage({ mode: 'refuse' });
    const injected503 = injected('503') - injectedBefore;
    // The last 503s are on their way back (a response answered after the client's 1 s timeout
    // counts as code="timeout" instead).
    await new Promise((r) => setTimeout(r, 1500));
    const mid = await codes();
    await sample(OUTAGE_MS);
    sim.admin.setOutage(null);
    const back = Date.now();
    const readyAfterMs = await readyAgain();
    const t = await tally(s.client, ids, ledger, 90_000 + jobs * 2000);
    k8sEvents.off('api.breaker', onBreaker);
    offPods();
    const after = await codes();
    const delta = (a: Record<string, number>, b: Record<string, number>, code: string): number => (a[code] ?? 0) - (b[code] ?? 0);
    const figures = {
      target: 'kubernetes/api-outage', jobs, outageMs: OUTAGE_MS, namedAfterMs, readyAfterMs,
      notReadySamples: `${samples.filter((c) => c === 503).length}/${samples.length}`,
      breaker: breaker.join(' → '),
      errors: { injected503, code503: delta(mid, before, '503'), noResponse: delta(after, mid, '<error>'), timeout: delta(after, before, 'timeout') },
      ...t, recoverySeconds: (Date.now() - back) / 1000,
    };
    report(figures);
    expect(t).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, reasons: { Completed: jobs } });
    expect(namedAfterMs).not.toBeNull();
    expect(samples.every((c) => c === 503)).toBe(true);
    // Every injected 503 counted, as 503 or, when it came after the client's timeout, as timeout;
    // none more. Refused connections are counted under code="<error>".
    expect(figures.errors.code503).toBeLessThanOrEqual(injected503);
    expect(figures.errors.code503 + delta(mid, before, 'timeout')).toBeGreaterThanOrEqual(injected503);
    expect(injected503).toBeGreaterThan(0);
    expect(figures.errors.noResponse).toBeGreaterThan(0);
    expect(delta(after, mid, '503')).toBe(0);
    expect(breaker).toContain('open');
    expect(breaker).toContain('half-open');
    expect(breaker.at(-1)).toBe('closed');
    expect(new Set(podsOf).size).toBe(podsOf.length);
  }, 120_000 + OUTAGE_MS + jobs * 2000);

  it('a hung API server: requests time out (code="timeout"), readiness 503 while it hangs, 200 after; none lost', async () => {
    const timeoutsBefore = await metric(/^hodei_kubernetes_api_request_errors_total\{.*code="timeout"/);
    let namedAfterMs: number | null = null;
    const f = await round('api-hang', {}, async () => {
      await running(2);
      sim.admin.setOutage({ mode: 'hang', durationMs: 5000 });
      namedAfterMs = await named(5000);
      await new Promise((r) => setTimeout(r, 500));
      return { hangMs: 5000, namedAfterMs };
    });
    const readyAfterMs = await readyAgain();
    expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0 });
    expect(namedAfterMs).not.toBeNull();
    expect(await metric(/^hodei_kubernetes_api_request_errors_total\{.*code="timeout"/)).toBeGreaterThan(timeoutsBefore);
    report({ target: 'kubernetes/api-hang', readyAfterMs });
  }, 180_000);

  it('RBAC revoked then restored: jobs meanwhile fail as Forbidden (named), none otherwise; jobs run again after', async () => {
    const f = await round('rbac-revoked', { extra: { retries: 0 }, allowed: ['Forbidden'] }, async () => {
      sim.admin.setRbac({ users: [{ ...USER, rules: NO_POD_CREATE }] });
      const t0 = Date.now();
      const rbacNamed = await named(10_000);
      await new Promise((r) => setTimeout(r, 3000));
      sim.admin.setRbac({ users: [{ ...USER, rules: ALL }] });
      return { rbacNamedAfterMs: rbacNamed, revokedMs: Date.now() - t0 };
    });
    const readyAfterMs = await readyAgain();
    expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0 });
    const after = await round('rbac-restored', {}, async () => ({}));
    expect(after).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, reasons: { Completed: jobs } });
    report({ target: 'kubernetes/rbac', readyAfterMs });
  }, 180_000);

  it('worker pods deleted mid-job (kubectl delete pod): each job retried and succeeds, none run beside itself', async () => {
    const f = await round('pods-deleted', { extra: { retries: 1 }, perAttempt: true }, async () => {
      await running(2);
      const pods = sim.store.list(R.pods, NS).items.filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running' && !p.metadata.deletionTimestamp);
      for (const p of pods) sim.store.delete(R.pods, NS, p.metadata.name);
      return { podsDeleted: pods.length };
    });
    expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, reasons: { Completed: jobs } });
    expect(f.podsDeleted).toBeGreaterThan(0);
  }, 180_000);

  it('the worker namespace deleted: recreated by itself, jobs retried and succeed', async () => {
    const f = await round('namespace-deleted', { extra: { retries: 1 }, perAttempt: true }, async () => {
      await running(2);
      sim.store.delete(R.namespaces, undefined, NS);
      const t0 = Date.now();
      await waitFor('namespace recreated', async () => {
        const ns = sim.store.get(R.namespaces, undefined, NS);
        return ns && !ns.metadata.deletionTimestamp;
      }, 30_000);
      return { recreatedAfterMs: Date.now() - t0 };
    });
    const readyAfterMs = await readyAgain();
    expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, reasons: { Completed: jobs } });
    report({ target: 'kubernetes/namespace-deleted', readyAfterMs });
  }, 180_000);

  it('an image that cannot be pulled: those jobs fail as ErrImagePull/ImagePullBackOff, the others succeed', async () => {
    const ledger = newLedger();
    const t0 = Date.now();
    const bad = await submitLedgerJobs(s.client, 2, ledger, { image: 'registry.invalid/no-such-image:1', retries: 0 });
    const good = await submitLedgerJobs(s.client, jobs, ledger);
    const pulls = await tally(s.client, bad, ledger, 60_000);
    const namedAfterMs = Date.now() - t0;
    const rest = await tally(s.client, good, ledger, 60_000 + jobs * 2000);
    report({ target: 'kubernetes/image-pull', jobs: jobs + 2, namedAfterMs, failed: pulls.reasons, ...rest });
    expect(Object.keys(pulls.reasons).every((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff')).toBe(true);
    expect(pulls.stuck).toBe(0);
    expect(rest).toMatchObject({ lost: 0, runTwice: 0, stuck: 0 });
  }, 180_000);
  it('jobs whose connections the operator\'s own deny-egress policy refuses: counted, recorded with policy and peer, named by diagnose; job failures, not worker failures; none lost', async () => {
    const np = clientsFor(sim.kubeconfig).networking;
    await np.createNamespacedNetworkPolicy({ namespace: NS, body: { metadata: { name: 'operator-deny-egress' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] } } });
    try {
      const violations = /^hodei_kubernetes_network_policy_violations_total\{/;
      const workerFailures = /^hodei_workers_failed_total\{/;
      const [violationsBefore, workerFailuresBefore] = [await metric(violations), await metric(workerFailures)];
      // The job asks the sim's network layer for its connection (a CNI would see the packet) and
      // fails, as a job would whose connection is refused; the allowed peer lets the job succeed.
      const attempt = (host: string): string => [
        `v=$(curl -sk -X POST -H "authorization: Bearer $SIM_TOKEN" -H 'content-type: application/json' "$SIM_URL/__sim/connections"`,
        ` -d "{\\"namespace\\":\\"${NS}\\",\\"pod\\":\\"$HOSTNAME\\",\\"direction\\":\\"egress\\",\\"host\\":\\"${host}\\",\\"port\\":443}")`,
        `; case "$v" in *'"allowed":true'*) echo connected;; *) echo "connection to ${host}:443 refused: $v" >&2; exit 7;; esac`,
      ].join('');
      const env = { SIM_URL: sim.url, SIM_TOKEN: sim.token };
      const ledger = newLedger();
      const t0 = Date.now();
      const denied = await Promise.all(Array.from({ length: Math.max(2, Math.round(jobs / 2)) }, () =>
        s.client.submit({ command: 'sh', args: ['-c', `echo "$HODEI_JOB_ID" >> "${ledger}"; ${attempt('198.51.100.7')}`], env, retries: 0 }).then((j) => j.id)));
      const allowed = await Promise.all(Array.from({ length: jobs }, () =>
        s.client.submit({ command: 'sh', args: ['-c', `echo "$HODEI_JOB_ID" >> "${ledger}"; ${attempt('10.1.2.3')}`], env }).then((j) => j.id)));
      const refused = await tally(s.client, denied, ledger, 60_000 + jobs * 2000, ['NonZeroExit']);
      const rest = await tally(s.client, allowed, ledger, 60_000 + jobs * 2000);
      await waitFor('every violation counted', async () => await metric(violations) - violationsBefore >= denied.length, 20_000);
      const namedAfterMs = Date.now() - t0;
      const events = (JSON.parse((await s.client.raw('/v1/events?type=network_policy.violation&limit=500')).text) as { events: { details: Record<string, unknown> }[] })
        .events.filter((e) => denied.includes(String(e.details.job_id)));
      const diag = await runCli(['diagnose'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
      const figures = { target: 'kubernetes/network-policy-violation', jobs: denied.length + allowed.length, denied: denied.length,
        violations: await metric(violations) - violationsBefore, events: events.length, namedAfterMs, failed: refused.reasons, ...rest };
      report(figures);
      expect(refused).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, reasons: { NonZeroExit: denied.length } });
      expect(rest).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, reasons: { Completed: jobs } });
      expect(figures.violations).toBe(denied.length);
      expect(events).toHaveLength(denied.length);
      for (const e of events) expect(e.details).toMatchObject({ source: 'cni', policy: 'operator-deny-egress', destination: '198.51.100.7:443/TCP' });
      expect(diag.stdout).toMatch(/Network policy violation \(\d+\): NetworkPolicy operator-deny-egress denied a worker pod's connection to 198\.51\.100\.7:443\/TCP/);
      // The job's own connection refused is the job's failure: the platform provided its worker.
      expect(await metric(workerFailures)).toBe(workerFailuresBefore);
    } finally {
      await np.deleteNamespacedNetworkPolicy({ namespace: NS, name: 'operator-deny-egress' });
    }
  }, 180_000);
});
