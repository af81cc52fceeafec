// Differential fidelity of kube-sim: the same catalogue of requests (catalogue.ts) to kube-sim and
// to the real kube-apiserver of this run (test/support/k8s-real-setup.ts); prints
// `kube-sim fidelity: N/M identical` and every difference, and fails on a difference that
// allowed.yaml does not list with its reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { RemoteApi } from '../../src/kube-sim/remote/api.js';
import { startTestSim } from '../support/kubernetes/sim.js';
import { realCluster } from '../support/k8s-real-context.js';
import { CATALOGUE, statusView, type Target } from './catalogue.js';

const ctx = realCluster('kube-sim fidelity');
const NS = 'fidelity';
const LIMITED_TOKEN = 'fidelity-limited-token';

interface Allowance { case: string; reason: string }
const allowed: Allowance[] = (parse(readFileSync(join(import.meta.dirname, 'allowed.yaml'), 'utf8')) as { differences?: Allowance[] } | null)?.differences ?? [];

async function runAll(t: Target): Promise<Map<string, string>> {
  await t.admin.request('POST', '/api/v1/namespaces', { metadata: { name: t.ns } });
  const out = new Map<string, string>();
  for (const c of CATALOGUE) {
    const a = await c.run(t);
    const view = a.code >= 400 ? statusView(a) : { code: a.code, fields: c.pick ? c.pick((a.body ?? {}) as Parameters<NonNullable<typeof c.pick>>[0]) : null };
    out.set(c.name, JSON.stringify(view));
  }
  return out;
}

describe.skipIf(!ctx)('kube-sim fidelity against the real kube-apiserver', () => {
  let sim: KubeSim;
  const apis: RemoteApi[] = [];
  beforeAll(async () => {
    // The limited user has deploy/'s rules, as the `hodei` ServiceAccount has on the real server.
    sim = await startTestSim({ rbac: { users: [{ name: 'system:serviceaccount:hodei-jobs:hodei', token: LIMITED_TOKEN, rules: [
      { verbs: ['get', 'list', 'watch', 'create', 'delete'], resources: ['pods'], namespaces: ['hodei-jobs-workers'] },
      { verbs: ['create'], resources: ['selfsubjectaccessreviews'], apiGroups: ['authorization.k8s.io'] },
    ] }] } });
  });
  afterAll(async () => { for (const a of apis) a.close(); await sim?.stop(); });

  it('answers like the real API server, but for the allowed differences', async () => {
    const c = ctx as NonNullable<typeof ctx>;
    const api = (kubeconfig: string) => { const a = new RemoteApi(kubeconfig); apis.push(a); return a; };
    const limitedSim = sim.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'fidelity-')), 'kubeconfig'), LIMITED_TOKEN, 'hodei');
    const real = await runAll({ admin: api(c.adminKubeconfig), limited: api(c.kubeconfig), ns: NS, memo: {} });
    const simulated = await runAll({ admin: api(sim.kubeconfig), limited: api(limitedSim), ns: NS, memo: {} });
    const diffs = CATALOGUE.filter((k) => real.get(k.name) !== simulated.get(k.name)).map((k) => k.name);
    console.log(`kube-sim fidelity: ${CATALOGUE.length - diffs.length}/${CATALOGUE.length} identical`);
    for (const d of diffs) {
      const why = allowed.find((a) => a.case === d)?.reason;
      console.log(`  ${why ? 'allowed' : 'DIFFERENT'}: ${d}\n    real:     ${real.get(d)}\n    kube-sim: ${simulated.get(d)}${why ? `\n    why: ${why}` : ''}`);
    }
    for (const a of allowed.filter((x) => !diffs.includes(x.case))) console.log(`  (allowance no longer needed: ${a.case})`);
    expect(diffs.filter((d) => !allowed.some((a) => a.case === d && a.reason.trim()))).toEqual([]);
  }, 120_000);
});
