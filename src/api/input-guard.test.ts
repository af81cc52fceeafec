import { describe, expect, it } from 'vitest';
import { findUnstorable, isStorable } from './input-guard.js';

describe('findUnstorable', () => {
  it('accepts ordinary text, emoji (paired surrogates) and U+FFFD', () => {
    expect(findUnstorable({ command: 'echo', args: ['héllo', '😀', '\ufffd'], env: { A: 'b' } })).toBeNull();
    expect(isStorable('\ud83d\ude00')).toBe(true);
  });

  it.each([
    [{ command: 'a\u0000' }, 'command'],
    [{ args: ['ok', 'x\ud800'] }, 'args[1]'],
    [{ secrets: { KEY: '\udc00x' } }, 'secrets.KEY'],
    [{ env: { ['A\u0000']: 'x' } }, 'env.(key)'],
    [{ egress: [{ cidr: '10.0.0.0/8' }, { cidr: '\u0000' }] }, 'egress[1].cidr'],
    ['\ud800', '(root)'],
  ])('names the field of %j', (value, field) => {
    expect(findUnstorable(value)).toBe(field);
  });

  it('walks a deeply nested value without exhausting the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(findUnstorable(deep)).toMatch(/^\[0\]/);
  });
});
