// Parameter patterns are matched by RE2 (linear time): a pattern that backtracks exponentially in
// JavaScript's engine answers at once instead of freezing the control plane.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import { renderTemplate } from './render.js';

const record = (pattern: string) => ({
  name: 'r', version: 1, createdAt: new Date().toISOString(),
  job: { command: 'echo', args: ['{{p}}'], env: {}, labels: {}, resources: {}, retries: 0 }, parameters: [{ name: 'p', pattern }],
});

describe('template parameter patterns', () => {
  it('match the whole value', () => {
    expect(renderTemplate(record('[a-z]+') as never, { p: 'abc' }).job.args).toEqual(['abc']);
    expect(() => renderTemplate(record('[a-z]+') as never, { p: 'abc1' })).toThrow(ValidationError);
  });

  it('refuse a value for an exponential-backtracking pattern without backtracking', () => {
    // With RegExp('^(?:(a+)+)$') this value takes longer than the age of the universe.
    expect(() => renderTemplate(record('(a+)+') as never, { p: `${'a'.repeat(50_000)}!` })).toThrow(/params\.p: must match/);
  });
});
