// "unknown setting 'prot' (did you mean 'port'?)" for config files: a misspelt key is an error,
// never silently ignored.
import { closest, distance } from 'fastest-levenshtein';
import { ConfigError } from '../errors/errors.js';

/** The known name closest to `name`, when it is close enough to be a likely typo. */
export function suggest(name: string, known: readonly string[]): string | null {
  if (known.length === 0) return null;
  const best = closest(name, [...known]);
  return distance(name.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/** Throws a ConfigError naming the first key of `doc` not in `known`, with a suggestion. */
export function rejectUnknownKeys(doc: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(doc)) {
    if (known.includes(key)) continue;
    const hint = suggest(key, known);
    throw new ConfigError(where, `unknown setting '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
}
