// Queues end to end on both stores: real HTTP, real local workers. Two queues with mixed
// priorities under load: every queue starts its jobs in priority order (FIFO within a priority)
// and never holds more jobs than its ceiling in any snapshot of the store, polled throughout.
// (Transition timestamps cannot show this: a claim records the time its dispatch pass began,
// which may precede the end of a job it found finished.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import { TEST_ENGINES } from '../support/store/fresh.js';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';
import type { QueueView } from '../../src/jobs/queues.js';
import { queueCall } from '../support/queues.js';

describe.each(TEST_ENGINES)('queues on %s', (engine) => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ engine, config: { maxWorkers: 6 } }); });
  afterAll(async () => { await s?.stop(); });

  it('starts each queue in priority order within its concurrency ceiling, at every moment', async () => {
    const ceilings = { fast: 2, slow: 1 };
    for (const [q, c] of Object.entries(ceilings)) await queueCall(s, 'PUT', q, { concurrency: c, paused: true });
    const submitted: Job[] = [];
    for (let i = 0; i < 12; i++) {
      const queue = i % 2 === 0 ? 'fast' : 'slow';
      submitted.push(await s.client.submit({ command: 'sh', args: ['-c', 'sleep 0.2'], queue, priority: (i * 7) % 5 }));
    }
    // Paused: they wait, and say why.
    const waiting = await s.client.getJob(submitted[0]?.id ?? '');
    expect(waiting).toMatchObject({ state: 'queued', waitingFor: "queue 'fast' is paused" });
    const most: Record<string, number> = { fast: 0, slow: 0 };
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const { queues } = await s.client.getJson<{ queues: QueueView[] }>('/v1/queues');
        for (const q of queues) if (q.name in most) most[q.name] = Math.max(most[q.name] ?? 0, q.jobs.provisioning + q.jobs.assigned + q.jobs.running);
      }
    })();
    for (const q of Object.keys(ceilings)) await queueCall(s, 'PATCH', q, { paused: false });
    const done = await Promise.all(submitted.map((j) => waitForJob(s.client, j.id, 120_000)));
    polling = false;
    await poll;
    expect(done.map((j) => j.state)).toEqual(done.map(() => 'succeeded'));
    expect(most).toEqual(ceilings);

    for (const queue of Object.keys(ceilings)) {
      const jobs = done.filter((j) => j.spec.queue === queue);
      const claimedAt = (j: Job): number => Date.parse(j.transitions.find((t) => t.state === 'provisioning')?.at ?? '');
      // Expected start order: priority high → low, then submission order.
      const expected = [...jobs].sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || a.createdAt.localeCompare(b.createdAt));
      const times = expected.map(claimedAt);
      expect(times, `start order of ${queue}`).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('shows queues with counts, and a job with a future runAt as scheduled until then', async () => {
    const later = await s.client.submit({ command: 'true', queue: 'later', runAt: new Date(Date.now() + 1500).toISOString() });
    expect(later.state).toBe('scheduled');
    expect((await s.client.getJob(later.id)).waitingFor).toMatch(/^runAt /);
    const view = await queueCall(s, 'GET', 'later');
    expect(view).toMatchObject({ name: 'later', configured: false, jobs: { scheduled: 1 } });
    const ended = await waitForJob(s.client, later.id);
    expect(ended.state).toBe('succeeded');
    expect(Date.parse(ended.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(later.notBefore));
    expect(ended.transitions.map((t) => t.state).slice(0, 3)).toEqual(['scheduled', 'queued', 'provisioning']);
    const list = await s.client.getJson<{ queues: Array<{ name: string }> }>('/v1/queues');
    expect(list.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['fast', 'slow', 'later']));
  });

  it('refuses bad queue settings and submissions with a 400 naming the field', async () => {
    const bad = await fetch(`${s.url}/v1/queues/q1`, { method: 'PUT', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ concurrency: -1 }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('concurrency');
    const name = await fetch(`${s.url}/v1/queues/Bad%20Name`, { headers: { authorization: `Bearer ${s.token}` } });
    expect(name.status).toBe(400);
    await expect(s.client.submit({ command: 'true', runAt: 'tomorrow' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('runAt') });
    await expect(s.client.submit({ command: 'true', priority: 5000 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('priority') });
  });

  it('runs a job after its dependencies succeed and skips one whose dependency failed', async () => {
    const ok = await s.client.submit({ command: 'true' });
    const bad = await s.client.submit({ command: 'false' });
    const afterOk = await s.client.submit({ command: 'true', dependsOn: [ok.id] });
    const afterBad = await s.client.submit({ command: 'true', dependsOn: [ok.id, bad.id] });
    expect(afterOk.state).toBe('blocked');
    await expect(s.client.submit({ command: 'true', dependsOn: ['no-such-job'] }))
      .rejects.toMatchObject({ status: 400, message: 'dependsOn: no job no-such-job' });
    expect((await waitForJob(s.client, afterOk.id)).state).toBe('succeeded');
    const skipped = await waitForJob(s.client, afterBad.id);
    expect(skipped).toMatchObject({ state: 'skipped', reason: 'DependencyFailed', message: `dependency ${bad.id} failed` });
    expect(skipped.startedAt).toBeNull();
  });

  it('answers a repeated Idempotency-Key with the original job (200) and another body with 422', async () => {
    const post = (body: object, key: string) => fetch(`${s.url}/v1/jobs`, {
      method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body),
    });
    const key = `k-${engine}-${Date.now()}`;
    const first = await post({ command: 'true', labels: { run: 'idem' } }, key);
    expect(first.status).toBe(201);
    const original = (await first.json()) as Job;
    const again = await post({ labels: { run: 'idem' }, command: 'true' }, key); // same body, keys reordered
    expect(again.status).toBe(200);
    expect(((await again.json()) as Job).id).toBe(original.id);
    const other = await post({ command: 'false' }, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED', details: { field: 'Idempotency-Key', jobId: original.id } } });
    const listed = await s.client.listJobs({ labels: ['run=idem'] });
    expect(listed.jobs.map((j) => j.id)).toEqual([original.id]);
  });

  it('keeps one unfinished job per singleton key', async () => {
    await queueCall(s, 'PUT', 'single', { paused: true });
    const a = await s.client.submit({ command: 'true', queue: 'single', key: 'nightly-report' });
    const b = await s.client.submit({ command: 'true', queue: 'single', key: 'nightly-report' });
    expect(b.id).toBe(a.id);
    await queueCall(s, 'PATCH', 'single', { paused: false });
    await waitForJob(s.client, a.id);
    const c = await s.client.submit({ command: 'true', queue: 'single', key: 'nightly-report' });
    expect(c.id).not.toBe(a.id);
    await waitFor('third run to finish', async () => (await s.client.getJob(c.id)).state === 'succeeded');
  });
});
