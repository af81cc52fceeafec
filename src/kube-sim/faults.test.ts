import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, Watch } from '@kubernetes/client-node';
import { apiError, podBody, startWithClients, type SimClients } from '../../test/support/kube-sim/clients.js';
import type { SimStatsSnapshot } from './stats.js';

let c: SimClients;
const faultsFile = join(mkdtempSync(join(tmpdir(), 'kube-sim-faults-')), 'faults.yaml');
writeFileSync(faultsFile, 'seed: 7\nrules:\n  - { id: boot, verbs: [get], resources: [configmaps], error: { code: 500 }, count: 1 }\n');

beforeAll(async () => { c = await startWithClients({ tls: false, faults: faultsFile }); });
afterAll(async () => { await c?.sim.stop(); });

const admin = async (method: string, path: string, body?: unknown, token = c.sim.token) => {
  const r = await fetch(`${c.sim.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, json: (await r.json()) as unknown };
};

describe('fault injection', () => {
  it('loads rules from a YAML file at start', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'boot' } } });
    const first = await apiError(c.core.readNamespacedConfigMap({ namespace: 'default', name: 'boot' }));
    expect(first.body).toMatchObject({ code: 500, reason: 'InternalError' });
    expect((await c.core.readNamespacedConfigMap({ namespace: 'default', name: 'boot' })).metadata?.name).toBe('boot');
  });

  it('fails exactly every Nth request with the chosen code; the counts match what the client saw', async () => {
    const put = await admin('PUT', '/__sim/faults', { rules: [{ verbs: ['create'], resources: ['pods'], namespaces: ['default'], error: { code: 503 }, everyNth: 5 }] });
    expect(put.status).toBe(200);
    await admin('DELETE', '/__sim/stats');
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) {
      try { await c.core.createNamespacedPod({ namespace: 'default', body: podBody(`f-${i}`) }); codes.push(201); } catch (e) { codes.push((e as ApiException<unknown>).code); }
    }
    expect(codes.filter((x) => x === 503)).toHaveLength(4);
    const stats = (await admin('GET', '/__sim/stats')).json as SimStatsSnapshot;
    expect(stats.faults.byKey['503 create pods']).toBe(4);
    expect(stats.requests.byKey['create pods 503']).toBe(4);
    expect(stats.requests.byKey['create pods 201']).toBe(16);
  });

  it('injects 429 with Retry-After, seeded rates, latency and forced 410 on list', async () => {
    c.sim.admin.setFaults({ seed: 42, rules: [
      { verbs: ['get'], resources: ['pods'], error: { code: 429, retryAfterSeconds: 3 }, rate: 0.3 },
      { verbs: ['list'], resources: ['pods'], latencyMs: 20, gone: true, count: 2 },
    ] });
    c.sim.admin.resetStats();
    let seen429 = 0;
    let sample: Awaited<ReturnType<typeof apiError>> | undefined;
    for (let i = 0; i < 40; i++) {
      try { await c.core.readNamespacedPod({ namespace: 'default', name: 'f-0' }); } catch (e) {
        if (!(e instanceof ApiException) || e.code !== 429) throw e;
        seen429++;
        sample ??= await apiError(Promise.reject(e));
      }
    }
    const stats = c.sim.admin.stats();
    expect(seen429).toBeGreaterThan(0);
    expect(stats.faults.byKey['429 get pods']).toBe(seen429);
    expect(sample?.headers['retry-after']).toBe('3');
    expect(sample?.body).toMatchObject({ reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 3 } });

    const gone = await apiError(c.core.listNamespacedPod({ namespace: 'default' }));
    expect(gone.body).toMatchObject({ code: 410, reason: 'Expired' });
    await apiError(c.core.listNamespacedPod({ namespace: 'default' }));
    expect((await c.core.listNamespacedPod({ namespace: 'default' })).items.length).toBeGreaterThan(0);
    const after = c.sim.admin.stats();
    expect(after.faults.byKey['gone list pods']).toBe(2);
    expect(after.faults.byKey['latency list pods']).toBe(2);
  });

  it('cuts watch streams after N events', async () => {
    c.sim.admin.setFaults({ rules: [{ verbs: ['watch'], resources: ['pods'], watchCutAfterEvents: 3 }] });
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      void new Watch(c.kc).watch('/api/v1/namespaces/default/pods', {}, (type) => { events.push(type); }, () => resolve());
    });
    expect(events).toHaveLength(3);
    expect(c.sim.admin.stats().faults.byKey['watch-cut watch pods']).toBe(1);

    c.sim.admin.setFaults({ rules: [{ verbs: ['watch'], resources: ['pods'], gone: true, count: 1 }] });
    const got: { type: string; code?: number; reason?: string }[] = [];
    await new Promise<void>((resolve) => {
      void new Watch(c.kc).watch('/api/v1/namespaces/default/pods', {}, (type, obj: { code?: number; reason?: string }) => { got.push({ type, code: obj.code, reason: obj.reason }); }, () => resolve());
    });
    expect(got).toEqual([{ type: 'ERROR', code: 410, reason: 'Expired' }]);

    c.sim.admin.setFaults({ rules: [{ verbs: ['watch'], resources: ['configmaps'], watchCutAfterSeconds: 0.2 }] });
    let ended = false;
    await new Promise<void>((resolve) => {
      void new Watch(c.kc).watch('/api/v1/namespaces/kube-public/configmaps', {}, () => {}, () => { ended = true; resolve(); });
    });
    expect(ended).toBe(true);
  });

  it('simulates outages: refused connections, then hanging requests, then recovery', async () => {
    c.sim.admin.clearFaults();
    c.sim.admin.setOutage({ mode: 'refuse' });
    const refused = await c.core.listNamespacedPod({ namespace: 'default' }).then(() => 'ok', (e: unknown) => String((e as { cause?: { code?: string } }).cause?.code ?? e));
    expect(refused).toMatch(/ECONNREFUSED/);
    c.sim.admin.setOutage({ mode: 'hang' });
    await new Promise((r) => setTimeout(r, 50));
    const hung = await fetch(`${c.sim.url}/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${c.sim.token}` }, signal: AbortSignal.timeout(300) })
      .then(() => 'answered', (e: unknown) => (e as Error).name);
    expect(hung).toBe('TimeoutError');
    c.sim.admin.setOutage(null);
    expect((await c.core.listNamespacedPod({ namespace: 'default' })).items.length).toBeGreaterThan(0);
    expect(c.sim.admin.stats().faults.byKey['hang list pods']).toBe(1);
  });

  it('protects the admin endpoints with the admin token', async () => {
    const r = await admin('GET', '/__sim/stats', undefined, 'not-a-token');
    expect(r.status).toBe(401);
  });
});
