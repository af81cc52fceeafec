import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ProviderEvents, WorkerProvider } from '../../providers/provider.js';
import type { NewEvent } from '../../store/store.js';
import { ApiRequestEvents } from '../kubernetes/api-requests.js';
import { instrumentProvider } from './provider-events.js';
import { EventRecorder } from './recorder.js';
import { scrubDetails } from './scrub.js';
import { parseSince } from './since.js';
import { JsonLinesFileSink, MemoryEventStore } from './sinks.js';
import { EVENT_KEYS, type HodeiEvent } from './types.js';

const recorder = (o: Partial<ConstructorParameters<typeof EventRecorder>[0]> = {}) => {
  const store = new MemoryEventStore();
  return { store, events: new EventRecorder({ store, provider: 'kubernetes', ...o }) };
};

describe('event shape', () => {
  it('is exactly the spec JSON: keys, order, types', async () => {
    const { events } = recorder({ now: () => new Date('2024-01-15T10:30:00Z') });
    events.record('worker.created', {
      workerId: 'worker-123', namespace: 'hodei-jobs-workers', durationMs: 1500,
      details: { image: 'alpine:latest', cpu_request: '100m', memory_request: '128Mi' },
    });
    const [e] = await events.query({ limit: 10 });
    expect(Object.keys(e as object)).toEqual([...EVENT_KEYS]);
    expect(e).toEqual({
      timestamp: '2024-01-15T10:30:00.000Z', event_type: 'worker.created', provider: 'kubernetes',
      worker_id: 'worker-123', namespace: 'hodei-jobs-workers', duration_ms: 1500, success: true,
      details: { image: 'alpine:latest', cpu_request: '100m', memory_request: '128Mi' },
    });
  });

  it('failure types default to success=false; job ids appear as details.job_id and are queryable', async () => {
    const { events } = recorder();
    events.record('worker.failed', { workerId: 'w1', jobId: 'j1', details: { reason: 'ImagePullBackOff' } });
    const [e] = await events.query({ limit: 1, jobId: 'j1' });
    expect(e?.success).toBe(false);
    expect(e?.details).toEqual({ job_id: 'j1', reason: 'ImagePullBackOff' });
    expect(await events.query({ limit: 1, type: 'worker.created' })).toEqual([]);
  });
});

describe('secrets never appear in an event', () => {
  it('drops secret-named keys, redacts known values and URL credentials', async () => {
    const { events } = recorder({ secrets: () => ['s3cr3t-api-token'] });
    const e = events.record('worker.created', {
      workerId: 'w1', secrets: ['one-time-worker-token'],
      details: {
        image: 'alpine', token: 'x', env: { A: 'b' }, password: 'p', nested: { apiKey: 'k', ok: 'fine', db_password: 'z' },
        message: 'failed with s3cr3t-api-token and one-time-worker-token', url: 'postgres://u:pw@db:5432/x',
      } as never,
    });
    const json = JSON.stringify(e);
    for (const s of ['s3cr3t-api-token', 'one-time-worker-token', ':pw@', '"token"', '"env"', '"password"', 'apiKey', 'db_password']) {
      expect(json).not.toContain(s);
    }
    expect(e.details).toMatchObject({ image: 'alpine', nested: { ok: 'fine' }, url: 'postgres://[REDACTED]@db:5432/x' });
    expect(JSON.stringify((await events.query({ limit: 1 }))[0])).toBe(json);
  });

  it('bounds depth and size', () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 20; i++) cur = (cur.next = {}) as Record<string, unknown>;
    const out = JSON.stringify(scrubDetails({ deep, long: 'x'.repeat(10_000) }, []));
    expect(out.length).toBeLessThan(2200);
  });
});

describe('storage', () => {
  it('batches a burst into few inserts and serves them in order', async () => {
    const store = new MemoryEventStore();
    const inserts: number[] = [];
    const insert = store.insertEvents.bind(store);
    store.insertEvents = async (rows: readonly NewEvent[]) => { inserts.push(rows.length); await insert(rows); };
    const events = new EventRecorder({ store, provider: 'local', maxBatch: 500 });
    for (let i = 0; i < 1200; i++) events.record('resource.allocated', { details: { cpu_millicores: i, memory_bytes: 0, gpus: 0 } });
    await events.flush();
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(inserts.length).toBeLessThanOrEqual(4);
    const latest = await events.query({ limit: 2 });
    expect(latest.map((e) => e.details.cpu_millicores)).toEqual([1199, 1198]);
  });

  it('prunes by age and by count', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { store, events } = recorder({ now: () => new Date(now), retention: { maxAgeMs: 3600_000, maxCount: 5 } });
    for (let i = 0; i < 3; i++) events.record('namespace.created');
    now += 2 * 3600_000;
    for (let i = 0; i < 8; i++) events.record('namespace.deleted');
    await events.flush();
    expect(await events.prune()).toBe(6); // 3 too old, then 3 over the count
    const left = await store.queryEvents({ limit: 100 });
    expect(left.map((e) => e.eventType)).toEqual(Array(5).fill('namespace.deleted'));
  });

  it('prunes on a timer once started', async () => {
    const { store, events } = recorder({ retention: { maxCount: 2, pruneIntervalMs: 20 } });
    for (let i = 0; i < 5; i++) events.record('namespace.created');
    await events.flush();
    events.start();
    try {
      for (let i = 0; i < 200 && (await store.queryEvents({ limit: 10 })).length > 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await store.queryEvents({ limit: 10 })).toHaveLength(2);
    } finally {
      await events.stop();
    }
  });

  it('writes JSON lines to the file sink and counts a failing sink without losing the store copy', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hodei-ev-')), 'sub', 'events.jsonl');
    const registry = new Registry();
    const broken = { name: 'broken', write: async () => { throw new Error('down'); } };
    const { events } = recorder({ sinks: [new JsonLinesFileSink(file), broken], registry });
    events.record('hpa.scale_up', { namespace: 'ns', details: { pool: 'p', from: 1, to: 3 } });
    events.record('hpa.scale_down', { namespace: 'ns', details: { pool: 'p', from: 3, to: 1 } });
    await events.stop();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HodeiEvent);
    expect(lines.map((e) => e.event_type)).toEqual(['hpa.scale_up', 'hpa.scale_down']);
    expect(Object.keys(lines[0] as object)).toEqual([...EVENT_KEYS]);
    expect(await registry.metrics()).toMatch(/hodei_events_dropped_total\{sink="broken"\} 2/);
    expect(await events.query({ limit: 5 })).toHaveLength(2);
  });

  it('publishes to live subscribers at once', () => {
    const { events } = recorder();
    const seen: string[] = [];
    const off = events.subscribe((e) => seen.push(e.event_type));
    events.record('slo.violated', { details: { slo: 'api_error_rate', target: 0.01, current: 0.05, message: 'm', window_seconds: 3600 } });
    off();
    events.record('slo.recovered', { details: { slo: 'api_error_rate', target: 0.01, current: 0, message: 'm', window_seconds: 3600 } });
    expect(seen).toEqual(['slo.violated']);
  });
});

