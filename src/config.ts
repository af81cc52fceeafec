// The one place configuration is read and validated: defaults < config file < HODEI_* env < flags.
// SETTINGS is the single source of every setting's config-file key, env var, flag, default and
// description: `hodei server` builds its flags from it, `hodei config view` explains it, and
// docs/configuration.md is generated from it (scripts/gen-config-doc.mjs; a test fails when stale).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors/errors.js';
import {
  defaultKubernetesOptions, kubernetesSettingsFromEnv, validateKubernetesSettings, KUBERNETES_ENV, KUBERNETES_SETTING_KEYS,
  type KubernetesSettings,
} from './providers/kubernetes/config.js';
import type { SloTargets } from './providers/kubernetes/slo-config.js';
import { rejectUnknownKeys } from './util/did-you-mean.js';
import { parseDurationMs } from './util/duration.js';
import { compileValidator } from './util/validate.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export interface HodeiConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  apiToken?: string;
  publicUrl?: string;
  provider: 'local' | 'kubernetes';
  maxWorkers: number;
  workerMode: 'ephemeral' | 'pooled';
  heartbeatIntervalMs: number;
  workerLostAfterMs: number;
  registrationTimeoutMs: number;
  reconcileIntervalMs: number;
  kubernetes?: KubernetesSettings;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Unset: pretty on a terminal, JSON lines otherwise. */
  logFormat?: (typeof LOG_FORMATS)[number];
  slo?: Partial<SloTargets> & { windowSeconds?: number };
  events?: { file?: string; maxAgeSeconds?: number; maxCount?: number };
  retention?: Partial<RetentionConfig>;
  metricsRequireToken?: boolean;
}

/** How long finished jobs are kept and how big a job's log may grow (docs/jobs.md#retention). */
export interface RetentionConfig {
  /** A duration like "7d": succeeded jobs are deleted this long after they ended. */
  succeeded: string;
  /** Failed, cancelled, timed-out and skipped jobs, likewise. */
  failed: string;
  /** Bytes of output stored per job; later output is dropped and the log says so. */
  maxLogBytesPerJob: number;
  /** Seconds between sweeps. */
  intervalSeconds: number;
  /** Most jobs one delete statement removes. */
  batchSize: number;
}

export const RETENTION_DEFAULTS: RetentionConfig = { succeeded: '7d', failed: '30d', maxLogBytesPerJob: 16 * 1024 * 1024, intervalSeconds: 60, batchSize: 500 };

/** The retention settings with defaults, durations in milliseconds. */
export function retentionSettings(cfg: Pick<HodeiConfig, 'retention'>): { succeededMs: number; failedMs: number; maxLogBytesPerJob: number; intervalMs: number; batchSize: number } {
  const r = { ...RETENTION_DEFAULTS, ...cfg.retention };
  const duration = (field: 'succeeded' | 'failed'): number => {
    const v = parseDurationMs(r[field]);
    if (v === null) throw new ConfigError(`retention.${field}`, `must be a duration like 7d or 12h, got '${r[field].slice(0, 40)}'`);
    return v;
  };
  return { succeededMs: duration('succeeded'), failedMs: duration('failed'), maxLogBytesPerJob: r.maxLogBytesPerJob, intervalMs: r.intervalSeconds * 1000, batchSize: r.batchSize };
}

/** One setting: where it can be given and what it means. `key` is dotted for nested sections. */
export interface Setting {
  key: string;
  env?: string;
  /** `--port <port>`: `hodei server` and `hodei config view` take it. */
  flag?: string;
  /** Applied when no source gives the setting; `defaultText` documents a computed one. */
  default?: string | number;
  defaultText?: string;
  description: string;
  /** JSON Schema of the value (top-level and nested keys validated by `validate`). */
  schema?: Record<string, unknown>;
  /** Masked by `hodei config view`. */
  secret?: boolean;
}

const ms = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });
const DURATION = { type: 'string', pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d|w)$', description: 'a duration like 7d, 12h or 90s' };
const enumOf = (values: readonly string[]) => ({ enum: [...values] });

