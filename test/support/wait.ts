// Test helpers shared by every suite (excluded from the build): polling instead of fixed sleeps,
// and a free port on 127.0.0.1.
import { createServer } from 'node:net';

/**
 * Calls `fn` until it returns a truthy value (errors count as "not yet"); after `timeoutMs` fails
 * naming `what` and the last error.
 */
export async function poll<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no free port'))));
    });
  });
}
