// The one duration parser for flags, settings and API parameters ("90s", "10m", "2h", "7d", "1.5h",
// "1h30m"), on top of the `ms` library: each part is read by `ms`, parts add up. A unit is
// required: a bare "60" is ambiguous (seconds? ms?) and refused.
import ms from 'ms';

const PART = /(\d+(?:\.\d+)?)([a-z]+)/gi;

/** Milliseconds of a duration with a unit, or null when `text` is not one (or not positive). */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?[a-z]+)+$/i.test(t)) return null;
  let total = 0;
  for (const [, n, unit] of t.matchAll(PART)) {
    const v = ms(`${n}${unit}` as ms.StringValue);
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    total += v;
  }
  return total > 0 ? total : null;
}
