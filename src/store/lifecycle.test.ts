// Migrations and restarts: what a control plane relies on when it starts.
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from './migrate.js';
import type { Store } from './store.js';
import { at, newJob } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, freshDatabase } from '../../test/support/store/fresh.js';

describe('migrations on disk', () => {
  it('are numbered upwards without duplicates and include the events table', () => {
    const list = loadMigrations();
    const versions = list.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(list.map((m) => m.name).slice(0, 2)).toEqual(['init', 'events']);
    expect(list[1]?.sql).toContain('CREATE TABLE events');
  });
});

describe.each(TEST_ENGINES)('lifecycle on %s', (engine) => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('keeps queued and running jobs across a restart, and re-migrating is a no-op', async () => {
    const db = await freshDatabase(engine);
    const before = await db.open();
    await before.insertJob(newJob('waiting', 0, { secrets: { K: 'v' } }));
    await before.insertJob(newJob('busy', 1));
    await before.transitionJob('busy', ['queued'], 'assigned', { workerId: 'w1' }, { now: at(2) });
    await before.transitionJob('busy', ['assigned'], 'running', {}, { now: at(3) });
    await before.appendLogs('busy', 1, [{ stream: 'stdout', data: 'hello' }]);
    const busy = await before.getJob('busy');
    await before.close();

    const after = await db.open(); // migrates again
    opened.push(after);
    await after.migrate();
    expect((await after.jobsInStates(['queued', 'running'])).map((j) => [j.id, j.state]))
      .toEqual([['waiting', 'queued'], ['busy', 'running']]);
    expect(await after.getJob('busy')).toEqual(busy);
    expect(await after.getJobSecrets('waiting')).toEqual({ K: 'v' });
    expect((await after.readLogs('busy', 0, 10)).map((e) => e.data)).toEqual(['hello']);
  });

  if (engine === 'postgres') {
    it('migrates an empty database from several replicas at once', async () => {
      const db = await freshDatabase(engine, { migrated: false });
      const stores = await Promise.all(Array.from({ length: 4 }, () => db.open({ migrate: false, poolSize: 2 })));
      opened.push(...stores);
      await Promise.all(stores.map((s) => s.migrate()));
      for (const s of stores) await s.insertJob(newJob(`from-${opened.indexOf(s)}`));
      const [first] = stores;
      expect((await first?.countJobsByState())?.queued).toBe(4);
    });
  }
});