/** Top-level settings (those with env vars and flags). */
export const SETTINGS: readonly Setting[] = [
  { key: 'host', env: 'HODEI_HOST', flag: '--host <host>', default: '127.0.0.1', description: 'listen address', schema: { type: 'string', minLength: 1, maxLength: 255 } },
  { key: 'port', env: 'HODEI_PORT', flag: '--port <port>', default: 7070, description: 'listen port (0 = any free port)', schema: { type: 'integer', minimum: 0, maximum: 65535 } },
  { key: 'dataDir', env: 'HODEI_DATA_DIR', flag: '--data-dir <dir>', default: './.hodei', description: 'embedded PGlite store and the generated API token', schema: { type: 'string', minLength: 1 } },
  { key: 'databaseUrl', env: 'HODEI_DATABASE_URL', flag: '--database-url <url>', description: '`postgres://…`: PostgreSQL instead of the embedded store (several replicas)', secret: true,
    schema: { type: 'string', pattern: '^postgres(ql)?://', description: 'a postgres:// URL' } },
  { key: 'apiToken', env: 'HODEI_API_TOKEN', defaultText: 'generated', description: 'API bearer token, ≥ 16 characters; generated on first start and kept in the data dir when unset', secret: true,
    schema: { type: 'string', minLength: 16, description: 'at least 16 characters' } },
  { key: 'publicUrl', env: 'HODEI_PUBLIC_URL', flag: '--public-url <url>', defaultText: 'http://<host>:<port>', description: 'URL workers connect back to',
    schema: { type: 'string', pattern: '^https?://', description: 'an http:// or https:// URL' } },
  { key: 'provider', env: 'HODEI_PROVIDER', flag: '--provider <name>', default: 'local', description: '`local` (child processes) or `kubernetes` (pods)', schema: enumOf(['local', 'kubernetes']) },
  { key: 'maxWorkers', env: 'HODEI_MAX_WORKERS', flag: '--max-workers <n>', default: 8, description: 'most workers this control plane runs at once', schema: { type: 'integer', minimum: 1, maximum: 100000 } },
  { key: 'workerMode', env: 'HODEI_WORKER_MODE', flag: '--worker-mode <mode>', defaultText: '`pooled` with the local provider, `ephemeral` with kubernetes', description: '`pooled`: agents reused, and with the local provider a warm pool of `--max-workers` agents started ahead of jobs (each job still its own process group); `ephemeral`: a new agent (process or pod) per job', schema: enumOf(['ephemeral', 'pooled']) },
  { key: 'heartbeatIntervalMs', env: 'HODEI_HEARTBEAT_INTERVAL_MS', default: 5000, description: 'agent heartbeat period', schema: ms(100, 600_000) },
  { key: 'workerLostAfterMs', env: 'HODEI_WORKER_LOST_AFTER_MS', default: 15000, description: 'silence after which a worker is lost (`WorkerLost`)', schema: ms(300, 3_600_000) },
  { key: 'registrationTimeoutMs', env: 'HODEI_REGISTRATION_TIMEOUT_MS', default: 60000, description: 'a worker that has not registered by then fails (`AgentNeverRegistered`)', schema: ms(1000, 3_600_000) },
  { key: 'reconcileIntervalMs', env: 'HODEI_RECONCILE_INTERVAL_MS', default: 5000, description: 'reconciler period', schema: ms(100, 600_000) },
  { key: 'logLevel', env: 'HODEI_LOG_LEVEL', flag: '--log-level <level>', default: 'info', description: '`fatal` … `trace`, `silent`; probes, scrapes and console assets log at `debug`', schema: enumOf(LOG_LEVELS) },
  { key: 'metricsRequireToken', env: 'HODEI_METRICS_REQUIRE_TOKEN', defaultText: 'false', description: '`true`: `/metrics` needs the API bearer token too (open by default, as Prometheus expects; see [security](security.md))', schema: { type: 'boolean' } },
  { key: 'logFormat', env: 'HODEI_LOG_FORMAT', flag: '--log-format <format>', defaultText: 'pretty on a terminal, else json', description: '`json` (one JSON object per line) or `pretty` (for people)', schema: enumOf(LOG_FORMATS) },
];

