// One SLO config, one judgement: with `slo.maxApiErrorRate: 0.05` and a ~3 % Kubernetes API error
// rate driven through kube-sim's fault injection, readiness (/readyz), the SLO engine (/v1/slo) and
// the generated HighAPIErrorRate rule (evaluated by promtool on the same numbers) all call it
// within target — where the default 1 % target would have the rule fire.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../src/kube-sim/index.js';
import type { SloReport } from '../src/observability/slo-engine.js';
import type { KubernetesProvider } from '../src/providers/kubernetes/kubernetes-provider.js';
import { KubernetesSLOs } from '../src/observability/kubernetes/slo.js';
import { poll, simSettings, startTestSim } from '../test/support/kubernetes/sim.js';
import { startTestServer, type TestServer } from '../test/e2e/harness.js';
import { PATHS, generateAll } from './src/generate.js';
import { tool } from '../test/support/monitoring/tools.js';

const NS = 'hodei-slo-agree';
const TARGET = 0.05;
/** Every 30th list of configmaps answers 500 (the client retries it: one failed request each). */
const NTH = 30;

/** Sum of a metric's samples in a /metrics text. */
const total = (text: string, name: string): number =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`)).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

describe('readiness, the SLO engine and the alert rules judge one API error rate by one target', () => {
  let sim: KubeSim;
  let hodei: TestServer;

  beforeAll(async () => {
    sim = await startTestSim({ faults: [{ id: 'e500', verbs: ['list'], resources: ['configmaps'], error: { code: 500 }, everyNth: NTH }] });
    hodei = await startTestServer({
      config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS }), slo: { maxApiErrorRate: TARGET } },
    });
  }, 120_000);

  afterAll(async () => {
    await hodei?.stop();
    await sim?.stop();
  });

  it('agree at a ~3 % error rate with slo.maxApiErrorRate 0.05', async () => {
    const client = (hodei.cp.provider as KubernetesProvider).client;
    for (let i = 0; i < 20; i++) {
      await Promise.all(Array.from({ length: 25 }, () => client.request('GET', `/api/v1/namespaces/${NS}/configmaps`)));
    }
    const injected = sim.admin.stats().faults.byKey['500 list configmaps'] ?? 0;
    expect(injected).toBeGreaterThanOrEqual(Math.floor(500 / NTH));
    const text = (await hodei.client.raw('/metrics')).text;
    const requests = total(text, 'hodei_kubernetes_api_requests_total');
    const errors = total(text, 'hodei_kubernetes_api_request_errors_total');
    expect(errors).toBe(injected);
    const rate = errors / requests;
    // Above the default 1 % target, below the configured 5 %.
    expect(rate).toBeGreaterThan(0.02);
    expect(rate).toBeLessThan(0.04);

    // /readyz: the error-rate check reads the configured target and passes.
    const ready = await hodei.client.raw('/readyz?verbose');
    const line = ready.text.split('\n').find((l) => l.includes('kubernetes-api-error-rate')) ?? '';
    expect(line).toMatch(/^\[\+\]kubernetes-api-error-rate healthy: API error rate \d+\.\d\d% over 5 m \(\d+\/\d+; target ≤ 5\.00%\)$/);

    // /v1/slo: the same target, compliant, the same rate (its window counted the same requests).
    const report = await poll('SLO report', async () => JSON.parse((await hodei.client.raw('/v1/slo')).text) as SloReport);
    const api = report.slos.find((s) => s.slo === 'api_error_rate');
    expect(api).toMatchObject({ target: TARGET, compliant: true });
    expect(api?.current).toBeCloseTo(rate, 2);

    // The generated rule, on the same numbers (that many requests and errors every minute).
    const verdict = (maxApiErrorRate: number): { code: number | null; out: string } => {
      const dir = mkdtempSync(join(tmpdir(), 'hodei-agree-'));
      const files = generateAll({ slos: KubernetesSLOs.from({ maxApiErrorRate }) });
      writeFileSync(join(dir, 'alerts.yaml'), files[PATHS.alerts] ?? '');
      const l = 'job="hodei",namespace="ns",provider="kubernetes",endpoint="/api/v1/namespaces/{namespace}/configmaps",verb="list"';
      writeFileSync(join(dir, 'test.yaml'), stringify({
        rule_files: ['alerts.yaml'], evaluation_interval: '1m',
        tests: [{
          interval: '1m',
          input_series: [
            { series: `hodei_kubernetes_api_requests_total{${l},code="200"}`, values: `0+${requests - errors}x30` },
            { series: `hodei_kubernetes_api_requests_total{${l},code="500"}`, values: `0+${errors}x30` },
            { series: `hodei_kubernetes_api_request_errors_total{${l},code="500"}`, values: `0+${errors}x30` },
          ],
          alert_rule_test: [{ eval_time: '20m', alertname: 'HighAPIErrorRate', exp_alerts: [] }],
        }],
      }));
      return tool('promtool', ['test', 'rules', join(dir, 'test.yaml')]);
    };
    const configured = verdict(TARGET);
    expect(configured.code, configured.out).toBe(0); // silent, as /readyz and /v1/slo judged
    const atDefault = verdict(KubernetesSLOs.default().maxApiErrorRate);
    expect(atDefault.code).not.toBe(0); // the same numbers break the default 1 % target: it fires
    expect(atDefault.out).toContain('HighAPIErrorRate');
  }, 90_000);
});
