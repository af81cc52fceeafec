// The control plane's probes with the Kubernetes provider, over HTTP: readiness goes Degraded as a
// quota fills and stays Degraded (200: jobs wait, the replica still works) when it is full, naming
// the check; an API that hangs makes readiness 503 within seconds (no answer for 5 s) while liveness stays 200;
// `hodei health --verbose` shows the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { runCli, startTestServer, waitFor, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;
const NS = 'hodei-health';
const get = async (path: string): Promise<{ status: number; text: string }> => {
  const res = await fetch(`${s.url}${path}`);
  return { status: res.status, text: await res.text() };
};
const pod = (name: string) => ({
  metadata: { name, namespace: NS },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

beforeAll(async () => {
  sim = await startTestSim();
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS }) } });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

describe('probes with the kubernetes provider', () => {
  it('are healthy and list every named check with ?verbose', async () => {
    // The first answers of a replica just started may take seconds on a loaded machine (a burst of
    // TLS handshakes to the in-process sim; a probe before them says "no answer within 800 ms"):
    // wait for them, as a kubelet's next probes would.
    const names = ['store', 'kubernetes-api', 'kubernetes-namespace', 'kubernetes-rbac', 'kubernetes-quota', 'kubernetes-capacity', 'kubernetes-circuit-breaker'];
    const allHealthy = (text: string): boolean => names.every((name) => text.includes(`[+]${name} healthy`));
    let ready = await get('/readyz?verbose');
    for (const until = Date.now() + 20_000; !allHealthy(ready.text) && Date.now() < until; ready = await get('/readyz?verbose')) await new Promise((r) => setTimeout(r, 200));
    expect(ready.status, ready.text).toBe(200);
    for (const name of names) expect(ready.text).toContain(`[+]${name} healthy`);
    expect((await get('/livez')).status).toBe(200);
    expect((await get('/startupz')).status).toBe(200);
  });

  it('readiness goes Degraded as a quota fills and stays ready (Degraded) when it is full, naming it', async () => {
    sim.admin.apply('resourcequotas', { metadata: { name: 'compute', namespace: NS }, spec: { hard: { pods: '10' } } });
    for (let i = 0; i < 9; i++) sim.admin.apply('pods', pod(`filler-${i}`));
    const degraded = await waitFor('Degraded', async () => {
      const r = await get('/readyz?verbose');
      return r.text.includes("[~]kubernetes-quota degraded: quota 'compute' pods 9/10 used (90%)") ? r : undefined;
    });
    expect(degraded.status).toBe(200);
    expect(degraded.text).toContain('readyz check passed (Degraded)');
    sim.admin.apply('pods', pod('filler-9'));
    const full = await waitFor('the full quota named', async () => {
      const r = await get('/readyz?verbose');
      return r.text.includes('10/10') ? r : undefined;
    });
    expect(full.status).toBe(200);
    expect(full.text).toContain("[~]kubernetes-quota degraded: quota 'compute' pods 10/10 used: new worker pods will be refused");
    const health = await (await fetch(`${s.url}/v1/health`, { headers: { authorization: `Bearer ${s.token}` } })).text();
    expect(health).toContain("quota 'compute' pods 10/10 used");
    const cli = await runCli(['health', '--verbose'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
    expect(cli.stdout).toContain("quota 'compute' pods 10/10 used");
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/hodei_health_status\{probe="readiness"\} 1/);
    for (let i = 0; i < 10; i++) await sim.store.delete('pods', NS, `filler-${i}`, { gracePeriodSeconds: 0 });
    sim.store.delete('resourcequotas', NS, 'compute');
    await waitFor('ready again', async () => (await get('/readyz')).status === 200);
  });

  it('an API that hangs: readiness 503 with the timeout named, liveness 200', async () => {
    sim.admin.setOutage({ mode: 'hang' });
    try {
      // Probes read cached checks, refreshed in the background: a refresh with no answer for 5 s
      // (the request timeout, at most 5 s) is a hung API; slower answers are not (health-cache.ts).
      const ready = await waitFor('readiness 503 naming the hung API', async () => {
        const r = await get('/readyz?verbose');
        return r.status === 503 && r.text.includes('[-]kubernetes-api') ? r : undefined;
      }, 20_000);
      const live = await get('/livez?verbose');
      expect(ready.text).toContain('[-]kubernetes-api unhealthy: no answer within 5000 ms');
      expect(live.status).toBe(200);
    } finally {
      sim.admin.setOutage(null);
    }
  });
});
