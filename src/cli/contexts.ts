// Named contexts, as kubeconfig has them: `hodei login` stores a server and its token in
// $XDG_CONFIG_HOME/hodei/config.yaml (default ~/.config/hodei/config.yaml, mode 0600), and client
// commands use the current context unless a flag or HODEI_* variable says otherwise.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ConfigError } from '../errors/errors.js';
import { rejectUnknownKeys } from '../util/did-you-mean.js';

export interface Context {
  name: string;
  server: string;
  token?: string;
}

export interface ClientConfigFile {
  currentContext?: string;
  contexts: Context[];
}

/** Path of the client config file; XDG_CONFIG_HOME is honoured. */
export function clientConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'hodei', 'config.yaml');
}

const FILE_KEYS = ['current-context', 'contexts'];
const CONTEXT_KEYS = ['name', 'server', 'token'];

export function readClientConfig(path = clientConfigPath()): ClientConfigFile {
  if (!existsSync(path)) return { contexts: [] };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(path, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return { contexts: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, 'must hold a mapping');
  const doc = raw as Record<string, unknown>;
  rejectUnknownKeys(doc, FILE_KEYS, path);
  const list = doc.contexts ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`${path} contexts`, 'must be a list');
  const contexts = list.map((c: unknown, i): Context => {
    if (typeof c !== 'object' || c === null) throw new ConfigError(`${path} contexts[${i}]`, 'must be a mapping');
    const o = c as Record<string, unknown>;
    rejectUnknownKeys(o, CONTEXT_KEYS, `${path} contexts[${i}]`);
    if (typeof o.name !== 'string' || typeof o.server !== 'string') throw new ConfigError(`${path} contexts[${i}]`, 'needs name and server');
    return { name: o.name, server: o.server, ...(typeof o.token === 'string' ? { token: o.token } : {}) };
  });
  const current = doc['current-context'];
  return { contexts, ...(typeof current === 'string' ? { currentContext: current } : {}) };
}

/** Writes the file atomically with mode 0600: it holds tokens. */
export function writeClientConfig(cfg: ClientConfigFile, path = clientConfigPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const doc = { ...(cfg.currentContext ? { 'current-context': cfg.currentContext } : {}), contexts: cfg.contexts };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, toYaml(doc), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Adds or replaces a context and makes it current. */
export function saveContext(ctx: Context, path = clientConfigPath()): void {
  const cfg = readClientConfig(path);
  writeClientConfig({ currentContext: ctx.name, contexts: [...cfg.contexts.filter((c) => c.name !== ctx.name), ctx] }, path);
}

export function useContext(name: string, path = clientConfigPath()): void {
  const cfg = readClientConfig(path);
  if (!cfg.contexts.some((c) => c.name === name)) {
    throw new ConfigError('context', `no context named '${name}' in ${path} (have: ${cfg.contexts.map((c) => c.name).join(', ') || 'none'})`);
  }
  writeClientConfig({ ...cfg, currentContext: name }, path);
}

/** The named context, or the current one; null when there is none. */
export function selectContext(cfg: ClientConfigFile, name?: string): Context | null {
  const wanted = name ?? cfg.currentContext;
  if (!wanted) return null;
  const ctx = cfg.contexts.find((c) => c.name === wanted);
  if (!ctx && name) throw new ConfigError('--context', `no context named '${name}' (have: ${cfg.contexts.map((c) => c.name).join(', ') || 'none'})`);
  return ctx ?? null;
}
