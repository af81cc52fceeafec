// hodei diagnose names a stalled queue and a missed schedule with their likely cause.
import { describe, expect, it } from 'vitest';
import { queueCauses } from './queues.js';
import { parseMetrics, type Snapshot } from './snapshot.js';

const at = new Date('2026-01-01T01:00:00Z');
const t = at.getTime() / 1000;

function snapshot(metrics: string, events: Snapshot['events'] = []): Snapshot {
  const ok = { status: 'Healthy', checks: [] } as unknown as Snapshot['health']['readiness'];
  return { at, health: { liveness: ok, readiness: ok, startup: ok }, slo: null, events, metrics: parseMetrics(metrics) };
}

describe('queue causes', () => {
  it('names a stalled queue and why, but not a paused, busy or idle one', () => {
    const text = [
      '# TYPE hodei_queue_oldest_queued_seconds gauge',
      'hodei_queue_oldest_queued_seconds{queue="batch"} 900', 'hodei_queue_oldest_queued_seconds{queue="held"} 900',
      'hodei_queue_oldest_queued_seconds{queue="busy"} 900', 'hodei_queue_oldest_queued_seconds{queue="default"} 0',
      '# TYPE hodei_queue_last_start_timestamp_seconds gauge',
      `hodei_queue_last_start_timestamp_seconds{queue="batch"} ${t - 1200}`, `hodei_queue_last_start_timestamp_seconds{queue="held"} 0`,
      `hodei_queue_last_start_timestamp_seconds{queue="busy"} ${t - 5}`, 'hodei_queue_last_start_timestamp_seconds{queue="default"} 0',
      '# TYPE hodei_queue_paused gauge',
      'hodei_queue_paused{queue="batch"} 0', 'hodei_queue_paused{queue="held"} 1', 'hodei_queue_paused{queue="busy"} 0', 'hodei_queue_paused{queue="default"} 0',
      '# TYPE hodei_queue_jobs gauge',
      'hodei_queue_jobs{queue="batch",state="queued"} 4', 'hodei_queue_jobs{queue="batch",state="running"} 2',
      '',
    ].join('\n');
    const causes = queueCauses(snapshot(text));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(/^Queue batch is stalled: 4 queued, the oldest waiting 900 s, no start for 1200 s, not paused; its 2 running jobs hold every slot/);
  });

  it('names a schedule with missed ticks and the latest reason', () => {
    const ev = (reason: string) => ({ timestamp: at.toISOString(), event_type: 'schedule.missed', provider: 'local', worker_id: null, namespace: null, duration_ms: null, success: false, details: { schedule: 'backup', tick: at.toISOString(), reason } });
    expect(queueCauses(snapshot('', [ev('x'), ev('Forbid: run j1 still active')])))
      .toEqual(['Schedule backup missed 2 ticks (latest: Forbid: run j1 still active): hodei schedules get backup']);
  });

  it('names a violated queue wait SLO with the longest-waiting queue, unless a stall already explains it', () => {
    const slo = (name: string, current: number) => ({
      windowSeconds: 3600, compliant: false, violations: [],
      slos: [{ slo: name, target: 60, current, compliant: false, burnRate: 3, errorBudgetRemaining: -2 }],
    });
    const waiting = '# TYPE hodei_queue_oldest_queued_seconds gauge\nhodei_queue_oldest_queued_seconds{queue="etl"} 95\nhodei_queue_oldest_queued_seconds{queue="default"} 3\n';
    const late = { ...snapshot(waiting), slo: slo('queue_wait_time', 84.4) };
    expect(queueCauses(late)).toEqual([
      'Queue wait SLO violated: P95 84.4 s > target 60 s. Jobs start, but late: a queue\'s concurrency or quota is too small for its load, or workers are slow to provision (see pod_creation_time); longest wait now: queue etl (95 s, hodei queues get etl)',
    ]);
    expect(queueCauses({ ...snapshot(''), slo: slo('schedule_punctuality', 120) })[0]).toMatch(/^Schedule punctuality SLO violated: P95 tick → running 120\.0 s > target 60 s/);
    // Compliant SLOs add nothing.
    expect(queueCauses({ ...snapshot(waiting), slo: { ...slo('queue_wait_time', 5), slos: [] } })).toEqual([]);
  });
});
