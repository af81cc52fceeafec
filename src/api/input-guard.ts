// Refuses, for every route, strings the store cannot hold: a NUL (PostgreSQL text and jsonb reject
// U+0000) or an unpaired UTF-16 surrogate (not encodable as UTF-8). Checked once, generically, on
// the parsed body, query string and path parameters (keys included) before schema validation, so
// no such string ever reaches the store, a log line or an error message.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors/errors.js';

export const UNSTORABLE_RULE = 'must not contain NUL (U+0000) or unpaired UTF-16 surrogates';

/** A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorable = (s: string): boolean => !UNSTORABLE.test(s);

/**
 * Path (`secrets.API_KEY`, `args[2]`, as ajv errors name fields) of the first unstorable string in
 * `value`, or null. Iterative: a deeply nested body cannot exhaust the stack.
 */
export function findUnstorable(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (!isStorable(v)) return path || '(root)';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i] as [string, unknown];
        const childPath = path ? `${path}.${k}` : k;
        if (!isStorable(k)) return path ? `${path}.(key)` : '(key)';
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

export function refuseUnstorableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    for (const [where, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
      const field = findUnstorable(value);
      if (field !== null) throw new ValidationError(`${where} ${field}: ${UNSTORABLE_RULE}`, { field, rule: UNSTORABLE_RULE, location: where });
    }
  });
}
