// Whole-system test helpers: a real control plane (in-process or as a `hodei server` child
// process) on a fresh database, the real CLI as a child process, and a client over real HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { defaultWorkerMode, loadConfig, type HodeiConfig } from '../../src/config.js';
import { startControlPlane, type ControlPlane } from '../../src/control-plane/control-plane.js';
import { isTerminal, type Job } from '../../src/domain/job.js';
import { createLogger } from '../../src/observability/logger.js';
import type { WorkerProvider } from '../../src/providers/provider.js';
import { freshDatabase, type TestDatabase, type TestEngine } from '../support/store/fresh.js';
import { hodeiCliCommand } from '../../src/util/paths.js';
import { newToken } from '../../src/util/tokens.js';
export { freePort } from '../support/wait.js';

/** Short intervals so lost workers and retries resolve within a test. */
export const FAST: Partial<HodeiConfig> = {
  heartbeatIntervalMs: 500, workerLostAfterMs: 4000, reconcileIntervalMs: 500, registrationTimeoutMs: 20_000,
};

export interface TestServer {
  cp: ControlPlane;
  client: HodeiClient;
  url: string;
  token: string;
  dataDir: string;
  /** Everything the control plane logged (JSON lines). */
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startTestServer(opts: { engine?: TestEngine; config?: Partial<HodeiConfig>; database?: TestDatabase; provider?: WorkerProvider } = {}): Promise<TestServer> {
  const db = opts.database ?? await freshDatabase(opts.engine ?? 'pglite');
  const dataDir = db.engine === 'pglite' ? db.location : mkdtempSync(join(tmpdir(), 'hodei-e2e-'));
  const token = newToken();
  const config = loadConfig({
    env: {},
    flags: { port: 0, dataDir, apiToken: token, logLevel: 'debug', ...FAST, ...(db.engine === 'postgres' ? { databaseUrl: db.location } : {}), ...opts.config },
  });
  let captured = '';
  const destination = new Writable({ write(chunk: Buffer, _enc, cb) { captured += chunk.toString(); cb(); } });
  // The config's default mode follows its own `provider` setting (local); a given provider may differ.
  if (opts.provider && opts.config?.workerMode === undefined) config.workerMode = defaultWorkerMode(opts.provider.kind);
  const cp = await startControlPlane({ config, logger: createLogger({ level: 'debug', destination }), ...(opts.provider ? { provider: opts.provider } : {}) });
  return {
    cp, url: cp.url, token, dataDir, client: new HodeiClient(cp.url, token), logs: () => captured,
    stop: () => cp.stop({ terminateWorkers: true }),
  };
}

/** Polls until the job has ended (or the deadline passes, which fails the test). */
export async function waitForJob(client: HodeiClient, id: string, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.getJob(id);
    if (isTerminal(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the compiled `hodei` CLI. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  const [cmd, ...prefix] = hodeiCliCommand();
  return new Promise((resolve, reject) => {
    const p = spawn(cmd ?? 'node', [...prefix, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`hodei ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`)); }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}


export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Server processes the file's tests started and did not stop. A test that times out never runs its
 * `finally`: without this its servers (and their agents) outlive the run and load the machine for
 * every later file. Stopped when the file ends: SIGTERM, then SIGKILL after 5 s.
 */
const serverProcesses = new Set<{ proc: ChildProcess; exited: Promise<unknown> }>();
afterAll(async () => {
  await Promise.all([...serverProcesses].map(async ({ proc, exited }) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }));
  serverProcesses.clear();
}, 15_000);

/** `hodei server` as a child process (for SIGKILL/restart scenarios). Resolves once it listens. */
export async function startServerProcess(args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const [cmd, ...prefix] = hodeiCliCommand();
  const proc = spawn(cmd ?? 'node', [...prefix, 'server', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  const entry = { proc, exited };
  serverProcesses.add(entry);
  void exited.then(() => serverProcesses.delete(entry));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) resolve(m[1]);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`hodei server exited (${code}) before listening:\n${output}`)));
  });
  return { proc, url, output: () => output, exited };
}
