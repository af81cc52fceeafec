// Structured JSON logs (pino). Secrets are redacted by path and the logger is the only one used.
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Paths pino replaces with "[REDACTED]" wherever they appear in a log object. */
export const REDACT_PATHS = [
  'secrets', '*.secrets', '*.*.secrets', 'token', '*.token', 'sessionToken', '*.sessionToken',
  'env', '*.env', '*.*.env', 'authorization', '*.authorization', 'req.headers.authorization',
  'password', '*.password', 'HODEI_WORKER_TOKEN', '*.HODEI_WORKER_TOKEN',
];

/** `format`: json lines, or pino-pretty for people (default: pretty when stdout is a terminal). */
export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream; format?: 'json' | 'pretty' } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.HODEI_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { name: opts.name ?? 'hodei' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const format = opts.format ?? (process.env.HODEI_LOG_FORMAT === 'json' || process.env.HODEI_LOG_FORMAT === 'pretty' ? process.env.HODEI_LOG_FORMAT : undefined)
    ?? (!opts.destination && process.stdout.isTTY ? 'pretty' : 'json');
  const out = opts.destination ?? process.stdout;
  if (format === 'pretty') return pino(options, pretty({ destination: out, colorize: out === process.stdout && process.stdout.isTTY, sync: true }));
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (tests, library users who bring none). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
