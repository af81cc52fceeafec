// `hodei kube-sim` (the CLI command, in-process) serves a cluster that kubectl reads: nodes from
// the flags, and `describe pod` shows the scheduler's and kubelet's events.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerKubeSimCommand } from '../../cli/kube-sim.js';
import { clientsFor } from '../../../test/support/kube-sim/clients.js';
import { waitFor } from '../../../test/support/kube-sim/controllers.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'kube-sim-cli-'));
const kubeconfig = join(dir, 'kubeconfig');
let running: Promise<unknown>;
let printed = '';

async function kubectl(...args: string[]): Promise<string> {
  const r = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: dir } });
  return r.stdout;
}

beforeAll(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { printed += chunk.toString(); return true; });
  const program = new Command('hodei').exitOverride();
  registerKubeSimCommand(program);
  running = program.parseAsync(['node', 'hodei', 'kube-sim', '--nodes', '2', '--node-cpu', '4', '--node-label', 'pool=sim',
    '--image-pull-latency', '5', '--start-latency', '2', '--kubeconfig-out', kubeconfig]);
  await waitFor('kubeconfig written', () => existsSync(kubeconfig) && printed.includes('get nodes'));
  vi.mocked(process.stdout.write).mockRestore();
});
afterAll(async () => {
  process.emit('SIGINT');
  await running;
});

describe('hodei kube-sim + kubectl', () => {
  it('prints the kubeconfig path and a kubectl example', () => {
    expect(printed).toContain(`kubeconfig: ${kubeconfig}`);
    expect(printed).toContain(`kubectl --kubeconfig ${kubeconfig} get nodes`);
  });

  it('kubectl get nodes shows the nodes the flags asked for', async () => {
    const out = await kubectl('get', 'nodes', '-L', 'pool');
    expect(out).toMatch(/kube-sim-node-1\s+Ready/);
    expect(out).toMatch(/kube-sim-node-2\s+Ready.*sim/);
    expect(out).not.toContain('kube-sim-node-3');
    const cpu = await kubectl('get', 'node', 'kube-sim-node-1', '-o', 'jsonpath={.status.allocatable.cpu}');
    expect(cpu).toBe('4');
  });

  it('kubectl describe pod shows the events of a running pod and of a failing pull', async () => {
    const { core } = clientsFor(kubeconfig);
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } });
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'broken' }, spec: { containers: [{ name: 'main', image: 'no-such-registry.example/x:1' }] } } });
    await waitFor('web running', async () => (await core.readNamespacedPod({ namespace: 'default', name: 'web' })).status?.phase === 'Running');
    await waitFor('broken backing off', async () => (await core.readNamespacedPod({ namespace: 'default', name: 'broken' })).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');

    const web = await kubectl('describe', 'pod', 'web');
    expect(web).toMatch(/Status:\s+Running/);
    expect(web).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/web to kube-sim-node-\d/);
    expect(web).toMatch(/Normal\s+Pulled\s+.*kubelet\s+Successfully pulled image "busybox:1.36"/);
    expect(web).toMatch(/Normal\s+Started\s+.*kubelet\s+Started container main/);

    const broken = await kubectl('describe', 'pod', 'broken');
    expect(broken).toMatch(/Reason:\s+ImagePullBackOff/);
    expect(broken).toMatch(/Warning\s+Failed\s+.*kubelet\s+Error: ErrImagePull/);
    expect(broken).toMatch(/Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image "no-such-registry.example\/x:1"/);

    const pods = await kubectl('get', 'pods');
    expect(pods).toMatch(/broken\s+0\/1\s+ImagePullBackOff/);
    expect(pods).toMatch(/web\s+1\/1\s+Running/);
  });
});
