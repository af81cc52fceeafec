import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from './errors.js';
import { isStoreUnavailable } from './store-unavailable.js';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it.each([
    ['ECONNREFUSED', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['57P01', withCode('terminating connection due to administrator command', '57P01')],
    ['57P03', withCode('the database system is starting up', '57P03')],
    ['08006', withCode('connection failure', '08006')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['pg terminated', new Error('Connection terminated unexpectedly')],
    ['pool ended', new Error('Cannot use a pool after calling end on the pool')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['PGlite closed', new Error('PGlite is closed')],
    ['happy eyeballs', new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ETIMEDOUT')], '')],
    ['a cause', new Error('query failed', { cause: withCode('x', 'ECONNRESET') })],
    ['our own class', new StoreUnavailableError()],
  ])('recognises %s', (_name, err) => {
    expect(isStoreUnavailable(err)).toBe(true);
  });

  it.each([
    ['a NUL in jsonb', withCode('unsupported Unicode escape sequence', '22P05')],
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a plain bug', new TypeError('x is undefined')],
    ['a mixed aggregate', new AggregateError([withCode('a', 'ECONNREFUSED'), new Error('other')], '')],
    ['not an object', 'ECONNREFUSED'],
  ])('does not take %s for an outage', (_name, err) => {
    expect(isStoreUnavailable(err)).toBe(false);
  });
});
