// Which driver errors mean "the store cannot be reached" (as opposed to a bad statement or a bug),
// for both engines, in one place: the API answers them with 503 STORE_UNAVAILABLE.
import { StoreUnavailableError } from './errors.js';

/** Socket-level codes Node sets when a connection cannot be made or was torn down. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'EAI_AGAIN', 'ENETDOWN',
]);

/**
 * SQLSTATEs of a server going away or refusing connections: class 08 (connection exception),
 * 57P01 admin_shutdown ("terminating connection due to administrator command"), 57P02
 * crash_shutdown, 57P03 cannot_connect_now (starting up / shutting down), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** Messages of pg, pg-pool and PGlite that carry no code. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // pg: "Connection terminated unexpectedly", "... due to connection timeout"
  /^timeout exceeded when trying to connect$/, // pg-pool connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^PGlite is closed$/,
  /^terminating connection due to administrator command$/,
];

export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.test(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string))) return true;
  // Node's happy-eyeballs connect fails with an AggregateError of per-address errors.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => isStoreUnavailable(x, depth + 1))) return true;
  return e.cause !== undefined && isStoreUnavailable(e.cause, depth + 1);
}
