// Control-plane SIGKILL rounds with the local provider on each store (see rounds.ts): nothing
// lost, nothing run twice, nothing stuck, no worker process left behind.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, TEST_ENGINES } from '../support/store/fresh.js';
import { crashRound, JOBS, leftoverProcesses, ROUNDS } from './rounds.js';

describe.each(TEST_ENGINES)('control plane SIGKILL rounds, local provider, %s', (engine) => {
  it(`${ROUNDS} round(s) of ${JOBS} jobs: none lost, run twice, stuck or orphaned`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const db = await freshDatabase(engine);
      const mark = randomUUID();
      const dataDir = engine === 'pglite' ? db.location : mkdtempSync(join(tmpdir(), 'hodei-chaos-'));
      const f = await crashRound({
        name: `local/${engine}`, args: ['--data-dir', dataDir],
        env: { HODEI_CHAOS_MARK: mark, ...(engine === 'postgres' ? { HODEI_DATABASE_URL: db.location } : {}) },
        orphans: () => leftoverProcesses(mark),
      }, round);
      expect(f).toMatchObject({ lost: 0, runTwice: 0, stuck: 0, orphans: 0 });
    }
  }, 60_000 + ROUNDS * (90_000 + JOBS * 1000));
});
