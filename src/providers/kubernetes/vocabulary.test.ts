import { describe, expect, it } from 'vitest';
import { codeLabel, isFailedApiRequest } from './vocabulary.js';

describe('isFailedApiRequest: the one decision whether an API request failed', () => {
  it('no response, 429 and 5xx fail; every other answer (403, 404, 409 included) does not', () => {
    const failed = [0, undefined, 429, 500, 502, 503, 504].map(isFailedApiRequest);
    const answered = [200, 201, 204, 400, 401, 403, 404, 409, 410, 422].map(isFailedApiRequest);
    expect(failed.every(Boolean)).toBe(true);
    expect(answered.some(Boolean)).toBe(false);
  });

  it('labels a request without a response as client-go does', () => {
    expect([codeLabel(0), codeLabel(undefined), codeLabel(403)]).toEqual(['<error>', '<error>', '403']);
  });
});
