// Error classes with stable codes, mapped to HTTP status in one place (api/errors.ts).

export type ErrorCode =
  | 'VALIDATION_FAILED' | 'UNAUTHORIZED' | 'JOB_NOT_FOUND' | 'WORKER_NOT_FOUND' | 'NOT_FOUND'
  | 'CONFLICT' | 'ILLEGAL_TRANSITION' | 'PAYLOAD_TOO_LARGE' | 'CONFIG_INVALID' | 'PROVIDER_ERROR'
  | 'STORE_UNAVAILABLE' | 'IDEMPOTENCY_KEY_REUSED' | 'SCHEDULE_NOT_FOUND' | 'TEMPLATE_NOT_FOUND' | 'INTERNAL';

export class HodeiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HodeiError';
  }
}

export class ValidationError extends HodeiError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('VALIDATION_FAILED', message, details);
  }
}

export class NotFoundError extends HodeiError {
  constructor(kind: 'job' | 'worker', id: string) {
    super(kind === 'job' ? 'JOB_NOT_FOUND' : 'WORKER_NOT_FOUND', `${kind} '${id}' not found`, { id });
  }
}

export class ConflictError extends HodeiError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}

export class ConfigError extends HodeiError {
  constructor(field: string, rule: string) {
    super('CONFIG_INVALID', `config ${field}: ${rule}`, { field, rule });
  }
}

/** The store (PGlite or PostgreSQL) cannot be reached; the request may succeed once it is back. */
export class StoreUnavailableError extends HodeiError {
  constructor(message = 'the job store is unavailable; retry shortly') {
    super('STORE_UNAVAILABLE', message);
  }
}
