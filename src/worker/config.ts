// Small pure helpers for the agent's settings.
import { WORKER_CONNECT_PATH } from '../gateway/protocol.js';

/** ws(s) URL of the worker endpoint from a control-plane base URL; throws with a clear message. */
export function workerUrl(server: string): string {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    throw new Error(`invalid control-plane URL '${server}': expected e.g. http://127.0.0.1:8080`);
  }
  const scheme = ({ 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' } as Record<string, string>)[u.protocol];
  if (!scheme) throw new Error(`invalid control-plane URL '${server}': scheme must be http, https, ws or wss`);
  u.protocol = scheme;
  if (u.pathname === '/' || u.pathname === '') u.pathname = WORKER_CONNECT_PATH;
  return u.toString();
}

/** The agent's environment minus anything a job must not inherit (its registration token). */
export function jobBaseEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { HODEI_WORKER_TOKEN: _token, HODEI_WORKER_TOKEN_FILE: _file, ...rest } = env;
  return rest;
}
