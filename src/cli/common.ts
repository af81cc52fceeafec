// Shared CLI pieces: where the server is and its token (flags > env > context > local data dir),
// flag parsers, and one-line errors with the exit codes of docs/cli.md.
import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import { ApiError, HodeiClient, UnreachableError } from '../client/client.js';
import { apiTokenPath, readLocalApiToken } from '../control-plane/api-token.js';
import { HodeiError } from '../errors/errors.js';
import { clientConfigPath, readClientConfig, selectContext } from './contexts.js';
import { EXIT } from './exit-codes.js';
import { addOutputOptions, type OutputFlags } from './output.js';

export interface ClientFlags extends OutputFlags {
  server?: string;
  dataDir?: string;
  context?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:7070';

/** Connection flags only (commands that write, or print no document). */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `Hodei server URL (env HODEI_URL; else the current context; default ${DEFAULT_URL})`)
    .option('--context <name>', 'use this context of the client config file instead of the current one (env HODEI_CONTEXT)')
    .option('--data-dir <dir>', 'data dir of a local server, to find its API token (env HODEI_DATA_DIR, default ./.hodei)');
}

/** Connection flags plus -o/--json/--no-headers: every read command. */
export function addClientOptions(cmd: Command, formats?: readonly string[]): Command {
  return addOutputOptions(addConnectionOptions(cmd), formats);
}

/** Where the server URL and the token came from, so a refused token can say how to fix it. */
export interface ClientOrigin {
  server: string;
  serverSource: string;
  context: string | null;
  tokenSource: string;
}

let lastOrigin: ClientOrigin | null = null;

/** Resolves server and token: flags, then HODEI_URL/HODEI_API_TOKEN, then the context, then the local data dir. */
export function resolveClient(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): { url: string; token: string | null; origin: ClientOrigin } {
  const path = clientConfigPath(env);
  const ctx = selectContext(readClientConfig(path), flags.context ?? (env.HODEI_CONTEXT || undefined));
  const [url, serverSource] = flags.server ? [flags.server, '--server']
    : env.HODEI_URL ? [env.HODEI_URL, 'HODEI_URL']
    : ctx ? [ctx.server, `context '${ctx.name}'`] : [DEFAULT_URL, 'default'];
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new InvalidArgumentError(`--server must be an http(s) URL, got '${url}'`);
  const dataDir = flags.dataDir ?? env.HODEI_DATA_DIR ?? './.hodei';
  let token: string | null = null;
  let tokenSource = 'none';
  if (env.HODEI_API_TOKEN) [token, tokenSource] = [env.HODEI_API_TOKEN, 'HODEI_API_TOKEN'];
  // A context's token goes only to that context's server, never to one named by a flag or env.
  else if (ctx?.token && sameServer(ctx.server, url)) [token, tokenSource] = [ctx.token, `context '${ctx.name}' in ${path}`];
  else if ((token = readLocalApiToken(dataDir))) tokenSource = apiTokenPath(dataDir);
  const origin = { server: url, serverSource, context: ctx?.name ?? null, tokenSource };
  return { url, token, origin };
}

const sameServer = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export function clientFrom(flags: ClientFlags): HodeiClient {
  const { url, token, origin } = resolveClient(flags);
  lastOrigin = origin;
  return new HodeiClient(url, token);
}

export function parseKeyValue(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const i = value.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`${flag} must be KEY=VALUE, got '${value}'`);
    return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
  };
}

export function parseInteger(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a whole number, got '${value}'`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

/** The hint a refused token gets: which context and token source were used and how to fix it. */
export function unauthorizedHint(o: ClientOrigin | null): string {
  if (!o) return '';
  const used = `server ${o.server} (from ${o.serverSource}), token from ${o.tokenSource}${o.context ? `, context '${o.context}'` : ''}`;
  return `; used ${used}. Fix: hodei login --server ${o.server} --token <token>, or set HODEI_API_TOKEN`;
}

/**
 * One line on stderr and the exit code: 2 usage, 1 anything else; under `hodei run` every failure of
 * hodei itself is 125 (the job's own codes take the rest), with the line saying which failure.
 */
export function reportError(err: unknown, run = false): number {
  const [kind, message, usage] = describeError(err);
  process.stderr.write(`error: ${run ? `${kind}: ` : ''}${message}\n`);
  if (run) return EXIT.hodeiFailed;
  return usage ? EXIT.usage : EXIT.failure;
}

function describeError(err: unknown): [kind: string, message: string, usage: boolean] {
  if (err instanceof ApiError) {
    if (err.status === 401) return ['token refused', `${err.message} [${err.code}]${unauthorizedHint(lastOrigin)}`, false];
    const field = typeof err.details.field === 'string' ? ` (field ${err.details.field})` : '';
    return [err.status === 404 ? 'not found' : 'request refused', `${err.message}${field} [${err.code}]`, err.status === 400];
  }
  if (err instanceof UnreachableError) return ['server unreachable', err.message, false];
  if (err instanceof CommanderError) return ['usage', err.message.replace(/^error: /, ''), true];
  if (err instanceof InvalidArgumentError || err instanceof HodeiError) return ['usage', err.message, true];
  return ['internal error', (err as Error)?.message ?? String(err), false];
}

export function age(iso: string | null): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
