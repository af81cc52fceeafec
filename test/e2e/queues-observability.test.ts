// Queues and schedules are observable: series at 0 from the first scrape, then counts, waits,
// schedule runs (triggered and missed) and the events queue.paused, schedule.triggered,
// schedule.missed, job.deduplicated and job.skipped, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';
import { queueCall } from '../support/queues.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.stop(); });

const metrics = async (): Promise<string> => (await s.client.raw('/metrics')).text;
const events = async (type: string): Promise<Array<{ details: Record<string, unknown> }>> =>
  (await s.client.getJson<{ events: Array<{ details: Record<string, unknown> }> }>(`/v1/events?type=${type}`)).events;

describe('queue and schedule observability', () => {
  it('exports every series at 0 from the first scrape', async () => {
    const text = await metrics();
    for (const line of [
      'hodei_queue_jobs{queue="default",state="queued"} 0', 'hodei_queue_oldest_queued_seconds{queue="default"} 0',
      'hodei_job_queue_wait_seconds_count{queue="default"} 0', 'hodei_jobs_deduplicated_total 0',
      'hodei_jobs_deleted_total{reason="history_limit"} 0', 'hodei_schedule_start_delay_seconds_count 0', 'hodei_queue_paused{queue="default"} 0',
    ]) expect(text).toContain(line);
  });

  it('counts a paused queue\'s waiting jobs, dedupes and skips, each with its event', async () => {
    await queueCall(s, 'PUT', 'obs', { paused: true });
    const a = await s.client.submit({ command: 'false', queue: 'obs', key: 'obs-key' });
    await s.client.submit({ command: 'false', queue: 'obs', key: 'obs-key' });
    const dependent = await s.client.submit({ command: 'true', dependsOn: [a.id] });
    await waitFor('queue gauges', async () => {
      const text = await metrics();
      return text.includes('hodei_queue_jobs{queue="obs",state="queued"} 1') && text.includes('hodei_queue_paused{queue="obs"} 1')
        && text.includes('hodei_jobs_deduplicated_total 1') && /hodei_queue_oldest_queued_seconds\{queue="obs"\} [1-9]/.test(text);
    });
    await waitFor('queue.paused and job.deduplicated events', async () =>
      (await events('queue.paused')).some((e) => e.details.queue === 'obs') && (await events('job.deduplicated')).some((e) => e.details.cause === 'singleton_key'));
    await queueCall(s, 'PATCH', 'obs', { paused: false });
    expect((await waitForJob(s.client, dependent.id)).state).toBe('skipped');
    await waitFor('job.skipped event', async () => (await events('job.skipped')).some((e) => e.details.job_id === dependent.id));
    await waitFor('queue wait observed', async () => /hodei_job_queue_wait_seconds_count\{queue="obs"\} 1/.test(await metrics()));
  });

  it('counts schedule runs and start delays, and records missed ticks', async () => {
    await s.client.send('POST', '/v1/schedules', { name: 'obs-every-second', cron: '* * * * * *', startingDeadlineSeconds: 5, job: { command: 'true' } });
    await waitFor('a triggered run started', async () => {
      const text = await metrics();
      return /hodei_schedule_runs_total\{schedule="obs-every-second",result="triggered"\} [1-9]/.test(text) && /hodei_schedule_start_delay_seconds_count [1-9]/.test(text);
    }, 60_000);
    await s.client.send('PATCH', '/v1/schedules/obs-every-second', { suspend: true });
    expect((await events('schedule.triggered')).some((e) => e.details.schedule === 'obs-every-second')).toBe(true);

    // A schedule whose ticks all come while the (simulated) control plane cannot start them:
    // Forbid with a run that never ends makes the next ticks wait past their deadline.
    await queueCall(s, 'PUT', 'stuck', { paused: true });
    await s.client.send('POST', '/v1/schedules', { name: 'obs-forbid', cron: '* * * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 1, job: { command: 'true', queue: 'stuck' } });
    await waitFor('a missed run', async () => /hodei_schedule_runs_total\{schedule="obs-forbid",result="missed"\} [1-9]/.test(await metrics()), 30_000);
    await s.client.send('PATCH', '/v1/schedules/obs-forbid', { suspend: true });
    const missed = (await events('schedule.missed')).find((e) => e.details.schedule === 'obs-forbid');
    expect(missed?.details.reason).toMatch(/^Forbid: run .+ still active$/);
    const view = await s.client.getJson<{ lastResult: string }>('/v1/schedules/obs-forbid');
    expect(['missed', 'queued']).toContain(view.lastResult);
  });
});
