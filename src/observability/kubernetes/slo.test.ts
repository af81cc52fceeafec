import { describe, expect, it } from 'vitest';
import { KubernetesSLIs, KubernetesSLOs, SliTracker } from './slo.js';

// The guide's SLO/SLI examples run from the packed package: test/e2e/package.test.ts (guide-examples/).
describe('checkSloCompliance', () => {
  it('names the SLO, the target and the current value of every violation', () => {
    const slis = new KubernetesSLIs({
      currentPodCreationTime: 45, workerCreationSuccessRate: 0.98, currentApiErrorRate: 0.05,
      currentHpaResponseTime: 75.5, workersCreatedLastHour: 98, workersFailedLastHour: 2,
    });
    const [ok, v] = slis.checkSloCompliance(KubernetesSLOs.default());
    expect(ok).toBe(false);
    expect(v).toEqual([
      'pod_creation_time: P95 45.00 s > target 30.00 s',
      'worker_creation_success_rate: 98.00% < target 99.00%',
      'api_error_rate: 5.00% > target 1.00%',
      'hpa_response_time: P95 75.50 s > target 60.00 s',
    ]);
  });

  it('targets exactly at the limit comply; invalid targets are refused', () => {
    const slis = new KubernetesSLIs({
      currentPodCreationTime: 30, workerCreationSuccessRate: 0.99, currentApiErrorRate: 0.01,
      currentHpaResponseTime: 60, workersCreatedLastHour: 0, workersFailedLastHour: 0,
    });
    expect(slis.checkSloCompliance(KubernetesSLOs.default())[0]).toBe(true);
    expect(() => KubernetesSLOs.from({ maxApiErrorRate: 0 })).toThrow(/slo.maxApiErrorRate/);
  });
});

describe('SliTracker (rolling window)', () => {
  it('computes SLIs from what happened and rolls old buckets out', () => {
    let now = Date.UTC(2026, 0, 1, 10, 0, 30);
    const t = new SliTracker({ now: () => now });
    for (let i = 0; i < 95; i++) t.recordApiRequest(false);
    for (let i = 0; i < 5; i++) t.recordApiRequest(true);
    t.recordPodCreation(1500, true);
    t.recordPodCreation(0, false);
    expect(t.slis().currentApiErrorRate).toBeCloseTo(0.05, 10);
    expect(t.slis().workerCreationSuccessRate).toBe(0.5);
    now += 30 * 60_000; // half an hour later: still inside the hour
    for (let i = 0; i < 100; i++) t.recordApiRequest(false);
    expect(t.slis().currentApiErrorRate).toBeCloseTo(0.025, 10);
    now += 31 * 60_000; // the first minute is out of the 60 × 1 min window
    const s = t.slis();
    expect(s.currentApiErrorRate).toBe(0);
    expect(s.workersCreatedLastHour).toBe(0);
    expect(s.workerCreationSuccessRate).toBe(1);
    now += 2 * 3600_000; // everything out, ring buckets reused
    t.recordApiRequest(true);
    expect(t.slis().currentApiErrorRate).toBe(1);
  });

  it('P95 is interpolated from the buckets like histogram_quantile()', () => {
    const t = new SliTracker({ now: () => 0 });
    for (let i = 0; i < 100; i++) t.recordPodCreationTime(i < 90 ? 1.5 : 40);
    // rank 95 of 100 falls in (30, 45]: 90 below, 10 inside → 30 + 15 × (5/10)
    expect(t.slis().currentPodCreationTime).toBeCloseTo(37.5, 10);
  });

  it('error budget and burn rate per SLO', () => {
    const t = new SliTracker({ now: () => 0 });
    for (let i = 0; i < 98; i++) t.recordApiRequest(false);
    for (let i = 0; i < 2; i++) t.recordApiRequest(true);
    for (let i = 0; i < 100; i++) t.recordPodCreation(i < 99 ? 2000 : 60_000, true);
    const r = t.evaluate(KubernetesSLOs.default());
    const api = r.statuses.find((s) => s.slo === 'api_error_rate');
    expect(api).toMatchObject({ total: 100, bad: 2, compliant: false });
    expect(api?.burnRate).toBeCloseTo(2, 10); // 2% bad against a 1% budget
    expect(api?.errorBudgetRemaining).toBeCloseTo(-1, 10);
    const pod = r.statuses.find((s) => s.slo === 'pod_creation_time');
    expect(pod?.bad).toBe(1); // one creation above 30 s
    expect(pod?.burnRate).toBeCloseTo(0.2, 10); // 1% slow against the 5% a P95 target allows
    expect(pod?.compliant).toBe(true);
    const hpa = r.statuses.find((s) => s.slo === 'hpa_response_time');
    expect(hpa).toMatchObject({ total: 0, burnRate: 0, errorBudgetRemaining: 1, compliant: true });
    expect(r.violations.map((v) => v.message)).toEqual(['api_error_rate: 2.00% > target 1.00%']);
  });
});
