import { expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';

it.each([['90s', 90_000], ['10m', 600_000], ['2h', 7_200_000], ['7d', 604_800_000], ['1.5h', 5_400_000], [' 30m ', 1_800_000], ['1h30m', 5_400_000], ['2d12h', 216_000_000]])('%s → %i ms', (t, v) => {
  expect(parseDurationMs(t)).toBe(v);
});

it.each(['60', 'yesterday', '-1h', '0s', '', '2026-01-01', '1h30', '1h 30m', '5parsecs'])('refuses %j', (t) => {
  expect(parseDurationMs(t)).toBeNull();
});
