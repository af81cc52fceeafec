// Worker lifecycle events are mirrored onto the pod as Kubernetes Events (events.k8s.io/v1), so
// `kubectl describe pod` shows what Hodei did: created, and failed with the reason.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeSim } from '../../src/kube-sim/index.js';
import { poll, simSettings, startTestSim } from '../support/kubernetes/sim.js';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

const run = promisify(execFile);
let sim: KubeSim;
let s: TestServer;
const NS = 'hodei-pod-events';

beforeAll(async () => {
  sim = await startTestSim();
  // Pods are kept (retention always) so there is a pod to describe after the job.
  s = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, podRetention: 'always', pendingTimeoutMs: 3000 }) } });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await sim?.stop();
});

const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', sim.kubeconfig, ...args],
  { env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'kubectl-home-')) } });

async function describePod(jobId: string): Promise<string> {
  const pod = await waitFor('the job pod', async () => sim.store.list('pods', NS).items.find((p) => p.metadata.labels?.['hodei.io/job-id'] === jobId));
  return (await kubectl('describe', 'pod', '-n', NS, pod.metadata.name ?? '')).stdout;
}

it('kubectl describe pod shows the worker created by hodei', async () => {
  const job = await s.client.submit({ command: 'echo', args: ['hi'] });
  expect((await waitForJob(s.client, job.id)).state).toBe('succeeded');
  const out = await poll('WorkerCreated in describe', async () => {
    const text = await describePod(job.id);
    return text.includes('WorkerCreated') ? text : undefined;
  });
  expect(out).toMatch(/Normal\s+WorkerCreated\s+.*hodei\.io\/control-plane\s+hodei worker\.created, worker w-[0-9a-f-]+, job [0-9a-f-]+/);
});

it('kubectl get events shows why a worker failed (its pod is gone: it never ran)', async () => {
  const job = await s.client.submit({ command: 'true', image: 'registry.invalid/nope:1' });
  const ended = await waitForJob(s.client, job.id);
  expect(['ErrImagePull', 'ImagePullBackOff']).toContain(ended.reason);
  const out = await waitFor('the failure in kubectl get events', async () => {
    const { stdout } = await kubectl('get', 'events', '-n', NS, '-o', 'jsonpath={range .items[*]}{.type} {.reason} {.involvedObject.kind}/{.involvedObject.name} {.source.component}: {.message}{"\\n"}{end}');
    // The job never reached a worker (job.workerId stays null): the event names the worker and the job.
    return new RegExp(`Warning ${ended.reason} Pod/hodei-w-[0-9a-f-]+ hodei\\.io/control-plane: hodei worker\\.failed, worker w-[0-9a-f-]+, job ${job.id}`).test(stdout) ? stdout : undefined;
  });
  expect(out).toContain(`job ${job.id}`);
});
