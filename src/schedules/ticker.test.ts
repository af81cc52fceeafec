// Schedule firing with an injected clock, on both stores: deadlines, missed ticks, concurrency
// policies, exactly once with two tickers, DST through croner.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobService } from '../jobs/service.js';
import { createLogger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from '../../test/support/store/fresh.js';
import { parseCron, ticksBetween } from './cron.js';
import { ScheduleService } from './service.js';
import { ScheduleTicker } from './ticker.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const job = { command: 'true', args: [], env: {}, resources: {}, retries: 0, labels: {} };

describe('cron', () => {
  it('reads 5 and 6 fields, macros and zones, and handles DST in the zone', () => {
    const madrid = parseCron('30 2 * * *', 'Europe/Madrid');
    // 2026-03-29: clocks jump 02:00 → 03:00 in Madrid; the 02:30 run happens once, at 03:00 local.
    const ticks = ticksBetween(madrid, new Date('2026-03-28T00:00:00Z'), new Date('2026-03-31T00:00:00Z'), 10);
    expect(ticks.map((t) => t.toISOString())).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(ticksBetween(parseCron('*/20 * * * * *', 'UTC'), new Date(T0), new Date(T0 + 60_000), 10)).toHaveLength(3);
    expect(parseCron('@hourly', 'UTC').nextRun(new Date(T0))?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(() => parseCron('* * *', 'UTC')).toThrow(/cron: must have 5 fields/);
    expect(() => parseCron('* * * * *', 'Mars/Olympus')).toThrow(/timezone: 'Mars\/Olympus' is not an IANA time zone/);
    expect(() => parseCron('61 * * * *', 'UTC')).toThrow(/^cron: /);
  });
});

describe.each(TEST_ENGINES)('schedule ticker on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  let clock = T0;
  const now = (): Date => new Date(clock);
  const log = createLogger({ level: 'silent' });
  let jobs: JobService;
  let service: ScheduleService;
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => {
    await db.reset();
    clock = T0;
    jobs = new JobService(store, log, now);
    service = new ScheduleService(store, now);
  });
  afterAll(async () => { await db?.store.close(); });
  const ticker = (): ScheduleTicker => new ScheduleTicker(jobs, log, 250, now);
  const runs = async (name: string) => (await store.scheduleRuns(name, 100)).reverse().map((r) => [new Date(r.tick).getTime() - T0, r.result]);

  it('fires on time, records ticks past the starting deadline as missed, never runs them late', async () => {
    await service.create({ name: 'every-minute', cron: '* * * * *', job, startingDeadlineSeconds: 30 });
    const t = ticker();
    clock = T0 + 60_000 + 500;
    await t.tick();
    clock = T0 + 4 * 60_000 + 5_000; // down for three ticks: two are past their deadline
    await t.tick();
    expect(await runs('every-minute')).toEqual([[60_000, 'triggered'], [120_000, 'missed'], [180_000, 'missed'], [240_000, 'triggered']]);
    const view = await service.get('every-minute');
    expect(view).toMatchObject({ lastResult: 'queued', nextRun: new Date(T0 + 5 * 60_000).toISOString() });
    const made = await jobs.list({ limit: 10, labels: { 'hodei.io/schedule': 'every-minute' } });
    expect(made.jobs.map((j) => j.spec.labels['hodei.io/schedule-tick']).sort()).toEqual([String((T0 + 60_000) / 1000), String((T0 + 240_000) / 1000)]);
  });

  it('without a deadline runs only the latest late tick', async () => {
    await service.create({ name: 'nodeadline', cron: '* * * * *', job });
    clock = T0 + 3 * 60_000 + 1_000;
    await ticker().tick();
    expect(await runs('nodeadline')).toEqual([[60_000, 'missed'], [120_000, 'missed'], [180_000, 'triggered']]);
  });

  it('Forbid holds a tick while the previous run is unfinished, then records it missed; Replace cancels it', async () => {
    await service.create({ name: 'forbid', cron: '* * * * *', job, concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 20 });
    const t = ticker();
    clock = T0 + 60_000;
    await t.tick();
    clock = T0 + 120_000 + 5_000;
    await t.tick(); // previous run still queued: held
    expect(await runs('forbid')).toEqual([[60_000, 'triggered']]);
    clock = T0 + 120_000 + 21_000;
    await t.tick();
    const [missed] = await store.scheduleRuns('forbid', 1);
    expect(missed).toMatchObject({ result: 'missed', reason: expect.stringMatching(/^Forbid: run .+ still active$/) });

    await service.patch('forbid', { concurrencyPolicy: 'Replace' });
    clock = T0 + 180_000;
    await t.tick();
    const [replaced, , first] = await store.scheduleRuns('forbid', 3);
    expect(replaced).toMatchObject({ result: 'triggered', jobState: 'queued' });
    expect(first).toMatchObject({ result: 'triggered', jobState: 'cancelled' });
  });

  it('fires each tick once when two tickers race', async () => {
    await service.create({ name: 'race', cron: '* * * * * *', job, startingDeadlineSeconds: 60 });
    for (let i = 1; i <= 5; i++) {
      clock = T0 + i * 1000;
      await Promise.all([ticker().tick(), ticker().tick(), ticker().tick()]);
    }
    expect(await runs('race')).toEqual([1, 2, 3, 4, 5].map((s) => [s * 1000, 'triggered']));
    expect((await jobs.list({ limit: 100, labels: { 'hodei.io/schedule': 'race' } })).jobs).toHaveLength(5);
  });

  it('skips a suspended schedule and keeps the newest finished jobs within the history limits', async () => {
    await service.create({ name: 'hist', cron: '* * * * * *', job, startingDeadlineSeconds: 60, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
    const t = ticker();
    for (let i = 1; i <= 3; i++) {
      clock = T0 + i * 1000;
      await t.tick();
      const [run] = await store.scheduleRuns('hist', 1);
      await store.transitionJob(run?.jobId ?? '', ['queued'], 'cancelled'); // finished, not succeeded
    }
    clock = T0 + 4000;
    await t.tick();
    // Failed limit 0: every earlier cancelled run's job was deleted; the newest (queued) stays.
    expect((await jobs.list({ limit: 10, labels: { 'hodei.io/schedule': 'hist' } })).jobs.map((j) => j.state)).toEqual(['queued']);
    await service.patch('hist', { suspend: true });
    clock = T0 + 10_000;
    await t.tick();
    expect(await runs('hist')).toHaveLength(4);
    expect((await service.get('hist')).nextRun).toBeNull();
  });
});
