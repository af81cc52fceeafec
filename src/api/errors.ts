// The one place errors become HTTP answers: {"error": {"code", "message", "details"}}.
// Bad input is always a 4xx naming the field; an unreachable store is a 503; only a genuine bug is
// a 500 (logged through the allow-listing logger, no internals in the answer).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HodeiError, type ErrorCode } from '../errors/errors.js';
import { isStoreUnavailable } from '../errors/store-unavailable.js';
import { IllegalTransitionError } from '../domain/job.js';
import { sanitizeMessage } from '../observability/logger.js';
import { toValidationError } from '../util/validate.js';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400, UNAUTHORIZED: 401, JOB_NOT_FOUND: 404, WORKER_NOT_FOUND: 404, NOT_FOUND: 404,
  CONFLICT: 409, ILLEGAL_TRANSITION: 409, PAYLOAD_TOO_LARGE: 413, CONFIG_INVALID: 400,
  PROVIDER_ERROR: 502, STORE_UNAVAILABLE: 503, IDEMPOTENCY_KEY_REUSED: 422, SCHEDULE_NOT_FOUND: 404, TEMPLATE_NOT_FOUND: 404, INTERNAL: 500,
};

/** Seconds a client is told to wait before retrying while the store is unavailable. */
const STORE_RETRY_AFTER_SECONDS = 2;

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export const errorBody = (code: string, message: string, details: Record<string, unknown> = {}): ErrorBody =>
  ({ error: { code, message, details } });

/** Fastify's own errors for malformed requests, by code: status, code, message, the field at fault. */
const FASTIFY_ERRORS: Record<string, [number, ErrorCode | 'UNSUPPORTED_MEDIA_TYPE' | 'BAD_REQUEST', string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'request body is larger than 1 MiB', 'body'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', 'content-type'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_REQUEST', 'body must not be empty when Content-Type is application/json', 'body'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_REQUEST', 'body is not valid JSON', 'body'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Content-Length does not match the body', 'content-length'],
};

export interface ErrorHandlerOptions {
  /** Told of every request that failed because the store is unreachable (logs once per outage). */
  onStoreUnavailable(err: unknown): void;
}

export function errorHandler(o: ErrorHandlerOptions): (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void {
  return (err, req, reply) => {
    if (err.validation) {
      const where = err.validationContext ?? 'body';
      const v = toValidationError(err.validation, '', where);
      void reply.status(400).send(errorBody(v.code, v.message, { ...v.details, location: where }));
      return;
    }
    if (isStoreUnavailable(err)) {
      o.onStoreUnavailable(err);
      void reply.status(503).header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        .send(errorBody('STORE_UNAVAILABLE', 'the job store is unavailable; retry shortly', { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS }));
      return;
    }
    if (err instanceof HodeiError) {
      void reply.status(STATUS[err.code]).send(errorBody(err.code, err.message, err.details));
      return;
    }
    if (err instanceof IllegalTransitionError) {
      void reply.status(409).send(errorBody('ILLEGAL_TRANSITION', err.message, { from: err.from, to: err.to }));
      return;
    }
    const known = err.code ? FASTIFY_ERRORS[err.code] : undefined;
    if (known) {
      void reply.status(known[0]).send(errorBody(known[1], known[2], { field: known[3] }));
      return;
    }
    if (err instanceof SyntaxError) {
      void reply.status(400).send(errorBody('BAD_REQUEST', 'body is not valid JSON', { field: 'body' }));
      return;
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      void reply.status(err.statusCode).send(errorBody('BAD_REQUEST', sanitizeMessage(err.message), { field: 'request' }));
      return;
    }
    req.log.error({ err }, 'unhandled error');
    void reply.status(500).send(errorBody('INTERNAL', 'internal error; see the server log', { requestId: req.id }));
  };
}
