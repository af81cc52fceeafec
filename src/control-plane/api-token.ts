// The API token: HODEI_API_TOKEN, or one generated on first start and kept (mode 0600) in the
// data dir, where the CLI finds it for a local server.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newToken } from '../util/tokens.js';

export const API_TOKEN_FILE = 'api-token';

export function apiTokenPath(dataDir: string): string {
  return join(dataDir, API_TOKEN_FILE);
}

/** Returns the token and whether it was generated now (so the server prints it exactly once). */
export function resolveApiToken(dataDir: string, configured?: string): { token: string; generated: boolean; path: string } {
  const path = apiTokenPath(dataDir);
  if (configured) return { token: configured, generated: false, path };
  const existing = readLocalApiToken(dataDir);
  if (existing) return { token: existing, generated: false, path };
  mkdirSync(dataDir, { recursive: true });
  const token = newToken();
  writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { token, generated: true, path };
}

/** The token of a local server started with this data dir, or null. Refuses a group/world-readable file. */
export function readLocalApiToken(dataDir: string): string | null {
  const path = apiTokenPath(dataDir);
  if (!existsSync(path)) return null;
  if ((statSync(path).mode & 0o077) !== 0) throw new Error(`${path} is readable by others; run: chmod 600 ${path}`);
  return readFileSync(path, 'utf8').trim() || null;
}
