// End to end on a real Prometheus scraping a real Hodei (local provider): the generated rules load
// and evaluate without errors, every dashboard query evaluates, the queries over metrics that
// exist today return what the workload did, and HodeiTargetDown fires when Hodei goes away.
// Kubernetes-provider panels are evaluated here too; their data is asserted with the provider on
// kube-sim in prometheus-kubernetes-e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitForJob, type TestServer } from '../test/e2e/harness.js';
import { PATHS, generateAll } from './src/generate.js';
import { concrete, everyTarget, loadBoard } from './testing/grafana.js';
import { evaluatedRules, poll, startPrometheusFor, type TestPrometheus } from './testing/prometheus.js';

const NS = 'hodei-e2e';
/** Test copy only: `for:` durations shortened and group intervals dropped (the global 1 s applies). */
const needsKubernetes = (expr: string): boolean => /hodei_kubernetes_|hodei:slo_/.test(expr);

describe('monitoring on a real Prometheus scraping Hodei', () => {
  let hodei: TestServer;
  let prom: TestPrometheus;
  let hodeiStopped = false;

  beforeAll(async () => {
    hodei = await startTestServer();
    prom = await startPrometheusFor(hodei.url, NS, generateAll(), PATHS);
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    if (!hodeiStopped) await hodei?.stop();
  });

  it('platform metrics in Prometheus equal what the workload did', async () => {
    const jobs = await Promise.all([
      ...Array.from({ length: 4 }, () => hodei.client.submit({ command: 'true' })),
      ...Array.from({ length: 2 }, () => hodei.client.submit({ command: 'sh', args: ['-c', 'exit 3'] })),
    ]);
    const ended = await Promise.all(jobs.map((j) => waitForJob(hodei.client, j.id)));
    expect(ended.map((j) => j.state).sort()).toEqual(['failed', 'failed', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const finished = await poll('finished jobs scraped', async () => {
      const r = await prom.query(`sum by (result) (hodei_jobs_finished_total{namespace="${NS}"})`);
      const by = Object.fromEntries(r.map((s) => [s.metric.result, Number(s.value[1])]));
      return by.succeeded === 4 && by.failed === 2 ? by : undefined;
    }, 30_000);
    expect(finished).toMatchObject({ succeeded: 4, failed: 2, cancelled: 0, timed_out: 0 });
    const waits = await prom.query(`sum(hodei_job_queue_wait_seconds_count{namespace="${NS}"})`);
    expect(Number(waits[0]?.value[1])).toBe(6);
  }, 90_000);

  it('every rule loads and evaluates without error; no alert fires on a healthy Hodei', async () => {
    const { rules, broken, active } = await evaluatedRules(prom);
    const files = generateAll();
    const generated = [PATHS.alerts, PATHS.sloRules].map((p) => (files[p] ?? '').match(/- (alert|record):/g)?.length ?? 0);
    expect(rules.length).toBe(generated.reduce((a, b) => a + b, 0));
    expect(broken).toEqual([]);
    expect(active).toEqual([]);
  }, 60_000);

  it('every dashboard query evaluates; those over existing metrics return data', async () => {
    const pending: string[] = [];
    for (const board of [loadBoard('overview'), loadBoard('slo')]) {
      for (const [panel, t] of everyTarget(board)) {
        const result = await prom.query(concrete(t.expr, { namespace: NS, rateInterval: '30s' }));
        if (needsKubernetes(t.expr)) pending.push(`${board.uid}/${panel.title}/${t.refId}`);
        else expect(result.length, `${board.uid}/${panel.title}/${t.refId} returned no data`).toBeGreaterThan(0);
      }
    }
    // SLO state from the in-process engine: every SLO compliant, full budget.
    const compliance = await prom.query(concrete('min by (slo) (hodei_slo_compliant{namespace=~"$namespace"})', { namespace: NS }));
    expect(compliance.map((s) => [s.metric.slo, s.value[1]]).sort()).toEqual([
      ['api_error_rate', '1'], ['hpa_response_time', '1'], ['pod_creation_time', '1'], ['queue_wait_time', '1'],
      ['schedule_punctuality', '1'], ['worker_creation_success_rate', '1'],
    ]);
    // A wrong namespace selects nothing: the $namespace filter is real.
    expect(await prom.query('hodei_slo_compliant{namespace=~"elsewhere"}')).toEqual([]);
    // The local provider exports no hodei_kubernetes_* series: those panels are empty here.
    expect(pending.length).toBeGreaterThan(0);
  }, 60_000);

  it('HodeiTargetDown fires when Hodei stops (for: shortened in the test copy)', async () => {
    await hodei.stop();
    hodeiStopped = true;
    const down = await poll('HodeiTargetDown firing', async () =>
      (await prom.rules()).find((r) => r.name === 'HodeiTargetDown' && r.state === 'firing'), 30_000);
    expect(down.health).toBe('ok');
  }, 60_000);
});
