// A user's session with the built CLI against a real control plane: login, run (with progress on a
// pseudo-terminal through util-linux `script`, and plain lines without one), -o yaml, --watch,
// version, completion, config view. Each output is checked.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { hodeiCliCommand } from '../../src/util/paths.js';
import { runCli, startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

let s: TestServer;
const home = mkdtempSync(join(tmpdir(), 'hodei-transcript-'));
// No URL or token in the environment: the context from `hodei login` must carry them.
const env = (): Record<string, string> => ({ XDG_CONFIG_HOME: home, HODEI_URL: '', HODEI_API_TOKEN: '', HODEI_CONTEXT: '', HODEI_DATA_DIR: join(home, 'none') });
const sh = (args: string[]): string => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

beforeAll(async () => {
  s = await startTestServer();
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

describe('a user session', () => {
  it('login stores a 0600 context; a wrong token says where it came from', async () => {
    const bad = await runCli(['login', '--server', s.url, '--token', 'wrong-token-wrong-token'], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: invalid bearer token \[UNAUTHORIZED\]/);
    const r = await runCli(['login', '--server', s.url, '--token', s.token, '--name', 'e2e'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Logged in to ${s.url} as context 'e2e'`);
    expect(statSync(join(home, 'hodei', 'config.yaml')).mode & 0o777).toBe(0o600);
    const ctx = await runCli(['config', 'get-contexts'], env());
    expect(ctx.stdout).toMatch(new RegExp(`^CURRENT +NAME +SERVER\\n\\* +e2e +${s.url.replace(/\./g, '\\.')}\\n$`));
    // The environment still wins over the context, and a refused token names its source and the fix.
    const refused = await runCli(['jobs', 'list'], { ...env(), HODEI_API_TOKEN: 'from-the-env-but-wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('token from HODEI_API_TOKEN');
    expect(refused.stderr).toContain(`context 'e2e'`);
    expect(refused.stderr).toContain(`Fix: hodei login --server ${s.url}`);
  });

  it('run on a terminal redraws one progress line on stderr, then shows the output', async () => {
    const [node, ...prefix] = hodeiCliCommand();
    const cmd = sh([node!, ...prefix, 'run', '--', 'sh', '-c', 'echo from-the-job']);
    // Asynchronously: the control plane runs in this process and must keep answering.
    const p = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await new Promise((resolve) => p.on('close', resolve))).toBe(0);
    // \r + ESC[2K (erase line): the status line is redrawn in place. Its first state depends on
    // timing: a warm agent (the default) may have run the job before the first poll.
    expect(out).toMatch(new RegExp(`\r${String.fromCharCode(27)}\\[2Khodei: job [0-9a-f]{8} (queued|provisioning|assigned|running|succeeded)`));
    expect(out).toContain('from-the-job');
  });

  it('run without a terminal: only the job output on stdout, plain progress lines and warnings on stderr', async () => {
    const r = await runCli(['run', '--image', 'busybox', '--', 'sh', '-c', 'echo out; echo err >&2'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('Warning: image is ignored: the local provider cannot honour it');
    expect(r.stderr).toMatch(/^hodei: job [0-9a-f]{8} (queued|provisioning|assigned|running|succeeded)$/m);
    expect(r.stderr).not.toContain('\x1b[');
  });

  it('-o yaml, -o name and --no-headers', async () => {
    const job = await waitForJob(s.client, (await s.client.submit({ command: 'true', labels: { t: 'yaml' } })).id);
    const [yaml, name, bare] = await Promise.all([
      runCli(['jobs', 'get', job.id, '-o', 'yaml'], env()),
      runCli(['jobs', 'list', '--label', 't=yaml', '-o', 'name'], env()),
      runCli(['jobs', 'list', '--label', 't=yaml', '--no-headers'], env()),
    ]);
    expect(parseYaml(yaml.stdout)).toMatchObject({ id: job.id, state: 'succeeded', exitCode: 0, signal: null });
    expect(name.stdout).toBe(`job/${job.id}\n`);
    expect(bare.stdout).toMatch(new RegExp(`^${job.id} +succeeded +0 +1 `));
  });

  it('--watch prints a row per change: jobs get until the job ends, jobs list until Ctrl-C', async () => {
    // The job runs until the test creates a file, so no step depends on how fast anything starts.
    const gate = join(mkdtempSync(join(tmpdir(), 'hodei-gate-')), 'go');
    const job = await s.client.submit({ command: 'sh', args: ['-c', `while [ ! -e ${gate} ]; do sleep 0.1; done`] });
    await waitFor('the job running', async () => (await s.client.getJob(job.id)).state === 'running');
    const [node, ...prefix] = hodeiCliCommand();
    const watch = (args: string[]): { out: () => string; exited: Promise<number | null>; kill: () => void } => {
      const p = spawn(node!, [...prefix, ...args], { env: { ...process.env, ...env(), HODEI_WATCH_INTERVAL_MS: '200' } });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return { out: () => out, exited: new Promise((resolve) => p.on('close', resolve)), kill: () => p.kill('SIGINT') };
    };
    const get = watch(['jobs', 'get', job.id, '--watch']);
    const list = watch(['jobs', 'list', '--watch', '--no-headers']);
    await waitFor('both watches to show the job running', async () =>
      new RegExp(`^${job.id} +running`, 'm').test(get.out()) && new RegExp(`^${job.id} +running`, 'm').test(list.out()), 60_000);
    writeFileSync(gate, '');
    expect(await get.exited).toBe(0); // jobs get --watch ends when the job does
    const lines = get.out().trim().split('\n');
    expect(lines[0]).toMatch(/^ID +STATE/);
    expect(lines.at(-1)).toMatch(new RegExp(`^${job.id} +succeeded`));
    await waitFor('the list watch to show the job succeeded', async () => new RegExp(`^${job.id} +succeeded`, 'm').test(list.out()), 30_000);
    list.kill();
    expect(await list.exited).toBe(0);
  });

  it('version, completion and config view', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-cfgfile-'));
    const file = join(dir, 'hodei.yaml');
    writeFileSync(file, 'host: 0.0.0.0\n');
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'maxWorker: 3\n');
    const [version, completion, view, bad] = await Promise.all([
      runCli(['version'], env()),
      runCli(['completion', 'bash'], env()),
      runCli(['config', 'view', '--config', file, '--max-workers', '3'], { ...env(), HODEI_PORT: '9999', HODEI_API_TOKEN: 'a-secret-token-of-some-length' }),
      runCli(['config', 'view', '--config', typo], env()),
    ]);
    expect(version.stdout).toMatch(/^Client Version: \d+\.\d+\.\d+ \(node v\d+/m);
    expect(version.stdout).toMatch(/^Server Version: \d+\.\d+\.\d+ \(commit [0-9a-f]{40}|unknown/m);

    const script = join(dir, 'hodei.bash');
    writeFileSync(script, completion.stdout);
    const words = (line: string[]): string => execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${line.join(' ')}); COMP_CWORD=${line.length - 1}; _hodei; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    expect(words(['hodei', 'jo'])).toBe('jobs');
    expect(words(['hodei', 'jobs', 'l']).split(' ').sort()).toEqual(['list', 'logs']);
    expect(words(['hodei', 'jobs', 'list', '--so'])).toBe('--sort');

    const rows = Object.fromEntries(view.stdout.trim().split('\n').slice(1).map((l) => l.split(/ {2,}/)).map(([k, v, src]) => [k, { v, src }]));
    expect(rows.port).toEqual({ v: '9999', src: 'env' });
    expect(rows.maxWorkers).toEqual({ v: '3', src: 'flag' });
    expect(rows.host).toEqual({ v: '0.0.0.0', src: 'file' });
    expect(rows.provider).toEqual({ v: 'local', src: 'default' });
    expect(rows.apiToken).toEqual({ v: '******', src: 'env' });
    expect(view.stdout).not.toContain('a-secret-token-of-some-length');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`unknown setting 'maxWorker' (did you mean 'maxWorkers'?)`);
  });
});
