// The one place configuration is read and validated: defaults < config file < HODEI_* env < flags.
// Every error names the field and the rule.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors/errors.js';
import { kubernetesSettingsFromEnv, validateKubernetesSettings, type KubernetesSettings } from './providers/kubernetes/config.js';
import type { KubernetesSLOs } from './providers/kubernetes/slo-config.js';
import { compileValidator } from './util/validate.js';

export interface HodeiConfig {
  /** @defaultValue "127.0.0.1" */
  host: string;
  /** @defaultValue 7070 */
  port: number;
  /** Embedded store and generated API token live here. @defaultValue "./.hodei" */
  dataDir: string;
  /** PostgreSQL URL; when set, the store is PostgreSQL instead of embedded PGlite. */
  databaseUrl?: string;
  /** API bearer token; when unset one is generated on first start and kept in dataDir. */
  apiToken?: string;
  /** URL workers connect back to. @defaultValue http://<host or 127.0.0.1>:<port> */
  publicUrl?: string;
  /** @defaultValue "local" */
  provider: 'local' | 'kubernetes';
  /** Most workers this control plane runs at once. @defaultValue 8 */
  maxWorkers: number;
  /** ephemeral: a worker per job (default); pooled: workers stay and take further jobs. */
  workerMode: 'ephemeral' | 'pooled';
  /** @defaultValue 5000 */
  heartbeatIntervalMs: number;
  /** A registered worker silent this long is lost. @defaultValue 15000 */
  workerLostAfterMs: number;
  /** @defaultValue 60000 */
  registrationTimeoutMs: number;
  /** @defaultValue 5000 */
  reconcileIntervalMs: number;
  /** Kubernetes provider settings (see docs/kubernetes-provider.md); HODEI_K8S_* env vars. */
  kubernetes?: KubernetesSettings;
  /** @defaultValue "info" */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SLO targets (defaults: providers/kubernetes/slo-config.ts) and the SLI window; see docs/slo.md. */
  slo?: Partial<KubernetesSLOs> & { windowSeconds?: number };
  /** Event recorder: optional JSON-lines file and retention; see docs/events.md. */
  events?: { file?: string; maxAgeSeconds?: number; maxCount?: number };
  /** Require the API bearer token on /metrics (open by default, as Prometheus expects). @defaultValue false */
  metricsRequireToken?: boolean;
}

export const DEFAULT_CONFIG = {
  host: '127.0.0.1', port: 7070, dataDir: './.hodei', provider: 'local', maxWorkers: 8, workerMode: 'ephemeral',
  heartbeatIntervalMs: 5000, workerLostAfterMs: 15000, registrationTimeoutMs: 60000, reconcileIntervalMs: 5000,
  logLevel: 'info',
} as const satisfies Partial<HodeiConfig>;

const ms = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, maxLength: 255 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    dataDir: { type: 'string', minLength: 1 },
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://', description: 'a postgres:// URL' },
    apiToken: { type: 'string', minLength: 16, description: 'at least 16 characters' },
    publicUrl: { type: 'string', pattern: '^https?://', description: 'an http:// or https:// URL' },
    provider: { enum: ['local', 'kubernetes'] },
    maxWorkers: { type: 'integer', minimum: 1, maximum: 100000 },
    workerMode: { enum: ['ephemeral', 'pooled'] },
    heartbeatIntervalMs: ms(100, 600_000),
    workerLostAfterMs: ms(300, 3_600_000),
    registrationTimeoutMs: ms(1000, 3_600_000),
    reconcileIntervalMs: ms(100, 600_000),
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    kubernetes: { type: 'object' }, // checked field by field by validateKubernetesSettings
    slo: {
      type: 'object', additionalProperties: false,
      properties: {
        maxPodCreationTime: { type: 'number', exclusiveMinimum: 0, description: 'a number of seconds > 0' },
        minWorkerCreationSuccessRate: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'a ratio between 0 and 1 (exclusive)' },
        maxApiErrorRate: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'a ratio between 0 and 1 (exclusive)' },
        maxHpaResponseTime: { type: 'number', exclusiveMinimum: 0, description: 'a number of seconds > 0' },
        windowSeconds: { type: 'integer', minimum: 60, maximum: 30 * 86400 },
      },
    },
    metricsRequireToken: { type: 'boolean' },
    events: {
      type: 'object', additionalProperties: false,
      properties: {
        file: { type: 'string', minLength: 1 },
        maxAgeSeconds: { type: 'integer', minimum: 60 },
        maxCount: { type: 'integer', minimum: 100 },
      },
    },
  },
} as const;
const validate = compileValidator<Partial<HodeiConfig>>(schema, 'config');

