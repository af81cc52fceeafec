// Secrets never reach an event: keys that name a secret are dropped, values equal to (or holding) a
// known secret are redacted, URL credentials are stripped, and size is bounded.

const SECRET_KEY = /(^|_|-|\.)(env|environment)$|token|secret|passw|authorization|credential|api_?key|private_?key|cookie|session/i;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const MIN_SECRET_LENGTH = 6;
const MAX_STRING = 2000;
const MAX_DEPTH = 5;
const MAX_KEYS = 50;
export const REDACTED = '[REDACTED]';

/** True when a details key looks like it holds a secret (it is dropped with its value). */
const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

export function scrubString(value: string, secrets: readonly string[]): string {
  let v = value.replace(URL_USERINFO, `$1${REDACTED}@`);
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH && v.includes(s)) v = v.split(s).join(REDACTED);
  return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
}

/** A scrubbed deep copy of `details`, JSON-safe (no functions, no cycles, bounded). */
export function scrubDetails(details: Record<string, unknown> | undefined, secrets: readonly string[]): Record<string, unknown> {
  const out = scrubValue(details ?? {}, secrets, 0);
  return out && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
}

function scrubValue(v: unknown, secrets: readonly string[], depth: number): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return scrubString(v, secrets);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object' || depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(v)) return v.slice(0, MAX_KEYS).map((x) => scrubValue(x, secrets, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (isSecretKey(k)) continue;
    if (++n > MAX_KEYS) break;
    const s = scrubValue(x, secrets, depth + 1);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
