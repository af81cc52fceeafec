// The observability runtime end to end on a real control plane (local provider): worker lifecycle
// events in the spec's shape over /v1/events (query and live follow), /v1/slo with targets from a
// config file's `slo:` section, the events file sink, gauges on /metrics, and the CLI on top.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { loadConfig } from '../../src/config.js';
import { startControlPlane, type ControlPlane } from '../../src/control-plane/control-plane.js';
import { EVENT_KEYS, type HodeiEvent } from '../../src/observability/events/types.js';
import { createLogger } from '../../src/observability/logger.js';
import type { SloReport } from '../../src/observability/slo-engine.js';
import { LocalProcessProvider } from '../../src/providers/local/local-provider.js';
import type { ProvisionRequest } from '../../src/providers/provider.js';
import { freshDatabase } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import { FAST, runCli, waitFor, waitForJob } from './harness.js';

/** The local provider, refusing to start workers for jobs labelled fail=provision. */
class FlakyLocalProvider extends LocalProcessProvider {
  override async provision(req: ProvisionRequest): Promise<{ handle: string }> {
    if (req.labels.fail === 'provision') throw new Error('no capacity for this worker');
    return super.provision(req);
  }
}

let cp: ControlPlane;
let client: HodeiClient;
let token: string;
let eventsFile: string;
const env = (): Record<string, string> => ({ HODEI_URL: cp.url, HODEI_API_TOKEN: token });

async function events(query = ''): Promise<HodeiEvent[]> {
  const r = await client.raw(`/v1/events?limit=1000${query}`);
  expect(r.status).toBe(200);
  return (JSON.parse(r.text) as { events: HodeiEvent[] }).events;
}

beforeAll(async () => {
  const db = await freshDatabase('pglite');
  const dir = mkdtempSync(join(tmpdir(), 'hodei-obs-'));
  eventsFile = join(dir, 'events.jsonl');
  const file = join(dir, 'hodei.yaml');
  writeFileSync(file, `slo:\n  maxApiErrorRate: 0.005\n  windowSeconds: 1800\nevents:\n  file: ${eventsFile}\n  maxCount: 1000\n`);
  token = newToken();
  // Worker events for workers provisioned per job (their job's resources, a refusal per job): an
  // agent per job. The warm pool's events are in pooled.test.ts.
  const config = loadConfig({ env: {}, file, flags: { port: 0, dataDir: db.location, apiToken: token, workerMode: 'ephemeral', ...FAST } });
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  cp = await startControlPlane({ config, logger, provider: new FlakyLocalProvider({ logger }) });
  client = new HodeiClient(cp.url, token);
});
afterAll(async () => {
  await cp?.stop({ terminateWorkers: true });
});

