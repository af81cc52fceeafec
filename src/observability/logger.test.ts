import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger, sanitizeMessage } from './logger.js';

function capture(): { log: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>>; text: () => string } {
  let text = '';
  const destination = new Writable({ write(chunk: Buffer, _e, cb) { text += chunk.toString(); cb(); } });
  const log = createLogger({ level: 'debug', destination });
  return { log, text: () => text, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** What pg raises for a NUL in a jsonb parameter, with the fields that carry the row. */
function driverError(secret: string): Error {
  const err = new pg.DatabaseError('unsupported Unicode escape sequence', 0, 'error');
  Object.assign(err, {
    code: '22P05', severity: 'ERROR', detail: '\\u0000 cannot be converted to text.',
    where: `JSON data, line 1: {"API_KEY":"${secret}","BROKEN":"a\\u0000...`,
    parameters: ['id', { API_KEY: secret }], query: `INSERT ... '${secret}'`, params: [secret],
  });
  return err;
}

describe('createLogger', () => {
  it('logs only the allow-listed fields of a driver error, wherever it is', () => {
    const c = capture();
    const secret = 'S3CR3T-marker-1';
    c.log.error({ err: driverError(secret) }, 'unhandled error');
    c.log.warn({ nested: { error: driverError(secret) } }, 'nested');
    c.log.error(driverError(secret));
    c.log.child({ component: 'api' }).error({ err: new Error('wrapped', { cause: driverError(secret) }) }, 'with cause');
    expect(c.text()).not.toContain(secret);
    const [first] = c.lines();
    expect(Object.keys(first?.err as object).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(first?.err).toMatchObject({ type: 'DatabaseError', code: '22P05', message: 'unsupported Unicode escape sequence' });
    expect(c.lines()[3]?.err).toMatchObject({ message: 'wrapped', cause: { code: '22P05' } });
  });

  it('censors what derives from a job spec and credentials, at any depth', () => {
    const c = capture();
    c.log.info({ jobId: 'j1', command: 'curl -H secret1', job: { spec: { env: { A: 'secret2' } }, args: ['secret3'] }, Authorization: 'Bearer secret4' }, 'x');
    expect(c.text()).not.toMatch(/secret[1-4]/);
    expect(c.lines()[0]).toMatchObject({ jobId: 'j1', command: '[REDACTED]', job: { spec: '[REDACTED]', args: '[REDACTED]' } });
  });

  it('strips quoted data from messages', () => {
    expect(sanitizeMessage('invalid input syntax for type uuid: "abc\\"def"')).toBe('invalid input syntax for type uuid: "…"');
    expect(sanitizeMessage('Unexpected token \'a\', "hunter2 is"... is not valid JSON')).not.toContain('hunter2');
  });
});
