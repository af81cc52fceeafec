// Opaque keyset cursor for listJobs: base64url of the last row's [createdAt, id]. Opaque so
// clients cannot depend on its shape; validated so a tampered cursor is a 400, not a 500.
import { ValidationError } from '../errors/errors.js';

export interface CursorPosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(JSON.stringify([p.createdAt, p.id]), 'utf8').toString('base64url');
}

const invalid = (): ValidationError =>
  new ValidationError('cursor: not a cursor returned by a previous page', { field: 'cursor' });

export function decodeCursor(cursor: string): CursorPosition {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || id === '') throw invalid();
  const t = new Date(createdAt);
  if (Number.isNaN(t.getTime()) || t.toISOString() !== createdAt) throw invalid();
  return { createdAt, id };
}