describe('API request events', () => {
  it('records every failure and aggregates all requests into one summary per interval', async () => {
    const { events } = recorder();
    const api = new ApiRequestEvents(events, { namespace: 'ns' });
    const pods = { verb: 'create', resource: 'pods', endpoint: '/api/v1/namespaces/{namespace}/pods' };
    api.record({ ...pods, code: 201, durationMs: 5, retry: 0 });
    api.record({ verb: 'get', resource: 'namespaces', endpoint: '/api/v1/namespaces/{name}', code: 404, durationMs: 1, retry: 0 });
    api.record({ ...pods, code: 503, durationMs: 9, retry: 1, error: true });
    api.flushSummary();
    api.flushSummary(); // nothing new: no second summary
    const all = (await events.query({ limit: 10 })).reverse();
    expect(all.map((e) => e.event_type)).toEqual(['api.request.failed', 'api.request.summary']);
    expect(all[0]).toMatchObject({ success: false, duration_ms: 9, details: { verb: 'create', resource: 'pods', code: 503, retry: 1 } });
    expect(all[1]).toMatchObject({ success: false, details: { requests: 3, errors: 1, by_verb: { create: 2, get: 1 }, by_code: { 201: 1, 404: 1, 503: 1 } } });
  });
});

describe('local provider lifecycle events', () => {
  it('records created/allocated on provision, deleted/released on exit, failed on a provisioning error', async () => {
    const { events } = recorder();
    const emitter = new EventEmitter<ProviderEvents>();
    let fail = false;
    const base: WorkerProvider = {
      kind: 'local', id: 'local', events: emitter, start: async () => undefined,
      provision: async () => { if (fail) throw new Error('spawn ENOENT'); return { handle: 'pid:42' }; },
      terminate: async () => undefined, list: async () => [], stop: async () => undefined,
      health: async () => ({ status: 'Healthy', details: {}, checks: [], durationMs: 0, checkedAt: '' }),
    };
    const p = instrumentProvider(base, events);
    const req = { workerId: 'w1', jobId: 'j1', token: 'tok-secret-123', serverUrl: 'http://x', resources: { cpu: '250m', memory: '128Mi' }, labels: {} };
    expect(await p.provision(req)).toEqual({ handle: 'pid:42' });
    expect(p.id).toBe('local');
    await p.terminate('w1');
    emitter.emit('worker.exited', { workerId: 'w1', exitCode: 0, reason: null });
    fail = true;
    await expect(p.provision({ ...req, workerId: 'w2' })).rejects.toThrow('ENOENT');
    const all = (await events.query({ limit: 10 })).reverse();
    expect(all.map((e) => e.event_type)).toEqual(['worker.created', 'resource.allocated', 'resource.released', 'worker.deleted', 'worker.failed']);
    expect(all[0]?.details).toMatchObject({ job_id: 'j1', cpu_request: '250m', memory_request: '128Mi', handle: 'pid:42' });
    expect(all[1]?.details).toMatchObject({ cpu_millicores: 250, memory_bytes: 128 * 2 ** 20 });
    expect(all[3]).toMatchObject({ worker_id: 'w1', success: true, details: { job_id: 'j1', exit_code: 0 } });
    expect(typeof all[3]?.duration_ms).toBe('number');
    expect(all[4]).toMatchObject({ worker_id: 'w2', success: false, details: { reason: 'ProvisioningFailed' } });
    expect(JSON.stringify(all)).not.toContain('tok-secret-123');
  });
});

describe('helpers', () => {
  it('parses since', () => {
    expect(parseSince('10m', 1_000_000)?.getTime()).toBe(400_000);
    expect(parseSince('2024-01-15T10:30:00Z')?.toISOString()).toBe('2024-01-15T10:30:00.000Z');
    expect(parseSince('yesterday')).toBeNull();
  });
});
