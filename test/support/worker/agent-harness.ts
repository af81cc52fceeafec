// Runs a real agent in-process against a gateway, capturing its pino output for assertions.
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/logger.js';
import { runAgent, type AgentOptions } from '../../../src/worker/agent.js';

export interface TestAgent {
  exit: Promise<number>;
  /** Every JSON log line the agent wrote. */
  logs: string[];
  stop(): void;
}

export function startAgent(serverUrl: string, token: string, extra: Partial<AgentOptions> = {}): TestAgent {
  const logs: string[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const stop = new AbortController();
  const exit = runAgent({
    serverUrl, token, logger: createLogger({ level: 'debug', destination }), signal: stop.signal,
    reconnectBaseMs: 50, reconnectMaxMs: 300, connectTimeoutMs: 15_000, killGraceMs: 500, ...extra,
  });
  return { exit, logs, stop: () => stop.abort() };
}

/** True while any process of the group exists (zombies included, until reaped). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
