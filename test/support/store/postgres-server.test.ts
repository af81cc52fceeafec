// The test PostgreSQL must fail loudly, with the server's own words, when it cannot start.
import { describe, expect, it } from 'vitest';
import { startTestPostgres } from './postgres-server.js';

describe('test PostgreSQL', () => {
  it('reports why the server did not start', async () => {
    await expect(startTestPostgres(['-c', 'no_such_setting=1']))
      .rejects.toThrow(/embedded PostgreSQL failed to start[\s\S]*no_such_setting/);
  });
});