/** HODEI_* environment variables and the config key each one sets. */
const ENV: Record<string, keyof HodeiConfig> = {
  HODEI_HOST: 'host', HODEI_PORT: 'port', HODEI_DATA_DIR: 'dataDir', HODEI_DATABASE_URL: 'databaseUrl',
  HODEI_API_TOKEN: 'apiToken', HODEI_PUBLIC_URL: 'publicUrl', HODEI_PROVIDER: 'provider',
  HODEI_MAX_WORKERS: 'maxWorkers', HODEI_WORKER_MODE: 'workerMode', HODEI_HEARTBEAT_INTERVAL_MS: 'heartbeatIntervalMs',
  HODEI_WORKER_LOST_AFTER_MS: 'workerLostAfterMs', HODEI_REGISTRATION_TIMEOUT_MS: 'registrationTimeoutMs',
  HODEI_RECONCILE_INTERVAL_MS: 'reconcileIntervalMs', HODEI_LOG_LEVEL: 'logLevel',
  HODEI_METRICS_REQUIRE_TOKEN: 'metricsRequireToken',
};
const NUMERIC = new Set<keyof HodeiConfig>(['port', 'maxWorkers', 'heartbeatIntervalMs', 'workerLostAfterMs', 'registrationTimeoutMs', 'reconcileIntervalMs']);

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[key] = NUMERIC.has(key) ? toNumber(raw, name) : BOOLEAN.has(key) ? toBoolean(raw, name) : raw;
  }
  return out;
}

const BOOLEAN = new Set<keyof HodeiConfig>(['metricsRequireToken']);

function toBoolean(raw: string, field: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(field, `must be true or false, got '${raw.slice(0, 40)}'`);
}

function toNumber(raw: string, field: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(field, `must be a whole number, got '${raw.slice(0, 40)}'`);
  return Number(raw);
}

function fromFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config file', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError('config file', `${path} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('config file', `${path} must hold a mapping of settings`);
  return parsed as Record<string, unknown>;
}

/** Merges the sources and validates the result. `flags` holds only the flags the user gave. */
export function loadConfig(opts: { flags?: Partial<HodeiConfig>; file?: string; env?: NodeJS.ProcessEnv } = {}): HodeiConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.HODEI_CONFIG;
  const fileValues = file ? fromFile(file) : {};
  const merged = { ...DEFAULT_CONFIG, ...fileValues, ...fromEnv(env), ...stripUndefined(opts.flags ?? {}) };
  const k8s = { ...asObject(fileValues.kubernetes), ...kubernetesSettingsFromEnv(env), ...stripUndefined(opts.flags?.kubernetes ?? {}) };
  if (Object.keys(k8s).length > 0) merged.kubernetes = validateKubernetesSettings(k8s);
  else delete merged.kubernetes;
  return validate(merged) as HodeiConfig;
}

function asObject(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('kubernetes', 'must be a mapping of settings');
  return v as Record<string, unknown>;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** URL agents use to reach this control plane. */
export function workerCallbackUrl(cfg: HodeiConfig, boundPort: number): string {
  if (cfg.publicUrl) return cfg.publicUrl.replace(/\/$/, '');
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
}
