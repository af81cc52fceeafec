// The Kubernetes fixture of the provision, probe, scrape and memory benchmarks: one kube-sim
// process (bench/lib/sim-process.mjs) and, for the last three, one `hodei server --provider
// kubernetes` process on PostgreSQL watching it. Shared by the benchmarks of one run.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, sleep, waitFor } from './common.mjs';
import { freshDatabase } from './postgres.mjs';

export const NAMESPACE = 'hodei-jobs-workers';
export const PROVIDER_ID = 'kubernetes';
const API_TOKEN = 'bench-api-token-0123456789abcdef';

let sim = null;
let cp = null;

function ipc(child, name) {
  let pending = [];
  child.on('message', (m) => { const p = pending.shift(); if (m.ok) p?.resolve(m.value); else p?.reject(new Error(`${name}: ${m.error}`)); });
  child.on('exit', (code) => { for (const p of pending) p.reject(new Error(`${name} exited (${code})`)); pending = []; });
  const next = () => new Promise((resolve, reject) => pending.push({ resolve, reject }));
  return { next, call: (msg) => { const p = next(); child.send(msg); return p; } };
}

export async function startSim() {
  if (sim) return sim;
  progress('starting kube-sim (bare API server, 4 nodes) in its own process');
  const child = fork(join(import.meta.dirname, 'sim-process.mjs'), [], { env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { next, call } = ipc(child, 'kube-sim');
  const info = await next();
  sim = {
    ...info, pid: child.pid,
    setPods: (count) => call({ op: 'pods', count, namespace: NAMESPACE, providerId: PROVIDER_ID }),
    /** One API round trip as a plain client makes it (keep-alive, bearer token): ms. */
    async rawRoundTrip() {
      const t0 = performance.now();
      const res = await fetch(`${info.url}/api/v1/namespaces/${NAMESPACE}`, { headers: { authorization: `Bearer ${info.token}` } });
      await res.arrayBuffer();
      return performance.now() - t0;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      await Promise.race([call({ op: 'stop' }), sleep(10_000)]).catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return sim;
}

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** `hodei server --provider kubernetes` against the sim, on a fresh PostgreSQL database. */
export async function startControlPlane() {
  if (cp) return cp;
  const s = await startSim();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hodei-bench-cp-'));
  const databaseUrl = await freshDatabase('bench_k8s');
  progress('starting hodei server --provider kubernetes (PostgreSQL) in its own process');
  // The inspector (on a free port, this host only) lets the memory benchmark collect garbage before
  // it reads the heap: otherwise it reads whatever the last burst of watch events left to collect.
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(import.meta.dirname, '../../dist/cli/main.js'), 'server', '--provider', 'kubernetes',
    '--kubeconfig', s.kubeconfig, '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir,
    '--log-level', 'warn', '--log-format', 'json'], {
    env: { ...process.env, HODEI_API_TOKEN: API_TOKEN, HODEI_DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let inspectorUrl;
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
    inspectorUrl ??= /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(stderr)?.[0];
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`hodei server exited (${child.exitCode}): ${stderr}`);
    return fetch(`${url}/livez`).then((r) => r.ok, () => false);
  }, 'hodei server /livez', 120_000, 200);
  cp = {
    url, pid: child.pid,
    async get(path) {
      const t0 = performance.now();
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      const body = Buffer.from(await res.arrayBuffer());
      return { ms: performance.now() - t0, status: res.status, bytes: body.length, text: () => body.toString('utf8') };
    },
    /** Pods the provider's informer tracks (sum of hodei_kubernetes_pods_by_state). */
    async trackedPods() {
      const text = (await this.get('/metrics')).text();
      return [...text.matchAll(/^\w*pods_by_state\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
    },
    /** After a full garbage collection: resident memory (kernel) and V8 heap used, bytes. */
    async memory() {
      const heap = await inspect(inspectorUrl);
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;
      return { rss, heap };
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
      rmSync(dataDir, { recursive: true, force: true });
      cp = null;
    },
  };
  return cp;
}

/** Collects garbage in the inspected process, then returns its heap used (bytes). */
async function inspect(url) {
  if (!url) throw new Error('the server printed no inspector URL');
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method, params = {}) => new Promise((resolve) => {
    const mine = ++id;
    const on = (data) => { const m = JSON.parse(data); if (m.id === mine) { ws.off('message', on); resolve(m.result); } };
    ws.on('message', on);
    ws.send(JSON.stringify({ id: mine, method, params }));
  });
  try {
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.getHeapUsage');
    return r.usedSize;
  } finally {
    ws.close();
  }
}

/** The sim holds exactly `count` tracked pods and the control plane's informer has seen them all. */
export async function clusterWithPods(count) {
  const s = await startSim();
  const c = await startControlPlane();
  progress(`  cluster: ${count.toLocaleString('en-US')} tracked pods`);
  await s.setPods(count);
  await waitFor(async () => (await c.trackedPods()) === count, `the control plane to track ${count} pods`, 300_000, 500);
  return { sim: s, cp: c };
}

export async function restartControlPlane() {
  await cp?.stop();
  return startControlPlane();
}

export async function stopCluster() {
  await cp?.stop();
  await sim?.stop();
  sim = null;
}
