import { afterEach, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff.js';

afterEach(() => { vi.restoreAllMocks(); });

it('doubles from the base up to the cap, jittered within [d/2, d]', () => {
  vi.spyOn(Math, 'random').mockReturnValue(0.9999999);
  expect([0, 1, 2, 3, 20, 1000].map((a) => backoffDelay(a, 100, 5_000))).toEqual([99, 199, 399, 799, 4999, 4999]);
  vi.spyOn(Math, 'random').mockReturnValue(0);
  expect([0, 3, 20].map((a) => backoffDelay(a, 100, 5_000))).toEqual([50, 400, 2500]);
});

it('spreads a fleet: many draws of one attempt are not all equal', () => {
  const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(4, 250, 5_000)));
  expect(draws.size).toBeGreaterThan(10);
  for (const d of draws) expect(d >= 2000 && d <= 4000).toBe(true);
});

