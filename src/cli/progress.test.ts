import { describe, expect, it } from 'vitest';
import type { HodeiEvent } from '../observability/events/types.js';
import { describeEvent } from './progress.js';

const event = (o: Partial<HodeiEvent>): HodeiEvent => ({
  timestamp: '2026-01-01T00:00:00Z', event_type: 'worker.failed', provider: 'kubernetes', worker_id: 'w-1', namespace: 'hodei-jobs-workers',
  duration_ms: null, success: false, details: {}, ...o,
});

describe('describeEvent: why a job waits, from the events the API records', () => {
  it('names the reason and message of a failure as waiting', () => {
    expect(describeEvent(event({ details: { reason: 'ExceededQuota', message: 'quota exceeded in hodei-jobs-workers (cpu 4/4)' } })))
      .toBe('waiting: ExceededQuota: quota exceeded in hodei-jobs-workers (cpu 4/4)');
    expect(describeEvent(event({ details: { reason: 'Unschedulable', message: '0/3 nodes have enough memory' } })))
      .toBe('waiting: Unschedulable: 0/3 nodes have enough memory');
  });

  it('says when a worker was created, and skips events with nothing to say', () => {
    expect(describeEvent(event({ event_type: 'worker.created', success: true, details: { pod: 'hodei-worker-abc' } }))).toBe('worker w-1 created (pod hodei-worker-abc)');
    expect(describeEvent(event({ event_type: 'resource.allocated', success: true, details: { cpu_millicores: 100 } }))).toBeNull();
  });
});
