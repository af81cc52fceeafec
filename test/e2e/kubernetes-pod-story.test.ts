// A job's pod tells the job's story: the worker container (the agent) exits with the job's exit
// code, so the pod shows Error and `podRetention: onFailure` keeps it; `kubectl logs` shows the
// job's output on stdout (the agent's JSON lines go to stderr); and a job failing by its own doing
// is a job failure, never a worker.failed — the worker-creation SLO counts only the platform's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { clientsFor } from '../support/kube-sim/clients.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

let sim: KubeSim;
let s: TestServer;
const NS = 'hodei-story';

beforeAll(async () => {
  sim = await startTestSim();
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, podRetention: 'onFailure' }) } });
});
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

it('a failed job\'s pod: Error with the job\'s exit code, kept by onFailure, its logs the job\'s output; no worker.failed', async () => {
  const submitted = await s.client.submit({ command: 'sh', args: ['-c', 'echo job-says-hello; exit 3'], retries: 0 });
  const job = await waitForJob(s.client, submitted.id, 40_000);
  expect({ state: job.state, exitCode: job.exitCode, reason: job.reason }).toEqual({ state: 'failed', exitCode: 3, reason: 'NonZeroExit' });
  const pod = await poll('the pod to be Failed with the job\'s exit code', () => sim.store.list('pods', NS).items.find((p) =>
    p.metadata.labels?.['hodei.io/job-id'] === job.id && (p.status as { phase?: string } | undefined)?.phase === 'Failed'), 20_000);
  const status = pod.status as { containerStatuses?: { state?: { terminated?: { exitCode?: number; reason?: string } } }[] };
  expect(status.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
  // Kept: onFailure retention (the agent used to exit 0 and the pod showed Completed, and was deleted).
  expect(sim.store.list('pods', NS).items.some((p) => p.metadata.name === pod.metadata.name)).toBe(true);
  const logs = await clientsFor(sim.kubeconfig).core.readNamespacedPodLog({ name: pod.metadata.name, namespace: NS });
  // kubectl logs merges the container's streams: the job's stdout line, and the agent's own lines
  // (JSON on stderr, named hodei-worker) — the old agent showed only its JSON.
  const lines = logs.split('\n').filter((l) => l !== '');
  expect(lines.filter((l) => !l.startsWith('{'))).toEqual(['job-says-hello']);
  expect(lines.filter((l) => l.startsWith('{')).every((l) => (JSON.parse(l) as { name?: string }).name === 'hodei-worker')).toBe(true);
  const events = JSON.parse((await s.client.raw('/v1/events?type=worker.failed')).text) as { events: unknown[] };
  expect(events.events).toEqual([]);
});
