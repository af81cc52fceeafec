import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeRequest } from './request-info.js';
import { backoffMs, CircuitBreaker, CircuitOpenError, isRetriable, parseRetryAfter, TokenBucket } from './resilience.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('TokenBucket', () => {
  it('lets a burst through, then one request per 1/qps', async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(10, 2);
    let done = 0;
    for (let i = 0; i < 4; i++) void bucket.acquire().then(() => done++);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(4);
  });
});

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, half-opens for one probe after the cooldown, closes on success', () => {
    let now = 0;
    const states: string[] = [];
    const b = new CircuitBreaker(3, 1000, () => now, (s) => states.push(s));
    b.failure(); b.failure(); b.success(); b.failure(); b.failure();
    expect(b.state).toBe('closed'); // a success in between resets the count
    b.failure();
    expect(b.state).toBe('open');
    expect(() => b.admit()).toThrow(CircuitOpenError);
    now = 1000;
    expect(b.admit()).toBe(true); // the probe
    expect(() => b.admit()).toThrow(CircuitOpenError); // only one probe at a time
    b.failure();
    expect(b.state).toBe('open');
    now = 2500;
    expect(b.admit()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.admit()).toBe(false);
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('retry decision', () => {
  it('retries reads and idempotent writes on 429, 5xx and connection errors', () => {
    for (const verb of ['get', 'list', 'delete', 'patch', 'update']) {
      for (const code of [429, 500, 502, 503, 504]) expect(isRetriable(verb, { kind: 'response', code }, false)).toBe(true);
      expect(isRetriable(verb, { kind: 'error', maybeSent: true }, false)).toBe(true);
      for (const code of [400, 401, 403, 404, 409, 422]) expect(isRetriable(verb, { kind: 'response', code }, false)).toBe(false);
    }
  });

  it('retries a create only when the server surely did not act, or when its name makes a duplicate a 409', () => {
    expect(isRetriable('create', { kind: 'response', code: 429 }, false)).toBe(true);
    expect(isRetriable('create', { kind: 'error', maybeSent: false }, false)).toBe(true);
    expect(isRetriable('create', { kind: 'response', code: 500 }, false)).toBe(false);
    expect(isRetriable('create', { kind: 'error', maybeSent: true }, false)).toBe(false);
    expect(isRetriable('create', { kind: 'response', code: 500 }, true)).toBe(true);
    expect(isRetriable('create', { kind: 'error', maybeSent: true }, true)).toBe(true);
    expect(isRetriable('create', { kind: 'response', code: 409 }, true)).toBe(false);
  });

  it('never retries a watch (the informer re-establishes it)', () => {
    expect(isRetriable('watch', { kind: 'response', code: 503 }, false)).toBe(false);
  });

  it('backs off exponentially with jitter, and honours Retry-After', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoffMs(1, undefined)).toBe(50);
    expect(backoffMs(4, undefined)).toBe(400);
    expect(backoffMs(20, undefined)).toBe(2500);
    expect(backoffMs(1, 2)).toBe(2000);
    vi.spyOn(Math, 'random').mockReturnValue(0.9999999);
    expect(backoffMs(1, undefined)).toBe(99);
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('describeRequest', () => {
  const d = (method: string, path: string) => describeRequest(method, new URL(`https://k:6443${path}`));
  it('names verb, resource and a bounded endpoint template', () => {
    expect(d('POST', '/api/v1/namespaces/ns1/pods')).toEqual({ verb: 'create', resource: 'pods', endpoint: '/api/v1/namespaces/{namespace}/pods', namespace: 'ns1' });
    expect(d('DELETE', '/api/v1/namespaces/ns1/pods/p1')).toMatchObject({ verb: 'delete', resource: 'pods', endpoint: '/api/v1/namespaces/{namespace}/pods/{name}', name: 'p1' });
    expect(d('GET', '/api/v1/namespaces/ns1/pods?watch=true&labelSelector=a')).toMatchObject({ verb: 'watch', resource: 'pods' });
    expect(d('GET', '/api/v1/namespaces/ns1/pods/p1/log')).toMatchObject({ verb: 'get', resource: 'pods/log', endpoint: '/api/v1/namespaces/{namespace}/pods/{name}/log' });
    expect(d('GET', '/api/v1/namespaces/ns1')).toMatchObject({ verb: 'get', resource: 'namespaces', endpoint: '/api/v1/namespaces/{name}' });
    expect(d('GET', '/api/v1/pods')).toMatchObject({ verb: 'list', resource: 'pods', endpoint: '/api/v1/pods' });
    expect(d('PATCH', '/apis/apps/v1/namespaces/x/deployments/d')).toMatchObject({ verb: 'patch', resource: 'deployments', endpoint: '/apis/apps/v1/namespaces/{namespace}/deployments/{name}' });
    expect(d('DELETE', '/api/v1/namespaces/x/secrets')).toMatchObject({ verb: 'deletecollection' });
    expect(d('GET', '/version')).toMatchObject({ resource: 'nonresource', endpoint: '/version' });
  });
});
