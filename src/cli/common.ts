// Shared CLI pieces: where the server is, its token, flag parsers, and one-line errors.
import { InvalidArgumentError, type Command } from 'commander';
import { ApiError, HodeiClient, UnreachableError } from '../client/client.js';
import { readLocalApiToken } from '../control-plane/api-token.js';
import { HodeiError } from '../errors/errors.js';

export interface ClientFlags {
  server?: string;
  dataDir?: string;
  json?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:7070';

export function addClientOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `Hodei server URL (env HODEI_URL, default ${DEFAULT_URL})`)
    .option('--data-dir <dir>', 'data dir of a local server, to find its API token (env HODEI_DATA_DIR, default ./.hodei)')
    .option('--json', 'machine-readable JSON output');
}

/** Server URL from --server, HODEI_URL or the default; token from HODEI_API_TOKEN or the local data dir. */
export function clientFrom(flags: ClientFlags): HodeiClient {
  const url = flags.server ?? process.env.HODEI_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new InvalidArgumentError(`--server must be an http(s) URL, got '${url}'`);
  const token = process.env.HODEI_API_TOKEN || readLocalApiToken(flags.dataDir ?? process.env.HODEI_DATA_DIR ?? './.hodei');
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

/** One line on stderr and an exit code; never a stack trace for a user error. */
export function reportError(err: unknown): number {
  if (err instanceof ApiError) {
    const field = typeof err.details.field === 'string' ? ` (field ${err.details.field})` : '';
    process.stderr.write(`error: ${err.message}${field} [${err.code}]\n`);
    return err.status === 404 ? 4 : 2;
  }
  if (err instanceof UnreachableError || err instanceof InvalidArgumentError || err instanceof HodeiError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
  return 1;
}

export const print = (json: boolean | undefined, value: unknown, human: () => string): void => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : human());
};

/** Fixed-width table for human output. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function age(iso: string | null): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
