// HodeiQueueStalled and HodeiScheduleMissed fire and resolve on a real Prometheus scraping a real
// Hodei (local provider): a queue whose one slot is held by a job that does not end, and a Forbid
// schedule whose run waits in a paused queue so its next ticks pass their deadline. Recovery is
// the operator's fix (cancel the stuck job, resume the queue). The generator's own options shorten
// the stall threshold and the missed window for the test copy (production keeps 10 min / 15m);
// `for:` is shortened as in every Prometheus e2e test. The queue wait and schedule punctuality
// SLOs are judged on the same real timestamps, in-process and by the recording rules. The two
// scenarios use their own queue and schedule and run at once (one Hodei, one Prometheus).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from '../test/e2e/harness.js';
import { DEFAULT_SLOS } from '../src/providers/kubernetes/slo-config.js';
import { queueCall } from '../test/support/queues.js';
import { PATHS, generateAll } from './src/generate.js';
import { concrete, loadBoard } from './testing/grafana.js';
import { poll, startPrometheusFor, type TestPrometheus } from './testing/prometheus.js';

const NS = 'hodei-queue-alerts';
const STALLED_SECONDS = 4;
const MISSED_WINDOW = '8s';

interface SloView { slos: { slo: string; compliant: boolean; total: number; bad: number }[] }

describe.concurrent('queue and schedule alerts on a real Prometheus', () => {
  let hodei: TestServer;
  let prom: TestPrometheus;

  beforeAll(async () => {
    // A 1 s queue-wait target (a bucket bound): the stalled job's wait breaks it, in-process and in the rules alike.
    const slos = { maxQueueWaitTime: 1 };
    hodei = await startTestServer({ config: { slo: slos } });
    const files = generateAll({
      slos: { ...DEFAULT_SLOS, ...slos },
      alerts: { queueStalledSeconds: STALLED_SECONDS, scheduleMissedWindow: MISSED_WINDOW },
    });
    prom = await startPrometheusFor(hodei.url, NS, files, PATHS);
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await hodei?.stop();
  });

  /** The alert's series for one label value: 'firing', 'pending' or undefined (resolved / never active). */
  const alertState = async (alert: string, label: string, value: string): Promise<string | undefined> =>
    (await prom.query(`ALERTS{alertname="${alert}", ${label}="${value}"}`))[0]?.metric.alertstate;
  const firing = (alert: string, label: string, value: string): Promise<true> =>
    poll(`${alert}{${label}="${value}"} firing`, async () => (await alertState(alert, label, value)) === 'firing' || undefined, 30_000);
  const resolved = (alert: string, label: string, value: string): Promise<true> =>
    poll(`${alert}{${label}="${value}"} resolved`, async () => (await alertState(alert, label, value)) === undefined || undefined, 30_000);

  it('a stalled queue fires HodeiQueueStalled; cancelling its stuck job resolves it', async () => {
    await queueCall(hodei, 'PUT', 'stall', { concurrency: 1 });
    const stuck = await hodei.client.submit({ command: 'sleep', args: ['120'], queue: 'stall' });
    await waitFor('the stuck job runs', async () => (await hodei.client.getJob(stuck.id)).state === 'running');
    const waiting = await hodei.client.submit({ command: 'true', queue: 'stall' });
    await firing('HodeiQueueStalled', 'queue', 'stall');
    // The queue is stalled, not merely busy: the waiting job has not started.
    expect((await hodei.client.getJob(waiting.id)).state).toBe('queued');
    const [alert] = await prom.query('ALERTS{alertname="HodeiQueueStalled", alertstate="firing"}');
    expect(alert?.metric).toMatchObject({ queue: 'stall', namespace: NS, severity: 'high' });

    await hodei.client.cancel(stuck.id);
    await waitFor('the waiting job ran', async () => (await hodei.client.getJob(waiting.id)).state === 'succeeded');
    await resolved('HodeiQueueStalled', 'queue', 'stall');

    // Its wait (> STALLED_SECONDS) broke the 1 s queue wait SLO: in-process from the job's own
    // transitions, and in Prometheus from hodei_job_queue_wait_seconds.
    const slo = JSON.parse((await hodei.client.raw('/v1/slo')).text) as SloView;
    const wait = slo.slos.find((s) => s.slo === 'queue_wait_time');
    expect(wait?.bad).toBeGreaterThanOrEqual(1);
    expect(wait?.compliant).toBe(false);
    const ratio = await poll('queue wait error ratio recorded', async () =>
      Number((await prom.query(`hodei:slo_error_ratio:rate5m{slo="queue_wait_time", namespace="${NS}"}`))[0]?.value[1] ?? 0) || undefined, 20_000);
    expect(ratio).toBeGreaterThan(0);
  }, 90_000);

  it('a missed schedule tick fires HodeiScheduleMissed; resuming the queue lets ticks run and it resolves', async () => {
    await queueCall(hodei, 'PUT', 'nightly', { paused: true });
    await hodei.client.send('POST', '/v1/schedules', {
      name: 'backup', cron: '*/3 * * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 1, job: { command: 'true', queue: 'nightly' },
    });
    await firing('HodeiScheduleMissed', 'schedule', 'backup');
    const [alert] = await prom.query('ALERTS{alertname="HodeiScheduleMissed", alertstate="firing"}');
    expect(alert?.metric).toMatchObject({ schedule: 'backup', namespace: NS, severity: 'warning' });
    // A missed tick is a late tick: the punctuality SLO is broken in-process and in the rules.
    const slo = JSON.parse((await hodei.client.raw('/v1/slo')).text) as SloView;
    expect(slo.slos.find((s) => s.slo === 'schedule_punctuality')).toMatchObject({ compliant: false });
    await poll('schedule punctuality error ratio recorded', async () =>
      Number((await prom.query(`hodei:slo_error_ratio:rate5m{slo="schedule_punctuality", namespace="${NS}"}`))[0]?.value[1] ?? 0) > 0 || undefined, 20_000);

    await queueCall(hodei, 'PATCH', 'nightly', { paused: false });
    // Ticks run again (triggered and started), and the alert resolves once the window holds no miss.
    const started = async (): Promise<number> => Number((await prom.query(`sum(hodei_schedule_start_delay_seconds_count{namespace="${NS}"})`))[0]?.value[1] ?? 0);
    const before = await started();
    await poll('a later tick started', async () => (await started()) > before || undefined, 20_000);
    // The dashboard's punctuality panel draws those starts (a number, not the NaN of no data).
    const panel = loadBoard('overview').panels.find((p) => p.title === 'Schedule Start Delay vs SLO');
    const p95 = await prom.query(concrete(panel?.targets?.[0]?.expr ?? '', { namespace: NS, rateInterval: '1m' }));
    expect(Number(p95[0]?.value[1])).toBeGreaterThanOrEqual(0);
    await resolved('HodeiScheduleMissed', 'schedule', 'backup');
    await hodei.client.send('PATCH', '/v1/schedules/backup', { suspend: true });
  }, 90_000);
});

