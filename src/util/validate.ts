// JSON Schema validation (ajv) with errors that name the field and the rule, shared by the config
// loader, the API edge (see api/validation.ts) and anything else that takes untrusted input.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ValidationError } from '../errors/errors.js';

export interface FieldError {
  field: string;
  rule: string;
}

/** Turns an ajv error into `{field, rule}` with a dotted path (`resources.cpu`, `args[2]`). */
export function describeAjvError(e: ErrorObject, root = ''): FieldError {
  let field = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') field = join(field, String(params.missingProperty));
  if (e.keyword === 'additionalProperties') {
    return { field: join(root, join(field, String(params.additionalProperty) || '(empty name)')), rule: 'is not a known field' };
  }
  let rule = e.message ?? e.keyword;
  if (e.keyword === 'required') rule = 'is required';
  else if (e.keyword === 'type') rule = `must be ${String(params.type)}`;
  else if (e.keyword === 'enum') rule = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  else if (e.keyword === 'maximum' || e.keyword === 'minimum') rule = `must be ${String(params.comparison)} ${String(params.limit)}`;
  else if (typeof e.parentSchema?.description === 'string') rule = `must be ${e.parentSchema.description}`;
  return { field: join(root, field) || root || '(root)', rule };
}

const join = (a: string, b: string): string => (a && b ? `${a}.${b}` : a || b);

export function toValidationError(errors: readonly ErrorObject[], root = '', what = 'input'): ValidationError {
  const all = errors.map((e) => describeAjvError(e, root));
  const first = all[0] ?? { field: root || '(root)', rule: 'is invalid' };
  return new ValidationError(`${what} ${first.field}: ${first.rule}`, { field: first.field, rule: first.rule, errors: all });
}

const strict = new Ajv({ allErrors: true, verbose: true, strict: false, coerceTypes: false, useDefaults: true });

/** Compiles a schema once; the returned function throws ValidationError or returns the typed value. */
export function compileValidator<T>(schema: object, what = 'input', root = ''): (value: unknown) => T {
  const fn: ValidateFunction = strict.compile(schema);
  return (value: unknown): T => {
    if (!fn(value)) throw toValidationError(fn.errors ?? [], root, what);
    return value as T;
  };
}
