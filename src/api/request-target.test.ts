import { describe, expect, it } from 'vitest';
import { normalizeRequestTarget } from './request-target.js';

describe('normalizeRequestTarget', () => {
  it.each([
    ['/v1/jobs', '/v1/jobs'],
    ['/v1/jobs?state=queued', '/v1/jobs?state=queued'],
    ['http://host/v1/workers', '/v1/workers'],
    ['HTTPS://host:8443/%761/jobs?x=1', '/%761/jobs?x=1'],
    ['/x/../v1/jobs', '/v1/jobs'],
    ['/v1/./jobs', '/v1/jobs'],
    ['/v1/jobs/%2e%2e/workers', '/v1/workers'],
    ['/../../v1/jobs', '/v1/jobs'],
    ['//v1//jobs', '//v1//jobs'],
    ['/%2576%31/jobs', '/%2576%31/jobs'],
    ['*', '*'],
    ['localhost:7070', 'localhost:7070'],
    ['/v1/jobs/..%2fx', '/v1/jobs/..%2fx'],
  ])('%s → %s', (target, expected) => {
    expect(normalizeRequestTarget(target)).toBe(expected);
  });
});
