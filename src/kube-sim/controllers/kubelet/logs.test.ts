// Container logs: whole text, tailLines, timestamps, and follow until the container ends.
import { describe, expect, it } from 'vitest';
import { ContainerLog } from './logs.js';

describe('ContainerLog', () => {
  it('serves the whole log, a tail, and timestamped lines', () => {
    let now = Date.parse('2026-01-02T03:04:05.678Z');
    const log = new ContainerLog(() => now);
    log.append('one\ntw');
    now += 1000;
    log.append('o\nthree\n');
    expect(log.read({ follow: false, timestamps: false })).toBe('one\ntwo\nthree\n');
    expect(log.read({ follow: false, timestamps: false, tailLines: 2 })).toBe('two\nthree\n');
    expect(log.read({ follow: false, timestamps: true, tailLines: 1 })).toBe('2026-01-02T03:04:06.678000000Z three\n');
  });

  it('follow yields what exists, then new lines, and ends with the container', async () => {
    const log = new ContainerLog();
    log.append('a\n');
    const stream = log.read({ follow: true, timestamps: false });
    expect(typeof stream).not.toBe('string');
    const got: string[] = [];
    const done = (async () => { for await (const chunk of stream as AsyncIterable<string>) got.push(chunk); })();
    await new Promise((r) => setTimeout(r, 10));
    log.append('b\nc');
    await new Promise((r) => setTimeout(r, 10));
    log.end();
    await done;
    expect(got.join('')).toBe('a\nb\nc');
  });
});
