// Turns what the API client threw into the provider's vocabulary: an HTTP code, a message safe to
// record (the server's Status message — never request bodies) and a failure reason.
import { ApiException } from '@kubernetes/client-node';
import { KubeHttpError, statusMessage } from './client.js';
import type { FailureReason } from '../vocabulary.js';

export function httpCode(err: unknown): number | undefined {
  if (err instanceof ApiException || err instanceof KubeHttpError) return err.code;
  return undefined;
}

export function apiMessage(err: unknown): string {
  if (err instanceof ApiException || err instanceof KubeHttpError) return `HTTP ${err.code}: ${statusMessage(err.body)}`;
  return err instanceof Error ? err.message : String(err);
}

/** 403 "exceeded quota" → ExceededQuota, any other 403 → Forbidden (RBAC), the rest → ApiError. */
export function failureReasonOf(err: unknown): FailureReason {
  if (httpCode(err) === 403) return /exceeded quota/i.test(apiMessage(err)) ? 'ExceededQuota' : 'Forbidden';
  return 'ApiError';
}

export const isNotFound = (err: unknown): boolean => httpCode(err) === 404;
export const isConflict = (err: unknown): boolean => httpCode(err) === 409;

/** An error with the provider's failure reason attached. */
export class ProvisionError extends Error {
  constructor(readonly reason: FailureReason, message: string) {
    super(message);
    this.name = 'ProvisionError';
  }
}
