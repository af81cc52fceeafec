import { describe, expect, it } from 'vitest';
import type { HodeiEvent } from './events/types.js';
import { RecentSamples, type SampleReading } from './recent-samples.js';

const reading = (n: number): SampleReading => ({ activeWorkers: n, jobsQueued: n, jobsRunning: 0, podCreationP95Seconds: 0, apiErrorRate: 0 });
const ev = (type: string): HodeiEvent => ({ timestamp: '', event_type: type, provider: 'local', worker_id: null, namespace: null, duration_ms: null, success: true, details: {} });

describe('RecentSamples', () => {
  it('keeps only the window, oldest first', async () => {
    let now = 1_000_000;
    let n = 0;
    const r = new RecentSamples({ read: async () => reading(n++), intervalMs: 5000, windowSeconds: 15, now: () => now });
    for (let i = 0; i < 5; i++) {
      await r.sample();
      now += 5000;
    }
    const s = r.series();
    expect(s).toMatchObject({ intervalSeconds: 5, windowSeconds: 15 });
    expect(s.samples.map((x) => x.activeWorkers)).toEqual([2, 3, 4]);
    expect(s.samples[0]?.at).toBe(new Date(1_010_000).toISOString());
  });

  it('turns worker.created events between samples into a per-minute rate', async () => {
    let now = 0;
    let emit: (e: HodeiEvent) => void = () => undefined;
    const r = new RecentSamples({
      read: async () => reading(0), intervalMs: 10_000, now: () => now,
      subscribe: (fn) => { emit = fn; return () => { emit = () => undefined; }; },
    });
    r.start();
    await r.sample();
    for (let i = 0; i < 3; i++) emit(ev('worker.created'));
    emit(ev('worker.deleted'));
    now += 30_000;
    await r.sample();
    await r.stop();
    emit(ev('worker.created'));
    expect(r.series().samples.at(-1)?.workersCreatedPerMinute).toBe(6);
  });

  it('skips a sample whose read fails and reports the error', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const r = new RecentSamples({ read: async () => { if (fail) throw new Error('store down'); return reading(1); }, onError: (e) => errors.push(e) });
    await r.sample();
    fail = false;
    await r.sample();
    expect(errors).toHaveLength(1);
    expect(r.series().samples).toHaveLength(1);
  });
});