/** Settings of the file-only sections (`slo`, `events`, `retention`). */
export const SECTION_SETTINGS: readonly Setting[] = [
  { key: 'slo.maxPodCreationTime', description: 'SLO: P95 pod creation time, seconds (docs/slo.md)', schema: { type: 'number', exclusiveMinimum: 0, description: 'a number of seconds > 0' } },
  { key: 'slo.minWorkerCreationSuccessRate', description: 'SLO: worker creation success ratio', schema: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'a ratio between 0 and 1 (exclusive)' } },
  { key: 'slo.maxApiErrorRate', description: 'SLO: Kubernetes API error ratio', schema: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'a ratio between 0 and 1 (exclusive)' } },
  { key: 'slo.maxHpaResponseTime', description: 'SLO: P95 HPA response time, seconds', schema: { type: 'number', exclusiveMinimum: 0, description: 'a number of seconds > 0' } },
  { key: 'slo.maxQueueWaitTime', description: 'SLO: P95 queue wait (queued → running), seconds', schema: { type: 'number', exclusiveMinimum: 0, description: 'a number of seconds > 0' } },
  { key: 'slo.maxScheduleStartDelay', description: 'SLO: P95 schedule tick → job running (missed = late), seconds', schema: { type: 'number', exclusiveMinimum: 0, description: 'a number of seconds > 0' } },
  { key: 'slo.windowSeconds', description: 'SLI window', schema: { type: 'integer', minimum: 60, maximum: 30 * 86400 } },
  { key: 'events.file', description: 'also append events as JSON lines to this file (docs/events.md)', schema: { type: 'string', minLength: 1 } },
  { key: 'events.maxAgeSeconds', description: 'drop recorded events older than this', schema: { type: 'integer', minimum: 60 } },
  { key: 'events.maxCount', description: 'keep at most this many recorded events', schema: { type: 'integer', minimum: 100 } },
  { key: 'retention.succeeded', default: RETENTION_DEFAULTS.succeeded, description: 'succeeded jobs (with logs and history) are deleted this long after they ended, unless the job sets ttlSecondsAfterFinished (docs/jobs.md)', schema: DURATION },
  { key: 'retention.failed', default: RETENTION_DEFAULTS.failed, description: 'failed, cancelled, timed-out and skipped jobs, likewise', schema: DURATION },
  { key: 'retention.maxLogBytesPerJob', default: RETENTION_DEFAULTS.maxLogBytesPerJob, description: 'bytes of output stored per job; the log notes the cap and later output is dropped', schema: { type: 'integer', minimum: 1024, maximum: 2 ** 40 } },
  { key: 'retention.intervalSeconds', default: RETENTION_DEFAULTS.intervalSeconds, description: 'seconds between retention sweeps (every replica sweeps; deletes skip rows another holds)', schema: { type: 'integer', minimum: 1, maximum: 86400 } },
  { key: 'retention.batchSize', default: RETENTION_DEFAULTS.batchSize, description: 'most jobs one delete statement removes (short statements never hold up queueing)', schema: { type: 'integer', minimum: 1, maximum: 100_000 } },
];

/** Flags of `hodei server` for `kubernetes.*` settings. */
const KUBERNETES_FLAGS: Partial<Record<keyof KubernetesSettings, string>> = {
  kubeconfig: '--kubeconfig <file>', namespace: '--k8s-namespace <ns>', workerImage: '--worker-image <image>',
};

/** The `kubernetes` section, one row per key (validated by the provider's own schema). */
export const KUBERNETES_SETTINGS: readonly Setting[] = KUBERNETES_SETTING_KEYS.map((k): Setting => {
  const env = Object.entries(KUBERNETES_ENV).find(([, v]) => v.key === k)?.[0];
  const d = (defaultKubernetesOptions() as Record<string, unknown>)[k];
  const shown = d === undefined || (typeof d === 'object' && Object.keys(d as object).length === 0) ? undefined : typeof d === 'object' ? JSON.stringify(d) : String(d);
  return {
    key: `kubernetes.${k}`, ...(env ? { env } : {}), ...(KUBERNETES_FLAGS[k] ? { flag: KUBERNETES_FLAGS[k] } : {}),
    ...(shown !== undefined ? { defaultText: k === 'workerImage' ? 'hodei-worker:<version>' : shown } : {}),
    description: 'Kubernetes provider (docs/kubernetes-provider.md)',
  };
});

export const ALL_SETTINGS: readonly Setting[] = [...SETTINGS, ...SECTION_SETTINGS, ...KUBERNETES_SETTINGS];

export const DEFAULT_CONFIG = Object.fromEntries(
  SETTINGS.filter((s) => s.default !== undefined).map((s) => [s.key, s.default]),
) as unknown as Pick<HodeiConfig, 'host' | 'port' | 'dataDir' | 'provider' | 'maxWorkers' | 'heartbeatIntervalMs' | 'workerLostAfterMs' | 'registrationTimeoutMs' | 'reconcileIntervalMs' | 'logLevel'>;

