// kubectl against the sim: the real Go client's discovery, table printing, describe and logs.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, R, type KubeSim } from '../index.js';

const run = promisify(execFile);
// KUBECTL=/path/to/kubectl runs the suite against another kubectl version (e.g. Debian's 1.20).
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
let sim: KubeSim;

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(KUBECTL, ['--kubeconfig', sim.kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'kubectl-home-')) } });
    return { ...r, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: x.stdout ?? '', stderr: x.stderr ?? '', code: x.code ?? 1 };
  }
}

const node = (name: string) => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'node-role.kubernetes.io/worker': '' } },
  spec: {},
  status: {
    capacity: { cpu: '8', memory: '32Gi', pods: '110' }, allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    nodeInfo: { kubeletVersion: 'v1.30.0-kube-sim', kernelVersion: '6.0', osImage: 'kube-sim', containerRuntimeVersion: 'sim://1', kubeProxyVersion: 'v1.30.0', operatingSystem: 'linux', architecture: 'amd64', machineID: name, systemUUID: name, bootID: name },
  },
});

describe('kubectl', () => {
  beforeAll(async () => {
    sim = await startKubeSim({ tls: true, controllers: () => [] });
    for (const n of ['node-a', 'node-b']) sim.admin.apply(R.nodes, node(n));
    sim.store.create(R.namespaces, { metadata: { name: 'team' } });
    sim.store.create(R.pods, { metadata: { name: 'worker-1', namespace: 'team', labels: { app: 'w' } }, spec: { nodeName: 'node-a', containers: [{ name: 'agent', image: 'hodei-worker:dev' }] } });
    sim.store.create(R.pods, { metadata: { name: 'other', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    sim.podLogs.register((req) => (req.pod === 'worker-1' ? `hello from ${req.container ?? ''}\nline 2\n` : undefined));
  });
  afterAll(async () => { await sim.stop(); });

  it('get pods -A lists every namespace with table columns', async () => {
    const r = await kubectl('get', 'pods', '-A');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(r.stdout).toMatch(/team\s+worker-1\s+0\/1\s+Pending\s+0/);
    expect(r.stdout).toMatch(/default\s+other\s+0\/1\s+Pending/);
  });

  it('get nodes', async () => {
    const r = await kubectl('get', 'nodes');
    expect(r.stdout).toMatch(/node-a\s+Ready\s+worker\s+\S+\s+v1.30.0-kube-sim/);
    expect(r.stdout).toContain('node-b');
  });

  it('describe pod', async () => {
    const r = await kubectl('describe', 'pod', '-n', 'team', 'worker-1');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Name:\s+worker-1/);
    expect(r.stdout).toMatch(/Namespace:\s+team/);
    expect(r.stdout).toMatch(/Node:\s+node-a/);
    expect(r.stdout).toContain('hodei-worker:dev');
  });

  it('describe node and deployment', async () => {
    const n = await kubectl('describe', 'node', 'node-a');
    expect(n.stderr).toBe('');
    expect(n.stdout).toMatch(/Name:\s+node-a/);
    expect(n.stdout).toMatch(/team\s+worker-1/); // non-terminated pods on the node
    sim.store.create(R.deployments, { metadata: { name: 'api', namespace: 'team' }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'hodei-worker:dev' }] } } } });
    const d = await kubectl('describe', 'deployment', '-n', 'team', 'api');
    expect(d.stderr).toBe('');
    expect(d.stdout).toMatch(/Replicas:\s+2 desired/);
  });

  it('logs', async () => {
    const r = await kubectl('logs', '-n', 'team', 'worker-1');
    expect(r.stdout).toBe('hello from agent\nline 2\n');
    const t = await kubectl('logs', '-n', 'team', 'worker-1', '--tail=1');
    expect(t.stdout).toBe('line 2\n');
  });

  it('apply, get -o yaml, delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-apply-'));
    const file = join(dir, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team\ndata:\n  a: "1"\n');
    const a1 = await kubectl('apply', '-f', file);
    expect(a1.stderr).toBe('');
    expect(a1.stdout).toContain('configmap/settings created');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team\ndata:\n  a: "2"\n');
    const a2 = await kubectl('apply', '-f', file);
    expect(a2.stdout).toContain('configmap/settings configured');
    const y = await kubectl('get', 'configmap', 'settings', '-n', 'team', '-o', 'jsonpath={.data.a}');
    expect(y.stdout).toBe('2');
    const d = await kubectl('delete', 'configmap', 'settings', '-n', 'team');
    expect(d.stdout).toContain('configmap "settings" deleted');
  });

  it('reports NotFound like a cluster', async () => {
    const r = await kubectl('get', 'pod', 'missing', '-n', 'team');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "missing" not found');
  });
});

