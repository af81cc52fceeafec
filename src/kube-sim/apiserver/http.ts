// Small HTTP helpers: bodies, JSON responses and metav1.Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, StatusError, type StatusBody } from '../store/index.js';

const MAX_BODY = 3 * 1024 * 1024; // the API server's default request size limit

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parse a JSON body; unparseable → 400 BadRequest like the API server's decoder. */
export function parseJson(text: string, what: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw errors.badRequest(`${what} in version "v1" cannot be handled as a ${what}: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (res.headersSent) { res.end(); return; }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: StatusError): void {
  const retry = err.status.details?.retryAfterSeconds;
  if (retry !== undefined && !res.headersSent) res.setHeader('Retry-After', String(retry));
  sendJson(res, err.code, err.status);
}

export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  return errors.internal(e instanceof Error ? e.message : String(e));
}

export function successStatus(details: Record<string, unknown>): StatusBody & { details: Record<string, unknown> } {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message: '', reason: '', code: 200, details };
}
