import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventRecorder } from './events/recorder.js';
import { MemoryEventStore } from './events/sinks.js';
import { SloEngine } from './slo-engine.js';

const series = (text: string, s: string): number | undefined => {
  const l = text.split('\n').find((x) => x.startsWith(s + ' '));
  return l === undefined ? undefined : Number(l.slice(s.length + 1));
};

describe('SloEngine', () => {
  it('exports gauges, records slo.violated then slo.recovered once each, as the window rolls', async () => {
    let now = Date.UTC(2026, 0, 1);
    const registry = new Registry();
    const events = new EventRecorder({ store: new MemoryEventStore(), provider: 'kubernetes' });
    const slo = new SloEngine({ registry, events, now: () => now, windowSeconds: 600 });
    for (let i = 0; i < 95; i++) slo.tracker.recordApiRequest(false);
    for (let i = 0; i < 5; i++) slo.tracker.recordApiRequest(true);

    let text = await registry.metrics();
    expect(series(text, 'hodei_slo_compliant{slo="api_error_rate"}')).toBe(0);
    expect(series(text, 'hodei_slo_compliant{slo="pod_creation_time"}')).toBe(1);
    expect(series(text, 'hodei_slo_error_budget_remaining_ratio{slo="api_error_rate"}')).toBeCloseTo(-4, 6);
    expect(series(text, 'hodei_slo_burn_rate{slo="api_error_rate"}')).toBeCloseTo(5, 6);
    expect(series(text, 'hodei_sli_value{sli="api_error_rate"}')).toBeCloseTo(0.05, 10);
    expect(series(text, 'hodei_sli_value{sli="worker_creation_success_rate"}')).toBe(1);

    const r = slo.report(); // a second evaluation: no second event
    expect(r.violations[0]?.message).toBe('api_error_rate: 5.00% > target 1.00%');
    expect(r.windowSeconds).toBe(600);

    now += 11 * 60_000; // the errors leave the 10-minute window
    text = await registry.metrics();
    expect(series(text, 'hodei_slo_compliant{slo="api_error_rate"}')).toBe(1);
    const recorded = (await events.query({ limit: 10 })).reverse();
    expect(recorded.map((e) => e.event_type)).toEqual(['slo.violated', 'slo.recovered']);
    expect(recorded[0]).toMatchObject({ success: false, details: { slo: 'api_error_rate', target: 0.01, current: 0.05, window_seconds: 600 } });
    expect(recorded[1]?.success).toBe(true);
  });

  it('takes targets from code and validates them', () => {
    const slo = new SloEngine({ slos: { maxApiErrorRate: 0.005 } });
    expect(slo.slos).toEqual({
      maxPodCreationTime: 30, minWorkerCreationSuccessRate: 0.99, maxApiErrorRate: 0.005, maxHpaResponseTime: 60, maxQueueWaitTime: 60, maxScheduleStartDelay: 60,
    });
    slo.setSlos({ maxPodCreationTime: 20 });
    expect(slo.report().targets.maxPodCreationTime).toBe(20);
    expect(() => slo.setSlos({ minWorkerCreationSuccessRate: 1 })).toThrow(/minWorkerCreationSuccessRate/);
    expect(() => slo.setSlos({ maxQueueWaitTime: 0 })).toThrow(/slo\.maxQueueWaitTime: must be > 0 seconds, got 0/);
    expect(() => slo.setSlos({ maxScheduleStartDelay: -1 })).toThrow(/slo\.maxScheduleStartDelay/);
  });

  it('judges queue wait and schedule punctuality from what the job metrics fed it; a missed tick is late', async () => {
    const now = Date.UTC(2026, 0, 1);
    const registry = new Registry();
    const events = new EventRecorder({ store: new MemoryEventStore(), provider: 'local' });
    const slo = new SloEngine({ registry, events, provider: 'local', now: () => now });
    for (let i = 0; i < 19; i++) slo.tracker.recordQueueWait(2);
    slo.tracker.recordQueueWait(200); // 1 in 20 slower than 60 s: exactly the 5 % a P95 allows
    for (let i = 0; i < 18; i++) slo.tracker.recordScheduleStart(0.4);
    slo.tracker.recordScheduleMissed(2); // 2 of 20 ticks never started: 10 % late

    let text = await registry.metrics();
    expect(series(text, 'hodei_slo_compliant{slo="queue_wait_time"}')).toBe(1);
    expect(series(text, 'hodei_slo_burn_rate{slo="queue_wait_time"}')).toBeCloseTo(1, 10);
    expect(series(text, 'hodei_slo_compliant{slo="schedule_punctuality"}')).toBe(0);
    expect(series(text, 'hodei_slo_burn_rate{slo="schedule_punctuality"}')).toBeCloseTo(2, 10);
    expect(series(text, 'hodei_sli_value{sli="schedule_ticks_missed_window"}')).toBe(2);
    // P95 rank 19 of 20 falls in (1, 2.5]: interpolated like histogram_quantile().
    expect(series(text, 'hodei_sli_value{sli="queue_wait_time_seconds"}')).toBeCloseTo(2.5, 10);
    // The missed ticks sit in +Inf: the P95 answers with the highest finite bound, as PromQL does.
    expect(series(text, 'hodei_sli_value{sli="schedule_start_delay_seconds"}')).toBe(600);
    const r = slo.report();
    expect(r.violations.map((v) => v.message)).toEqual(['schedule_punctuality: P95 600.00 s > target 60.00 s (2 ticks missed)']);
    expect(r.slos.find((s) => s.slo === 'schedule_punctuality')).toMatchObject({ total: 20, bad: 2, compliant: false });

    slo.tracker.recordQueueWait(200); // 2 of 21 slow: the P95 crosses the target
    text = await registry.metrics();
    expect(series(text, 'hodei_slo_compliant{slo="queue_wait_time"}')).toBe(0);
    const violated = (await events.query({ limit: 10 })).filter((e) => e.event_type === 'slo.violated').map((e) => e.details.slo).sort();
    expect(violated).toEqual(['queue_wait_time', 'schedule_punctuality']);
  });
});