describe('/v1/events', () => {
  it('records worker.created / deleted / failed for real jobs, in the spec shape', async () => {
    const ok = await client.submit({ command: 'true', resources: { cpu: '250m', memory: '64Mi' }, secrets: { API_KEY: 'super-secret-value-42' } });
    const bad = await client.submit({ command: 'sh', args: ['-c', 'exit 3'] });
    const refused = await client.submit({ command: 'true', labels: { fail: 'provision' } });
    expect((await waitForJob(client, ok.id)).state).toBe('succeeded');
    expect((await waitForJob(client, bad.id)).state).toBe('failed');
    expect((await waitForJob(client, refused.id)).state).toBe('failed');

    const all = await waitFor('worker.deleted of both workers', async () => {
      const evs = await events();
      const deleted = evs.filter((e) => e.event_type === 'worker.deleted').map((e) => e.details.job_id);
      return deleted.includes(ok.id) && deleted.includes(bad.id) ? evs : null;
    });
    for (const e of all) expect(Object.keys(e)).toEqual([...EVENT_KEYS]);
    const created = all.find((e) => e.event_type === 'worker.created' && e.details.job_id === ok.id);
    expect(created).toMatchObject({ provider: 'local', success: true, namespace: null, details: { cpu_request: '250m', memory_request: '64Mi' } });
    expect(created?.worker_id).toMatch(/^w-/);
    expect(typeof created?.duration_ms).toBe('number');
    expect(Date.parse(created?.timestamp ?? '')).not.toBeNaN();
    expect(all.find((e) => e.event_type === 'resource.allocated' && e.details.job_id === ok.id)?.details).toMatchObject({ cpu_millicores: 250, memory_bytes: 64 * 2 ** 20 });
    const failed = all.find((e) => e.event_type === 'worker.failed' && e.details.job_id === refused.id);
    expect(failed).toMatchObject({ success: false, details: { reason: 'ProvisioningFailed', message: 'no capacity for this worker' } });

    // Filters: type + worker, and since.
    const mine = await events(`&type=worker.created&worker_id=${created?.worker_id ?? ''}`);
    expect(mine).toHaveLength(1);
    expect(await events('&since=2999-01-01T00:00:00Z')).toEqual([]);
    expect((await client.raw('/v1/events?since=yesterday')).status).toBe(400);

    const text = JSON.stringify(all);
    expect(text).not.toContain('super-secret-value-42');
    expect(text).not.toContain(token);

    // The file sink holds the same events as JSON lines.
    await cp.observability.events.flush();
    const lines = readFileSync(eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HodeiEvent);
    expect(lines.some((e) => e.event_type === 'worker.failed' && e.details.job_id === refused.id)).toBe(true);
  });

  it('?follow=true streams events recorded after the request', async () => {
    const ac = new AbortController();
    const res = await fetch(`${cp.url}/v1/events?follow=true&type=worker.created&since=2999-01-01T00:00:00Z`, {
      headers: { authorization: `Bearer ${token}` }, signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const job = await client.submit({ command: 'true' });
    const reader = res.body?.getReader();
    let buf = '';
    let found: HodeiEvent | undefined;
    while (!found && reader) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      found = buf.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as HodeiEvent).find((e) => e.details.job_id === job.id);
    }
    ac.abort();
    expect(found?.event_type).toBe('worker.created');
    await waitForJob(client, job.id);

    const sse = await fetch(`${cp.url}/v1/events?format=sse&type=worker.created&limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const body = await sse.text();
    expect(body).toMatch(/^event: worker\.created\ndata: \{"timestamp":/);
  });
});

describe('/v1/slo and gauges', () => {
  it('answers with targets from the config file, SLIs, budgets and burn rates', async () => {
    const r = JSON.parse((await client.raw('/v1/slo')).text) as SloReport;
    expect(r.targets).toEqual({
      maxPodCreationTime: 30, minWorkerCreationSuccessRate: 0.99, maxApiErrorRate: 0.005, maxHpaResponseTime: 60, maxQueueWaitTime: 60, maxScheduleStartDelay: 60,
    });
    expect(r.windowSeconds).toBe(1800);
    expect(r.compliant).toBe(true);
    expect(r.slos.map((s) => s.slo)).toEqual([
      'pod_creation_time', 'worker_creation_success_rate', 'api_error_rate', 'hpa_response_time', 'queue_wait_time', 'schedule_punctuality',
    ]);
    expect(r.slos.every((s) => s.errorBudgetRemaining === 1 && s.burnRate === 0)).toBe(true);
    const metrics = (await client.raw('/metrics')).text;
    expect(metrics).toContain('hodei_slo_compliant{slo="api_error_rate"} 1');
    expect(metrics).toContain('hodei_slo_error_budget_remaining_ratio{slo="pod_creation_time"} 1');
    expect(metrics).toContain('hodei_sli_value{sli="api_error_rate"} 0');
    expect(metrics).toMatch(/hodei_events_recorded_total\{event_type="worker.created"\} [1-9]/);
  });
});

describe('CLI', () => {
  it('hodei events, hodei slo and hodei health', async () => {
    const list = await runCli(['events', '--type', 'worker.failed', '--json'], env());
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as { events: HodeiEvent[] };
    expect(parsed.events.length).toBeGreaterThan(0);
    expect(parsed.events.every((e) => e.event_type === 'worker.failed')).toBe(true);
    const human = await runCli(['events', '--since', '1h'], env());
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/worker\.created\s+ok\s+w-/);
    const badSince = await runCli(['events', '--since', 'soon'], env());
    expect(badSince.code).not.toBe(0);
    expect(badSince.stderr).toContain('--since must be');

    const slo = await runCli(['slo'], env());
    expect(slo.code).toBe(0);
    expect(slo.stdout).toContain('SLOs over the last 30m');
    expect(slo.stdout).toMatch(/api_error_rate\s+≤ 0\.50%\s+no data\s+ok/);
    const sloJson = await runCli(['slo', '--json', '--check'], env());
    expect(sloJson.code).toBe(0);
    expect((JSON.parse(sloJson.stdout) as SloReport).compliant).toBe(true);

    const health = await runCli(['health', '--verbose'], env());
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^readiness\s+Healthy/m);
    expect(health.stdout).toContain('[+] store:');
  });

  it('hodei events --follow prints new events as they happen', async () => {
    const { spawn } = await import('node:child_process');
    const { hodeiCliCommand } = await import('../../src/util/paths.js');
    const [cmd, ...prefix] = hodeiCliCommand();
    const p = spawn(cmd ?? 'node', [...prefix, 'events', '--follow', '--json', '--type', 'worker.created', '--since', '2999-01-01T00:00:00Z'], {
      env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // The stream is open once the server has the request; a job submitted until then may be missed, so keep submitting.
      const seen = await waitFor('a followed worker.created', async () => {
        const job = await client.submit({ command: 'true' });
        await waitForJob(client, job.id);
        return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as HodeiEvent).find((e) => e.event_type === 'worker.created');
      });
      expect(Object.keys(seen)).toEqual([...EVENT_KEYS]);
    } finally {
      p.kill('SIGTERM');
    }
  });
});

describe('an SLO violation', () => {
  it('shows in /v1/slo, as an slo.violated event, in `hodei slo --check`; open follow streams do not block shutdown', async () => {
    // A follow stream left open on purpose: afterAll's stop() must end it.
    const open = await fetch(`${cp.url}/v1/events?follow=true`, { headers: { authorization: `Bearer ${token}` } });
    expect(open.status).toBe(200);
    cp.observability.slo.tracker.recordApiRequest(false);
    cp.observability.slo.tracker.recordApiRequest(true);
    const r = JSON.parse((await client.raw('/v1/slo')).text) as SloReport;
    expect(r.compliant).toBe(false);
    expect(r.violations.map((v) => v.message)).toEqual(['api_error_rate: 50.00% > target 0.50%']);
    expect(r.slos.find((s) => s.slo === 'api_error_rate')).toMatchObject({ total: 2, bad: 1, burnRate: 100, errorBudgetRemaining: -99 });
    const violated = await events('&type=slo.violated');
    expect(violated).toHaveLength(1);
    expect(violated[0]).toMatchObject({ success: false, details: { slo: 'api_error_rate', target: 0.005, current: 0.5, window_seconds: 1800 } });
    const check = await runCli(['slo', '--check'], env());
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('- api_error_rate: 50.00% > target 0.50%');
  });
});
