// A real Prometheus (Debian `prometheus`) for end-to-end tests: started on 127.0.0.1 with its own
// temp storage, scraping the given targets with a short interval, stopped by pid. Callers poll
// (targets up, query results), never sleep a fixed time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, poll } from '../wait.js';

export { poll };

export interface PromSample { metric: Record<string, string>; value: [number, string] }
export interface PromRule { name: string; type: 'alerting' | 'recording'; health: string; lastError?: string; lastEvaluation: string; state?: string }

export interface TestPrometheus {
  url: string;
  query(expr: string): Promise<PromSample[]>;
  rules(): Promise<PromRule[]>;
  /** Resolves when every target of the job is up. */
  waitForTargetsUp(job: string, timeoutMs?: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** job name → [host:port] targets; `labels` are added to every target (e.g. namespace). */
  scrape: { job: string; targets: string[]; labels?: Record<string, string> }[];
  /** Rule files' contents (already adapted for the test, e.g. shortened `for:`). */
  ruleFiles?: Record<string, string>;
  /** @defaultValue '1s' */
  interval?: string;
}



export async function startPrometheus(o: PrometheusOptions): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'hodei-prometheus-'));
  const interval = o.interval ?? '1s';
  const ruleFiles = Object.entries(o.ruleFiles ?? {}).map(([name, content]) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  });
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: ruleFiles,
    scrape_configs: o.scrape.map((s) => ({ job_name: s.job, static_configs: [{ targets: s.targets, labels: s.labels ?? {} }] })),
  }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const proc: ChildProcess = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1h',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.on('close', () => r()));
  proc.on('error', (e) => (out += `spawn error: ${e.message}\n`));

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll('prometheus ready', async () => (await fetch(`${url}/-/ready`)).ok, 30_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return {
    url,
    output: () => out,
    query: async (expr) => (await api<{ resultType: string; result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    rules: async () => (await api<{ groups: { rules: PromRule[] }[] }>('/api/v1/rules')).groups.flatMap((g) => g.rules),
    waitForTargetsUp: async (job, timeoutMs = 30_000) => {
      await poll(`targets of ${job} up`, async () => {
        const t = await api<{ activeTargets: { labels: Record<string, string>; health: string }[] }>('/api/v1/targets?state=active');
        const mine = t.activeTargets.filter((x) => x.labels.job === job);
        return mine.length > 0 && mine.every((x) => x.health === 'up');
      }, timeoutMs);
    },
    stop,
  };
}

/** The generated rules with every `for:` shortened to 1 s and group intervals dropped (test copy only). */
export const shortenFor = (yaml: string): string => yaml.replace(/^(\s+for: )\S+$/gm, '$11s').replace(/^\s+interval: \S+\n/gm, '');

/** A Prometheus scraping one Hodei (job "hodei", namespace label) with the generated rules loaded; resolves once the target is up. */
export async function startPrometheusFor(hodeiUrl: string, namespace: string, files: Record<string, string>, paths: { alerts: string; sloRules: string }): Promise<TestPrometheus> {
  const prom = await startPrometheus({
    scrape: [{ job: 'hodei', targets: [new URL(hodeiUrl).host], labels: { namespace } }],
    ruleFiles: { 'alerts.yaml': shortenFor(files[paths.alerts] ?? ''), 'slo.yaml': shortenFor(files[paths.sloRules] ?? '') },
  });
  await prom.waitForTargetsUp('hodei');
  return prom;
}

/** Every loaded rule, once each has been evaluated; `broken` lists those that errored, `active` the alerts pending or firing. */
export async function evaluatedRules(prom: TestPrometheus): Promise<{ rules: PromRule[]; broken: string[]; active: string[] }> {
  const rules = await poll('every rule evaluated', async () => {
    const r = await prom.rules();
    return r.length > 0 && r.every((x) => x.health !== 'unknown') ? r : undefined;
  }, 30_000);
  return {
    rules,
    broken: rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`),
    active: rules.filter((r) => r.type === 'alerting' && r.state !== 'inactive').map((r) => `${r.name} ${r.state ?? ''}`),
  };
}
