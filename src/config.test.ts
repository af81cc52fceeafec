import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, workerCallbackUrl } from './config.js';

describe('loadConfig', () => {
  it('uses documented defaults', () => {
    expect(loadConfig({ env: {} })).toEqual({ ...DEFAULT_CONFIG, workerMode: 'pooled' });
  });

  it('defaults the worker mode by provider: a warm pool of local agents, a pod per job on Kubernetes; either can be chosen', () => {
    expect(loadConfig({ env: {}, flags: { provider: 'local' } }).workerMode).toBe('pooled');
    expect(loadConfig({ env: {}, flags: { provider: 'local', workerMode: 'ephemeral' } }).workerMode).toBe('ephemeral');
    expect(loadConfig({ env: {}, flags: { provider: 'kubernetes' } }).workerMode).toBe('ephemeral');
    expect(loadConfig({ env: { HODEI_WORKER_MODE: 'ephemeral' } }).workerMode).toBe('ephemeral');
    expect(loadConfig({ env: {}, flags: { provider: 'kubernetes', workerMode: 'pooled' } }).workerMode).toBe('pooled');
  });

  it('layers file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-cfg-'));
    const file = join(dir, 'hodei.yaml');
    writeFileSync(file, 'port: 8000\nmaxWorkers: 3\nhost: 0.0.0.0\n');
    const cfg = loadConfig({ file, env: { HODEI_PORT: '9000', HODEI_MAX_WORKERS: '4' }, flags: { maxWorkers: 5 } });
    expect(cfg).toMatchObject({ port: 9000, maxWorkers: 5, host: '0.0.0.0' });
    expect(workerCallbackUrl(cfg, 9000)).toBe('http://127.0.0.1:9000');
  });

  it.each([
    [{ env: { HODEI_PORT: 'eighty' } }, 'HODEI_PORT: must be a whole number'],
    [{ env: { HODEI_PORT: '70000' } }, 'port: must be <= 65535'],
    [{ env: { HODEI_PROVIDER: 'nomad' } }, 'provider: must be one of local, kubernetes'],
    [{ env: { HODEI_DATABASE_URL: 'mysql://x' } }, 'databaseUrl: must be a postgres:// URL'],
    [{ env: { HODEI_API_TOKEN: 'short' } }, 'apiToken: must be at least 16 characters'],
    [{ env: { HODEI_METRICS_REQUIRE_TOKEN: 'yes' } }, 'HODEI_METRICS_REQUIRE_TOKEN: must be true or false'],
  ])('names the field and the rule: %j', (opts, message) => {
    expect(() => loadConfig(opts)).toThrow(message);
  });

  it('reads metricsRequireToken from the file and HODEI_METRICS_REQUIRE_TOKEN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-cfg-'));
    const file = join(dir, 'hodei.yaml');
    writeFileSync(file, 'metricsRequireToken: true\n');
    expect(loadConfig({ file, env: {} }).metricsRequireToken).toBe(true);
    expect(loadConfig({ file, env: { HODEI_METRICS_REQUIRE_TOKEN: '0' } }).metricsRequireToken).toBe(false);
    expect(loadConfig({ env: { HODEI_METRICS_REQUIRE_TOKEN: 'true' } }).metricsRequireToken).toBe(true);
  });

  it('refuses unknown keys and unreadable files in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'prot: 1\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(`config ${file}: unknown setting 'prot' (did you mean 'port'?)`);
    writeFileSync(file, 'kubernetes:\n  namspace: x\n');
    expect(() => loadConfig({ file, env: {} })).toThrow("unknown setting 'namspace' (did you mean 'namespace'?)");
    expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).toThrow('ENOENT');
    writeFileSync(file, '- a list\n');
    expect(() => loadConfig({ file, env: {} })).toThrow('must hold a mapping');
  });
});
