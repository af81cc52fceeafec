// `since` as an ISO-8601 time or a duration back from now ("90s", "10m", "2h", "7d").
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** Returns the Date meant by `since`, or null when it is neither a duration nor a timestamp. */
export function parseSince(since: string, now: number = Date.now()): Date | null {
  const d = /^(\d+)([smhd])$/.exec(since.trim());
  if (d) return new Date(now - Number(d[1]) * (UNITS[d[2] ?? 's'] ?? 1000));
  if (!/^\d{4}-\d{2}-\d{2}/.test(since)) return null;
  const t = Date.parse(since);
  return Number.isNaN(t) ? null : new Date(t);
}
