// Shared by the controller tests: a sim with test-speed latencies, polling, admin HTTP calls.
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { startKubeSim } from '../../../src/kube-sim/index.js';
import { clientsFor, type SimClients } from './clients.js';
import type { KubeSimOptions } from '../../../src/kube-sim/types.js';

/** Latencies of a few ms, so tests run fast while still going through every state. */
export const FAST: KubeSimOptions = {
  schedulingLatencyMs: 2, imagePullLatencyMs: 5, containerStartLatencyMs: 2, imagePullBackoffMs: 50,
  restartBackoffMs: 50, schedulerRetryMs: 200, hpaSyncMs: 100, hpaDownscaleStabilizationSeconds: 0,
};

/** A sim running the built-in controllers, plus clients. */
export async function startSim(options: KubeSimOptions = {}): Promise<SimClients> {
  const sim = await startKubeSim({ ...FAST, ...options });
  return { sim, ...clientsFor(sim.kubeconfig) };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An admin-endpoint call (/__sim/...) with the sim's token; returns status and parsed JSON. */
export function admin(c: SimClients, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const url = new URL(path, c.sim.url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const opts = {
    method, headers: { Authorization: `Bearer ${c.sim.token}`, 'Content-Type': 'application/json', ...(text ? { 'Content-Length': Buffer.byteLength(text) } : {}) },
    ...(c.sim.caPem ? { ca: c.sim.caPem } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? request : httpRequest)(url, opts, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => { data += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) as unknown : undefined }));
    });
    req.on('error', reject);
    if (text) req.write(text);
    req.end();
  });
}

/** true while any process of the group exists. */
export function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}
