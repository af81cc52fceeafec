// docs/cli.md "Exit codes", case by case, running the built CLI against a real control plane:
// the job's own code, 128+N for a signal (recorded on the job), 124 timeout, 130 cancelled (before
// and after start), 126/127 from the worker, 125 when hodei itself failed, 0/1/2 elsewhere.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { hodeiCliCommand } from '../../src/util/paths.js';
import { PROVISION_LABEL, scriptedLocalProvider } from '../support/scripted-provider.js';
import { runCli, startTestServer, waitFor, waitForJob, type CliResult, type TestServer } from './harness.js';

let s: TestServer;
const cfgHome = mkdtempSync(join(tmpdir(), 'hodei-cli-cfg-'));
const env = (): Record<string, string> => ({ HODEI_URL: s.url, HODEI_API_TOKEN: s.token, XDG_CONFIG_HOME: cfgHome });
const run = (args: string[]): Promise<CliResult> => runCli(['run', '-q', ...args], env());
const lastJob = async (): Promise<string> => (await s.client.listJobs({ limit: 1 })).jobs[0]!.id;

beforeAll(async () => {
  // The scripted provider fails or hangs the worker provisioned for a labelled job: an agent per job.
  s = await startTestServer({ provider: scriptedLocalProvider(silentLogger()), config: { workerMode: 'ephemeral' } });
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

describe('hodei run exit codes', () => {
  it("passes the job's own exit code through", async () => {
    expect((await run(['--', 'sh', '-c', 'exit 42'])).code).toBe(42);
    expect((await run(['--', 'true'])).code).toBe(0);
  });

  it('a job killed by signal N exits 128+N and the job keeps signal and reason Signaled', async () => {
    const r = await run(['--', 'sh', '-c', 'kill -9 $$']);
    expect(r.code).toBe(137);
    expect(r.stderr).toContain('signal SIGKILL');
    const job = await s.client.getJob(await lastJob());
    expect(job).toMatchObject({ state: 'failed', signal: 'SIGKILL', reason: 'Signaled', exitCode: null });
    const term = await run(['--', 'sh', '-c', 'kill -TERM $$']);
    expect(term.code).toBe(143);
  });

  it('a timed-out job exits 124', async () => {
    const r = await run(['--timeout', '1', '--', 'sleep', '30']);
    expect(r.code).toBe(124);
    expect((await s.client.getJob(await lastJob())).state).toBe('timed_out');
  });

  it('126 when the command cannot be executed, 127 when it is not found (reason from the worker)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-noexec-'));
    const file = join(dir, 'not-executable');
    writeFileSync(file, 'echo hi\n');
    chmodSync(file, 0o644);
    const noexec = await run(['--', file]);
    expect(noexec.code).toBe(126);
    expect((await s.client.getJob(await lastJob())).reason).toBe('CommandNotExecutable');
    const missing = await run(['--', 'no-such-command-hodei']);
    expect(missing.code).toBe(127);
    expect((await s.client.getJob(await lastJob())).reason).toBe('CommandNotFound');
    expect(missing.stdout).toBe('');
  });

  it('a cancelled job exits 130, whether it had started or not', async () => {
    for (const args of [['--', 'sleep', '30'], ['--label', `${PROVISION_LABEL}=hang`, '--', 'true']]) {
      const [cmd, ...prefix] = hodeiCliCommand();
      const p = spawn(cmd!, [...prefix, 'run', '-q', ...args], { env: { ...process.env, ...env() }, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
      const id = await waitFor('job submitted', async () => (await s.client.listJobs({ limit: 1 })).jobs.find((j) => j.spec.args.join(' ') === args.slice(args.indexOf('--') + 2).join(' ') && ['provisioning', 'running'].includes(j.state))?.id);
      await s.client.cancel(id);
      expect(await exited).toBe(130);
    }
  });

  it('125 with one line saying which when hodei itself failed', async () => {
    const [usage, down, refused, never] = await Promise.all([
      run(['--retries', 'many', '--', 'true']),
      runCli(['run', '--', 'true'], { ...env(), HODEI_URL: 'http://127.0.0.1:9' }),
      runCli(['run', '--', 'true'], { ...env(), HODEI_API_TOKEN: 'not-the-token-at-all' }),
      run(['--label', `${PROVISION_LABEL}=fail`, '--', 'echo', 'never']),
    ]);
    expect(usage.code).toBe(125);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect(usage.stderr).toMatch(/^error: usage: .*--retries must be a whole number/);
    expect(down.code).toBe(125);
    expect(down.stderr).toMatch(/^error: server unreachable: cannot reach the Hodei server at http:\/\/127\.0\.0\.1:9/);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^error: token refused: .*token from HODEI_API_TOKEN.*hodei login --server/);
    expect(never.code).toBe(125);
    expect(never.stderr).toMatch(/error: job never ran: .*ProvisioningFailed/);
    const id = (await s.client.listJobs({ limit: 20 })).jobs.find((j) => j.spec.args[0] === 'never')!.id;
    expect(await waitForJob(s.client, id)).toMatchObject({ state: 'failed', reason: 'ProvisioningFailed', exitCode: null });
  });
});

describe('other commands: 0 ok, 1 failure, 2 usage', () => {
  it('answers 0, 1 and 2', async () => {
    // Independent invocations, run side by side to keep the test short.
    const [ok, missing, down, badLimit, badFormat, unknown, help] = await Promise.all([
      runCli(['jobs', 'list'], env()), runCli(['jobs', 'get', 'no-such-job'], env()),
      runCli(['jobs', 'list'], { ...env(), HODEI_URL: 'http://127.0.0.1:9' }), runCli(['jobs', 'list', '--limit', 'lots'], env()),
      runCli(['jobs', 'list', '-o', 'xml'], env()), runCli(['no-such-command'], env()), runCli(['--help'], env()),
    ]);
    expect(ok.code).toBe(0);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("job 'no-such-job' not found");
    expect(down.code).toBe(1);
    expect(badLimit.code).toBe(2);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('-o must be one of table, wide, json, yaml, name');
    expect(unknown.code).toBe(2);
    expect(help.code).toBe(0);
  });
});
