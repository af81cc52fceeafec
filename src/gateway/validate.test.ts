import { describe, expect, it } from 'vitest';
import { parseServerMessage, parseWorkerMessage } from './validate.js';

describe('protocol validation', () => {
  it('accepts a valid register', () => {
    const r = parseWorkerMessage(JSON.stringify({ type: 'register', protocolVersion: 1, token: 't', agentVersion: '1', pid: 3, hostname: 'h' }));
    expect(r.ok).toBe(true);
  });
  it('names the missing field', () => {
    const r = parseWorkerMessage(JSON.stringify({ type: 'register', protocolVersion: 1, token: 't', agentVersion: '1', pid: 3 }));
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_MESSAGE', field: '/hostname', rule: 'required' } });
  });
  it('names a nested wrong type', () => {
    const r = parseWorkerMessage(JSON.stringify({ type: 'job.logs', jobId: 'j', attempt: 1, seq: 1, entries: [{ stream: 'stdout', data: 'x' }, { stream: 'nope', data: 'y' }] }));
    expect(r).toMatchObject({ ok: false, error: { field: '/entries/1/stream' } });
    if (!r.ok) expect(r.error.rule).toMatch(/^enum/);
  });
  it('rejects bad JSON, non-objects and unknown types', () => {
    expect(parseWorkerMessage('{nope')).toMatchObject({ ok: false, error: { rule: 'json' } });
    expect(parseWorkerMessage('[1]')).toMatchObject({ ok: false, error: { field: '/' } });
    expect(parseWorkerMessage('{"type":"launch"}')).toMatchObject({ ok: false, error: { field: '/type', rule: 'enum' } });
    expect(parseWorkerMessage('{"x":1}')).toMatchObject({ ok: false, error: { field: '/type', rule: 'required' } });
  });
  it('validates server messages for the agent', () => {
    const job = { jobId: 'j', attempt: 1, command: 'sh', args: [], env: { A: 'b' }, secretNames: [], timeoutSeconds: 1 };
    expect(parseServerMessage(JSON.stringify({ type: 'job.assign', job })).ok).toBe(true);
    const bad = parseServerMessage(JSON.stringify({ type: 'job.assign', job: { ...job, env: { A: 1 } } }));
    expect(bad).toMatchObject({ ok: false, error: { field: '/job/env/A' } });
    expect(parseServerMessage(JSON.stringify({ type: 'job.assign', job: { ...job, timeoutSeconds: 0 } })).ok).toBe(false);
  });
});
