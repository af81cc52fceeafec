// Cron expressions through croner: standard 5 fields, an optional leading seconds field, @hourly
// style macros, IANA time zones with DST handled by the library.
import { Cron } from 'croner';
import { ValidationError } from '../errors/errors.js';

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** A parsed schedule expression; throws a ValidationError naming `cron` or `timezone`. */
export function parseCron(expr: string, timezone: string): Cron {
  const trimmed = expr.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!MACROS.has(trimmed) && fields !== 5 && fields !== 6) {
    throw new ValidationError(`cron: must have 5 fields (minute hour day month weekday), 6 with leading seconds, or be a macro like @hourly; got '${expr.slice(0, 80)}'`, { field: 'cron' });
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ValidationError(`timezone: '${timezone.slice(0, 60)}' is not an IANA time zone (like Europe/Madrid or UTC)`, { field: 'timezone' });
  }
  try {
    return new Cron(trimmed, { timezone, paused: true });
  } catch (err) {
    throw new ValidationError(`cron: ${(err as Error).message}`, { field: 'cron' });
  }
}

/** Ticks after `after` up to and including `until`, oldest first, at most `max`. */
export function ticksBetween(cron: Cron, after: Date, until: Date, max: number): Date[] {
  const out: Date[] = [];
  let t = cron.nextRun(after);
  while (t && t <= until && out.length < max) {
    out.push(t);
    t = cron.nextRun(t);
  }
  return out;
}
