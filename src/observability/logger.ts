// Structured JSON logs (pino); the logger is the only one used. What reaches a line is decided
// here, before pino sees it:
// - an Error (anywhere in the logged object) is reduced to an allow-list: type, code, a sanitised
//   message, the stack frames, and the same for its cause. A driver error's `parameters`, `where`,
//   `detail`, `query`, `params` (which carry the row: every secret of a job) never pass.
// - keys that hold credentials or anything derived from a job spec (env, secrets, args, command,
//   spec) are censored wherever they appear in plain objects.
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const CENSORED = '[REDACTED]';

/** Keys (compared lower-case) whose values never reach a log line. */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'secrets', 'secret', 'env', 'args', 'command', 'spec', 'token', 'sessiontoken', 'apitoken', 'authorization', 'password',
  'hodei_worker_token', 'databaseurl', 'parameters', 'params', 'where', 'detail',
]);

const MAX_DEPTH = 6;
const MAX_MESSAGE = 500;

/**
 * A message without what may be data: quoted substrings (pg: `invalid input syntax for type uuid:
 * "…"`; JSON.parse quotes the input) become "…", control characters go, length is bounded.
 */
export function sanitizeMessage(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .slice(0, MAX_MESSAGE);
}

export interface SafeError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: SafeError;
}

/** The allow-listed view of an error. */
export function safeError(err: Error, depth = 0): SafeError {
  const code = (err as { code?: unknown }).code;
  const message = sanitizeMessage(err.message ?? '');
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
  const out: SafeError = { type: err.constructor?.name || err.name || 'Error', message };
  if ((typeof code === 'string' && code.length <= 64) || typeof code === 'number') out.code = code;
  if (frames) out.stack = `${out.type}: ${message}\n${frames}`;
  if (err.cause instanceof Error && depth < 3) out.cause = safeError(err.cause, depth + 1);
  return out;
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** A copy of `value` that is safe to log (see the header). Class instances other than errors pass as they are (serializers handle req/res). */
export function sanitizeLogValue(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return safeError(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[depth limit]';
  if (Array.isArray(value)) return value.map((v) => sanitizeLogValue(v, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if (SENSITIVE_KEYS.has(key)) out[k] = CENSORED;
    else if ((key === 'err' || key === 'error') && typeof v === 'string') out[k] = sanitizeMessage(v);
    else out[k] = sanitizeLogValue(v, depth + 1);
  }
  return out;
}

/** `format`: json lines, or pino-pretty for people (default: pretty when stdout is a terminal). */
export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream; format?: 'json' | 'pretty' } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.HODEI_LOG_LEVEL ?? 'info',
    base: { name: opts.name ?? 'hodei' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // pino's own err serializer would re-type the allow-listed object as "Object".
    serializers: { err: (e: unknown) => (e instanceof Error ? safeError(e) : e) },
    hooks: {
      // Every call, on this logger and its children: `log.error(err)`, `log.warn({ err, ... }, msg)`.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (first instanceof Error) {
          const err = safeError(first);
          const msg = typeof rest[0] === 'string' ? rest : [err.message, ...rest];
          return method.apply(this, [{ err }, ...msg] as Parameters<typeof method>);
        }
        if (typeof first === 'object' && first !== null) {
          return method.apply(this, [sanitizeLogValue(first), ...rest] as Parameters<typeof method>);
        }
        return method.apply(this, args);
      },
    },
  };
  const format = opts.format ?? (process.env.HODEI_LOG_FORMAT === 'json' || process.env.HODEI_LOG_FORMAT === 'pretty' ? process.env.HODEI_LOG_FORMAT : undefined)
    ?? (!opts.destination && process.stdout.isTTY ? 'pretty' : 'json');
  const out = opts.destination ?? process.stdout;
  if (format === 'pretty') return pino(options, pretty({ destination: out, colorize: out === process.stdout && process.stdout.isTTY, sync: true }));
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (tests, library users who bring none). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
