import { describe, expect, it } from 'vitest';
import type { AssignedJob } from './backend.js';
import { WorkerMemory } from './worker-memory.js';

const job = (jobId: string): AssignedJob => ({ jobId, attempt: 1, command: 'true', args: [], env: { K: 'secret' }, secretNames: ['K'] });

describe('WorkerMemory', () => {
  it('tracks the assigned job and stored batches per job attempt until the result', () => {
    const m = new WorkerMemory();
    m.assigned('w1', job('a'));
    expect(m.pendingJob('w1')?.jobId).toBe('a');
    m.stored('w1', { jobId: 'a', attempt: 1 }, 3);
    expect(m.lastSeq('w1', { jobId: 'a', attempt: 1 })).toBe(3);
    expect(m.lastSeq('w1', { jobId: 'a', attempt: 2 })).toBe(0);
    m.finished('w1');
    expect(m.pendingJob('w1')).toBeUndefined();
  });

  it('adopts a job named on resume without inventing an assignment to resend', () => {
    const m = new WorkerMemory();
    m.adopt('w1', { jobId: 'a', attempt: 2 });
    expect(m.pendingJob('w1')).toBeUndefined();
    m.stored('w1', { jobId: 'a', attempt: 2 }, 5);
    expect(m.lastSeq('w1', { jobId: 'a', attempt: 2 })).toBe(5);
  });

  it('forgets workers that were not heard of for the TTL (their jobs hold secrets)', () => {
    let now = 0;
    const m = new WorkerMemory(1_000, () => now);
    m.assigned('gone', job('a'));
    now = 2_000;
    m.assigned('w2', job('b'));
    expect(m.pendingJob('gone')).toBeUndefined();
    expect(m.size).toBe(1);
  });
});
