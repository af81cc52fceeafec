// Fault rounds beyond crashes, Kubernetes provider on kube-sim: API errors (503/429) and watch
// cuts, a hung API server, RBAC revoked then restored, worker pods deleted mid-job (what `kubectl
// delete pod` does), the worker namespace deleted, an image that cannot be pulled. Each round counts
// what must never happen — a job lost (ended other than succeeded, or failed by another reason than
// the fault's own), run twice (ledger), stuck — and how fast the fault is named and readiness is
// back by itself. HODEI_CHAOS_JOBS sizes the rounds (an eighth of it per round, at least 5).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R, type KubeSim, type RbacRule } from '../../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitFor, type TestServer } from '../e2e/harness.js';
import { JOBS, newLedger, report, submitLedgerJobs, tally, type Tally } from './rounds.js';
import type { JobSubmission } from '../../src/client/client.js';

const NS = 'hodei-chaos-faults';
const jobs = Math.max(5, Math.round(JOBS / 8));
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
    config: { provider: 'kubernetes', kubernetes: { ...simSettings(sim, { namespace: NS, requestTimeoutMs: 1000, startFailureGraceMs: 2000, pendingTimeoutMs: 60_000 }), kubeconfig } },
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
});
