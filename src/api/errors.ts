// The one place errors become HTTP answers: {"error": {"code", "message", "details"}}.
// Bad input is always a 4xx naming the field; only a genuine bug is a 500 (logged, no internals shown).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HodeiError, type ErrorCode } from '../errors/errors.js';
import { IllegalTransitionError } from '../domain/job.js';
import { toValidationError } from '../util/validate.js';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400, UNAUTHORIZED: 401, JOB_NOT_FOUND: 404, WORKER_NOT_FOUND: 404, NOT_FOUND: 404,
  CONFLICT: 409, ILLEGAL_TRANSITION: 409, PAYLOAD_TOO_LARGE: 413, CONFIG_INVALID: 400,
  PROVIDER_ERROR: 502, IDEMPOTENCY_KEY_REUSED: 422, INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export const errorBody = (code: string, message: string, details: Record<string, unknown> = {}): ErrorBody =>
  ({ error: { code, message, details } });

/** Fastify's own errors for malformed requests, by code. */
const FASTIFY_ERRORS: Record<string, [number, ErrorCode | 'UNSUPPORTED_MEDIA_TYPE' | 'BAD_REQUEST', string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'request body is larger than 1 MiB'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_REQUEST', 'body must not be empty when Content-Type is application/json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_REQUEST', 'body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Content-Length does not match the body'],
};

export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err.validation) {
    const where = err.validationContext ?? 'body';
    const v = toValidationError(err.validation, '', where);
    void reply.status(400).send(errorBody(v.code, v.message, { ...v.details, location: where }));
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
    void reply.status(known[0]).send(errorBody(known[1], known[2]));
    return;
  }
  if (err instanceof SyntaxError) {
    void reply.status(400).send(errorBody('BAD_REQUEST', 'body is not valid JSON'));
    return;
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    void reply.status(err.statusCode).send(errorBody('BAD_REQUEST', err.message));
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.status(500).send(errorBody('INTERNAL', 'internal error; see the server log', { requestId: req.id }));
}
