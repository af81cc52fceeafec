import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('list cursor', () => {
  it('round-trips a position through an opaque base64url string', () => {
    const pos = { createdAt: '2026-01-01T00:00:00.123Z', id: 'job/with?odd=chars' };
    const c = encodeCursor(pos);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual(pos);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['bad time', Buffer.from('["2026-13-01","x"]').toString('base64url')],
    ['empty id', Buffer.from('["2026-01-01T00:00:00.000Z",""]').toString('base64url')],
    ['too long', 'a'.repeat(2000)],
  ])('rejects %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(ValidationError);
  });
});