describe('kubectl workflows', () => {
  beforeAll(async () => {
    sim = await startKubeSim({ controllers: () => [] });
    sim.admin.apply(R.nodes, node('node-a'));
    sim.admin.setRbac({ users: [{ name: 'viewer', token: 'viewer-token', rules: [{ verbs: ['get', 'list'], resources: ['pods'], namespaces: ['default'] }] }] });
  });
  afterAll(async () => { await sim.stop(); });

  it('create deployment, scale, get -o wide, events, delete', async () => {
    expect((await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2')).stdout).toContain('deployment.apps/web created');
    expect((await kubectl('scale', 'deployment', 'web', '--replicas=5')).stdout).toContain('deployment.apps/web scaled');
    const d = await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}');
    expect(d.stdout).toBe('5');
    expect((await kubectl('get', 'deploy')).stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/5/);
    await kubectl('run', 'solo', '--image=busybox:1.36', '--restart=Never');
    expect((await kubectl('get', 'pods', '-o', 'wide')).stdout).toMatch(/solo\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
    sim.store.create(R.events, { metadata: { name: 'solo.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'solo', namespace: 'default' }, reason: 'Scheduled', message: 'hello event', type: 'Normal', count: 1 });
    expect((await kubectl('get', 'events')).stdout).toContain('solo.1');
    expect((await kubectl('delete', 'pod', 'solo')).stdout).toContain('pod "solo" deleted');
    expect((await kubectl('delete', 'deployment', 'web')).stdout).toContain('deployment.apps "web" deleted');
  });

  it('auth can-i answers from the RBAC policy through SelfSubjectAccessReview', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kubectl-viewer-')), 'kubeconfig');
    sim.writeKubeconfig(path, 'viewer-token', 'viewer');
    const canI = async (...args: string[]) => {
      try { return (await run(KUBECTL, ['--kubeconfig', path, 'auth', 'can-i', ...args], { env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'kubectl-home-')) } })).stdout.trim(); } catch (e) { return ((e as { stdout?: string }).stdout ?? '').trim(); }
    };
    expect(await canI('list', 'pods')).toBe('yes');
    expect(await canI('delete', 'pods')).toBe('no');
    expect(await canI('list', 'pods', '-n', 'kube-system')).toBe('no');
    const denied = await run(KUBECTL, ['--kubeconfig', path, 'delete', 'pod', 'x'], { env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'kubectl-home-')) } }).then(() => '', (e: { stderr?: string }) => e.stderr ?? '');
    expect(denied).toContain('pods "x" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "default"');
  });
});

describe('kubectl get -w', () => {
  beforeAll(async () => { sim = await startKubeSim({ controllers: () => [] }); });
  afterAll(async () => { await sim.stop(); });

  it('prints rows as pods are added and changed', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(KUBECTL, ['--kubeconfig', sim.kubeconfig, 'get', 'pods', '-w'], { env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'kubectl-home-')) } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      for (let i = 0; i < 200 && sim.admin.stats().watches.open === 0; i++) await new Promise((r) => setTimeout(r, 25));
      sim.store.create(R.pods, { metadata: { name: 'watched', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
      sim.store.mutate(R.pods, 'default', 'watched', (p) => { p.status = { phase: 'Running' }; }, { subresource: 'status' });
      for (let i = 0; i < 100 && !/watched\s+0\/1\s+Running/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      child.kill();
    }
    expect(out).toMatch(/watched\s+0\/1\s+Pending/);
    expect(out).toMatch(/watched\s+0\/1\s+Running/);
  });
});