const section = (name: string) => ({
  type: 'object', additionalProperties: false,
  properties: Object.fromEntries(SECTION_SETTINGS.filter((s) => s.key.startsWith(`${name}.`)).map((s) => [s.key.slice(name.length + 1), s.schema])),
});
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...Object.fromEntries(SETTINGS.map((s) => [s.key, s.schema])),
    kubernetes: { type: 'object' }, // checked field by field by validateKubernetesSettings
    slo: section('slo'),
    events: section('events'),
    retention: section('retention'),
  },
};
const validate = compileValidator<Partial<HodeiConfig>>(schema, 'config');

const NUMERIC = new Set(SETTINGS.filter((s) => (s.schema as { type?: string }).type === 'integer').map((s) => s.key));
const BOOLEAN = new Set(SETTINGS.filter((s) => (s.schema as { type?: string }).type === 'boolean').map((s) => s.key));

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = s.env ? env[s.env] : undefined;
    if (raw === undefined || raw === '' || !s.env) continue;
    out[s.key] = NUMERIC.has(s.key) ? toNumber(raw, s.env) : BOOLEAN.has(s.key) ? toBoolean(raw, s.env) : raw;
  }
  return out;
}

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

const TOP_KEYS = [...SETTINGS.map((s) => s.key), 'kubernetes', 'slo', 'events', 'retention'];

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
  const doc = parsed as Record<string, unknown>;
  // A misspelt setting is an error naming it, never silently ignored.
  rejectUnknownKeys(doc, TOP_KEYS, path);
  for (const name of ['slo', 'events', 'retention', 'kubernetes'] as const) {
    const known = name === 'kubernetes' ? KUBERNETES_SETTING_KEYS : SECTION_SETTINGS.filter((s) => s.key.startsWith(`${name}.`)).map((s) => s.key.slice(name.length + 1));
    const v = doc[name];
    if (v && typeof v === 'object' && !Array.isArray(v)) rejectUnknownKeys(v as Record<string, unknown>, known, `${path} ${name}`);
  }
  return doc;
}

export type ConfigSource = 'flag' | 'env' | 'file' | 'default';
export interface LoadOptions { flags?: Partial<HodeiConfig>; file?: string; env?: NodeJS.ProcessEnv }

/** Merges the sources and validates the result. `flags` holds only the flags the user gave. */
export function loadConfig(opts: LoadOptions = {}): HodeiConfig {
  return explainConfig(opts).config;
}

/** The effective configuration and, for every setting that has a value, where it came from. */
/** A local agent is a process (a warm pool costs little); a Kubernetes one a pod per job. */
export function defaultWorkerMode(providerKind: string): HodeiConfig['workerMode'] {
  return providerKind === 'local' ? 'pooled' : 'ephemeral';
}

export function explainConfig(opts: LoadOptions = {}): { config: HodeiConfig; sources: Record<string, ConfigSource>; file: string | null } {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.HODEI_CONFIG;
  const layers: Array<[ConfigSource, Record<string, unknown>]> = [
    ['default', { ...DEFAULT_CONFIG }], ['file', file ? fromFile(file) : {}], ['env', fromEnv(env)], ['flag', stripUndefined(opts.flags ?? {})],
  ];
  const k8sLayers: Array<[ConfigSource, Record<string, unknown>]> = [
    ['file', asObject(layers[1]?.[1].kubernetes)], ['env', { ...kubernetesSettingsFromEnv(env) }], ['flag', stripUndefined(opts.flags?.kubernetes ?? {})],
  ];
  const merged: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [source, values] of layers) {
    for (const [k, v] of Object.entries(values)) {
      if (k === 'kubernetes') continue;
      merged[k] = v;
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const sub of Object.keys(v)) sources[`${k}.${sub}`] = source;
      else sources[k] = source;
    }
  }
  const k8s: Record<string, unknown> = {};
  for (const [source, values] of k8sLayers) {
    for (const [k, v] of Object.entries(values)) {
      k8s[k] = v;
      sources[`kubernetes.${k}`] = source;
    }
  }
  if (Object.keys(k8s).length > 0) merged.kubernetes = validateKubernetesSettings(k8s);
  if (merged.workerMode === undefined) {
    merged.workerMode = defaultWorkerMode(merged.provider === 'kubernetes' ? 'kubernetes' : 'local');
    sources.workerMode = 'default';
  }
  return { config: validate(merged) as HodeiConfig, sources, file: file ?? null };
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
