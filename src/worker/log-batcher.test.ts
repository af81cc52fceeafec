import { describe, expect, it } from 'vitest';
import { LogBatcher, type LogBatch } from './log-batcher.js';
import { Redactor } from './redact.js';

function batcher(opts: { maxBatchBytes?: number; window?: number } = {}) {
  const batches: LogBatch[] = [];
  const events: string[] = [];
  const b = new LogBatcher({
    flushMs: 60_000, ...opts,
    onBatch: (x) => batches.push(x), onPause: () => events.push('pause'), onResume: () => events.push('resume'),
  });
  return { b, batches, events };
}

describe('LogBatcher', () => {
  it('flushes by size, merges consecutive output of one stream, and numbers batches from 1', () => {
    const { b, batches } = batcher({ maxBatchBytes: 10 });
    b.push('stdout', Buffer.from('abc'));
    b.push('stdout', Buffer.from('def'));
    b.push('stderr', Buffer.from('ghijkl'));
    expect(batches).toEqual([{ seq: 1, entries: [{ stream: 'stdout', data: 'abcdef' }, { stream: 'stderr', data: 'ghij' }] }]);
    b.end();
    expect(batches[1]).toEqual({ seq: 2, entries: [{ stream: 'stderr', data: 'kl' }] });
  });

  it('never splits a multi-byte character across entries', () => {
    const { b, batches } = batcher({ maxBatchBytes: 3 });
    b.push('stdout', Buffer.from('aé€b'));
    b.end();
    expect(batches.flatMap((x) => x.entries.map((e) => e.data)).join('')).toBe('aé€b');
    expect(batches.flatMap((x) => x.entries).every((e) => !e.data.includes('\uFFFD'))).toBe(true);
  });

  it('pauses while the window of unacknowledged batches is full and resumes on ack', () => {
    const { b, batches, events } = batcher({ maxBatchBytes: 1, window: 2 });
    b.push('stdout', Buffer.from('a'));
    expect(events).toEqual([]);
    b.push('stdout', Buffer.from('b'));
    expect(events).toEqual(['pause']);
    b.ack(1);
    expect(events).toEqual(['pause', 'resume']);
    expect(b.pending.map((x) => x.seq)).toEqual([2]);
    expect(batches).toHaveLength(2);
  });
});


describe('Redactor', () => {
  it('replaces every occurrence of every secret, longest first, deeply', () => {
    const r = new Redactor();
    r.addFixed('tok');
    r.setJobSecrets(['abc', 'abcdef']);
    expect(r.redact('x abcdef y abc tok')).toBe('x [REDACTED] y [REDACTED] [REDACTED]');
    expect(r.redactDeep({ a: ['abc'], b: { c: 'tok!' }, n: 1 })).toEqual({ a: ['[REDACTED]'], b: { c: '[REDACTED]!' }, n: 1 });
    r.setJobSecrets([]);
    expect(r.redact('abc tok')).toBe('abc [REDACTED]');
  });
});
