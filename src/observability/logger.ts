// Structured JSON logs (pino). Secrets are redacted by path and the logger is the only one used.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths pino replaces with "[REDACTED]" wherever they appear in a log object. */
const REDACT_PATHS = [
  'secrets', '*.secrets', '*.*.secrets', 'token', '*.token', 'sessionToken', '*.sessionToken',
  'env', '*.env', '*.*.env', 'authorization', '*.authorization', 'req.headers.authorization',
  'password', '*.password', 'HODEI_WORKER_TOKEN', '*.HODEI_WORKER_TOKEN',
];

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.HODEI_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { name: opts.name ?? 'hodei' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (tests, library users who bring none). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
