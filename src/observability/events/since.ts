// `since` as an ISO-8601 time or a duration back from now ("90s", "10m", "2h", "7d"), read by the
// project's one duration parser.
import { parseDurationMs } from '../../util/duration.js';

/** Returns the Date meant by `since`, or null when it is neither a duration nor a timestamp. */
export function parseSince(since: string, now: number = Date.now()): Date | null {
  const d = parseDurationMs(since);
  if (d !== null) return new Date(now - d);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since)) return null;
  const t = Date.parse(since);
  return Number.isNaN(t) ? null : new Date(t);
}
