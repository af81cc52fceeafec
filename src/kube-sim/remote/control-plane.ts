// The real Kubernetes control plane of test/k8s-control-plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kubectl in one Go binary): built once per source
// hash into ~/.cache/hodei/k8s-<hash>/ (HODEI_K8S_CACHE overrides the root), then started in
// seconds. A machine without Go gets GoMissingError, which callers report in one line.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../util/paths.js';

export class GoMissingError extends Error {
  constructor() { super('Go is not installed (`go` not on PATH): the real Kubernetes control plane cannot be built'); this.name = 'GoMissingError'; }
}

export interface ControlPlaneBinary {
  /** The multi-call binary (`up`, `kube-apiserver`, …). */
  bin: string;
  /** kubectl of the same Kubernetes version (a link to bin). */
  kubectl: string;
  /** true when this call built it (false: taken from the cache). */
  built: boolean;
  ms: number;
}

export const controlPlaneSource = (): string => join(packageRoot(), 'test', 'k8s-control-plane');

/** The pinned k8s.io/kubernetes version (go.mod). */
export function kubernetesVersion(dir = controlPlaneSource()): string {
  const m = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\s*$/m.exec(readFileSync(join(dir, 'go.mod'), 'utf8'));
  if (!m?.[1]) throw new Error(`${dir}/go.mod does not require k8s.io/kubernetes vX.Y.Z`);
  return m[1];
}

/** What `make` would stamp into the binaries: `kubectl version` reports the real version. */
function ldflags(version: string): string {
  const [major, minor] = version.slice(1).split('.');
  const stamp = (pkg: string) => [`gitVersion=${version}`, `gitMajor=${major}`, `gitMinor=${minor}`, 'gitTreeState=clean', 'buildDate=1970-01-01T00:00:00Z']
    .map((kv) => `-X ${pkg}.${kv}`).join(' ');
  return `-s -w ${stamp('k8s.io/component-base/version')} ${stamp('k8s.io/client-go/pkg/version')}`;
}

/** Hash of go.mod, go.sum, the Go sources and the link flags: the cache key. */
export function sourceHash(dir = controlPlaneSource()): string {
  const h = createHash('sha256').update(ldflags(kubernetesVersion(dir)));
  for (const f of readdirSync(dir).filter((f) => /^go\.(mod|sum)$|\.go$/.test(f)).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

export function cacheDir(hash = sourceHash()): string {
  return join(process.env.HODEI_K8S_CACHE ?? join(homedir(), '.cache', 'hodei'), `k8s-${hash}`);
}

/** Builds the binary unless the cache has it. `log` gets one line when a (slow) build starts. */
export function ensureControlPlaneBinary(log: (line: string) => void = () => {}): ControlPlaneBinary {
  const started = Date.now();
  const dir = cacheDir();
  const bin = join(dir, 'k8s-control-plane');
  const kubectl = join(dir, 'kubectl');
  if (existsSync(bin) && existsSync(kubectl)) return { bin, kubectl, built: false, ms: Date.now() - started };
  if (!goAvailable()) throw new GoMissingError();
  mkdirSync(dir, { recursive: true });
  // One build at a time per cache entry: a second test run waits for the first one's binary.
  const lock = join(dir, 'build.lock');
  for (;;) {
    try { mkdirSync(lock); break; } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
    if (Date.now() - statSync(lock).mtimeMs > 3 * 3600_000) { rmSync(lock, { recursive: true, force: true }); continue; } // left by a killed build
    log(`waiting for another build of the Kubernetes control plane (${lock})`);
    while (existsSync(lock) && !existsSync(kubectl)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    if (existsSync(bin) && existsSync(kubectl)) return { bin, kubectl, built: false, ms: Date.now() - started };
  }
  try {
    return build(dir, bin, kubectl, started, log);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(dir: string, bin: string, kubectl: string, started: number, log: (line: string) => void): ControlPlaneBinary {
  log(`building the Kubernetes control plane (Go, cold build: minutes) into ${dir}`);
  // Build into a private name and rename: a concurrent run never sees half a binary.
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync('go', ['build', '-trimpath', `-ldflags=${ldflags(kubernetesVersion())}`, '-o', tmp, '.'], {
    cwd: controlPlaneSource(), stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false' },
  });
  if (r.status !== 0) { rmSync(tmp, { force: true }); throw new Error(`go build of ${controlPlaneSource()} failed (exit ${r.status ?? r.signal})`); }
  renameSync(tmp, bin);
  rmSync(kubectl, { force: true });
  symlinkSync('k8s-control-plane', kubectl);
  return { bin, kubectl, built: true, ms: Date.now() - started };
}

export interface ControlPlane {
  server: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfig: string;
  ca: string;
  /** Serving certificate/key signed by the CA, for 127.0.0.1 (the kubelets' log endpoint uses it too). */
  servingCert: string;
  servingKey: string;
  dir: string;
  pid: number;
  startMs: number;
  stop(): Promise<void>;
}

interface ReadyLine { ready: boolean; server: string; kubeconfig: string; ca: string; servingCert: string; servingKey: string; dir: string; startMs: number }

/** Starts `bin up --dir DIR`; resolves on its ready line, rejects if it exits first. */
export function startControlPlane(bin: string, dir: string): Promise<ControlPlane> {
  const proc = spawn(bin, ['up', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      let parsed: ReadyLine | undefined;
      try { parsed = JSON.parse(line) as ReadyLine; } catch { return; }
      if (!parsed.ready) return;
      resolve({
        server: parsed.server, kubeconfig: parsed.kubeconfig, ca: parsed.ca, servingCert: parsed.servingCert, servingKey: parsed.servingKey,
        dir: parsed.dir, pid: proc.pid ?? 0, startMs: parsed.startMs, stop,
      });
    });
    void exited.then((code) => reject(new Error(`k8s-control-plane exited (${code}) before ready: ${stderr.trim() || `see ${dir}/*.log`}`)));
  });
}
