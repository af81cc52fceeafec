// The one duration parser for flags and settings ("90s", "10m", "2h", "7d", "1.5h"), on top of
// the `ms` library. A unit is required: a bare "60" is ambiguous (seconds? ms?) and refused.
import ms from 'ms';

/** Milliseconds of a duration with a unit, or null when `text` is not one (or not positive). */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(t)) return null;
  const v = ms(t as ms.StringValue);
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}
