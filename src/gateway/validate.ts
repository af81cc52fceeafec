// JSON Schemas for every protocol message and the parsers both ends use. A message is checked in
// two steps (is it a JSON object with a known `type`? then that type's schema) so an error names
// the exact field and rule instead of a oneOf soup.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorMessage, ServerMessage, WorkerMessage } from './protocol.js';

const str = { type: 'string', minLength: 1, maxLength: 4096 } as const;
/** Job and worker ids (UUID based) and tokens: far shorter than any legitimate use of `str`. */
const id = { type: 'string', minLength: 1, maxLength: 256 } as const;
const secret = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const count = { type: 'integer', minimum: 0 } as const;
/** Attempts, batch numbers, pids: they land in integer columns, whose range they must respect. */
const int32 = { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 } as const;
const jobRef = { jobId: id, attempt: { ...int32, minimum: 1 } } as const;

const logEntry = {
  type: 'object',
  required: ['stream', 'data'],
  additionalProperties: false,
  properties: { stream: { enum: ['stdout', 'stderr', 'system'] }, data: { type: 'string' } },
} as const;

const jobResult = {
  type: 'object',
  required: ['exitCode', 'outcome'],
  additionalProperties: false,
  properties: {
    exitCode: { type: ['integer', 'null'], minimum: -(2 ** 31), maximum: 2 ** 31 - 1 },
    signal: { type: ['string', 'null'], maxLength: 64 },
    outcome: { enum: ['exited', 'timed_out', 'cancelled', 'interrupted', 'error'] },
    message: { type: 'string', maxLength: 65536 },
  },
} as const;

const assignedJob = {
  type: 'object',
  required: ['jobId', 'attempt', 'command', 'args', 'env', 'secretNames'],
  properties: {
    jobId: str, attempt: count,
    command: str,
    args: { type: 'array', items: { type: 'string' } },
    env: { type: 'object', additionalProperties: { type: 'string' } },
    secretNames: { type: 'array', items: { type: 'string' } },
    workingDir: str,
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

const errorMsg = {
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 64 }, message: { type: 'string', maxLength: 65536 },
    field: { type: 'string', maxLength: 4096 }, rule: { type: 'string', maxLength: 4096 },
  },
} as const;

/** type → [required fields, properties]; every message is an object with a string `type`. */
type Shape = { required: readonly string[]; properties: Record<string, unknown> };
const shape = (required: readonly string[], properties: Record<string, unknown>): Shape => ({ required, properties });

const WORKER_SHAPES: Record<WorkerMessage['type'], Shape> = {
  register: shape(['protocolVersion', 'token', 'agentVersion', 'pid', 'hostname'], {
    protocolVersion: { type: 'integer', minimum: 1, maximum: 1000 }, token: secret, agentVersion: str, pid: int32, hostname: str,
  }),
  resume: shape(['protocolVersion', 'workerId', 'sessionToken'], {
    protocolVersion: { type: 'integer', minimum: 1, maximum: 1000 }, workerId: id, sessionToken: secret,
    job: { anyOf: [{ type: 'null' }, { type: 'object', required: ['jobId', 'attempt'], additionalProperties: false, properties: jobRef }] },
  }),
  heartbeat: shape([], {}),
  'job.started': shape(['jobId', 'attempt'], jobRef),
  'job.logs': shape(['jobId', 'attempt', 'seq', 'entries'], {
    ...jobRef, seq: { ...int32, minimum: 1 }, entries: { type: 'array', items: logEntry },
  }),
  'job.result': shape(['jobId', 'attempt', 'result'], { ...jobRef, result: jobResult }),
  error: shape(errorMsg.required, errorMsg.properties),
};

const SERVER_SHAPES: Record<ServerMessage['type'], Shape> = {
  registered: shape(['protocolVersion', 'workerId', 'sessionToken', 'heartbeatIntervalMs'], {
    protocolVersion: { type: 'integer', minimum: 1 }, workerId: str, sessionToken: str,
    heartbeatIntervalMs: { type: 'integer', minimum: 1 },
  }),
  resumed: shape(['workerId', 'heartbeatIntervalMs'], { workerId: str, heartbeatIntervalMs: { type: 'integer', minimum: 1 } }),
  'heartbeat.ack': shape([], {}),
  'job.assign': shape(['job'], { job: assignedJob }),
  'job.logs.ack': shape(['jobId', 'attempt', 'seq'], { ...jobRef, seq: { type: 'integer', minimum: 1 } }),
  'job.result.ack': shape(['jobId', 'attempt'], jobRef),
  'job.cancel': shape(['jobId'], { jobId: str, reason: { type: 'string' } }),
  shutdown: shape(['reason'], { reason: { type: 'string' } }),
  error: shape(errorMsg.required, errorMsg.properties),
};

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ErrorMessage };

function invalid(message: string, field: string, rule: string): { ok: false; error: ErrorMessage } {
  return { ok: false, error: { type: 'error', code: 'INVALID_MESSAGE', message, field, rule } };
}

function describe(type: string, e: ErrorObject): { ok: false; error: ErrorMessage } {
  const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
  const field = missing ? `${e.instancePath}/${missing}` : e.instancePath || '/';
  const rule = missing ? 'required' : `${e.keyword}: ${e.message ?? 'invalid'}`;
  const what = missing ? 'is required' : (e.message ?? 'is invalid');
  return invalid(`invalid ${type} message: field ${field} ${what}`, field, rule);
}

/** NUL, which PostgreSQL text cannot hold, and a UTF-16 surrogate without its other half. */
const NUL = /\0/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string under `value` (depth first, in key order) that the store could not hold. */
function unsafeText(value: unknown, path: string, skip: (path: string) => boolean): { field: string; rule: string } | null {
  if (typeof value === 'string') {
    if (skip(path)) return null;
    if (NUL.test(value)) return { field: path || '/', rule: 'must not contain NUL (U+0000)' };
    if (LONE_SURROGATE.test(value)) return { field: path || '/', rule: 'must be well-formed UTF-16 (no lone surrogate)' };
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const found = unsafeText(v, `${path}/${k}`, skip);
    if (found) return found;
  }
  return null;
}

/** Log lines are job output: NUL or a broken surrogate there is stored as U+FFFD, not refused. */
const LOG_DATA = /^\/entries\/\d+\/data$/;
const skipOutput = (type: string) => (path: string): boolean => type === 'job.logs' && LOG_DATA.test(path);

interface ParserOptions {
  /** Refuse properties the schema does not name, and text the store could not hold (untrusted input). */
  strict: boolean;
}

function makeParser<T extends { type: string }>(shapes: Record<string, Shape>, opts: ParserOptions): (raw: string) => ParseResult<T> {
  // Each type's validator is compiled the first time a message of that type arrives: compiling
  // them all at import was a third of a worker agent's start-up CPU, for types it may never see.
  let ajv: Ajv | undefined;
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (type: string): ValidateFunction | undefined => {
    const s = Object.hasOwn(shapes, type) ? shapes[type] : undefined;
    if (!s) return undefined;
    let v = validators.get(type);
    if (!v) {
      ajv ??= new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
      v = ajv.compile({
        type: 'object', required: [...s.required], properties: { type: {}, ...s.properties },
        ...(opts.strict ? { additionalProperties: false } : {}),
      });
      validators.set(type, v);
    }
    return v;
  };
  const known = Object.keys(shapes).join(', ');
  return (raw) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not the parser's own message: newer Node versions quote the input in it.
      return invalid('message is not valid JSON', '/', 'json');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return invalid('message must be a JSON object', '/', 'type: must be object');
    }
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string') return invalid('field /type is required and must be a string', '/type', 'required');
    const validate = validatorOf(type);
    if (!validate) return invalid(`unknown message type (expected one of: ${known})`, '/type', 'enum');
    if (!validate(value)) {
      const first = validate.errors?.[0];
      return first ? describe(type, first) : invalid(`invalid ${type} message`, '/', 'schema');
    }
    const bad = opts.strict ? unsafeText(value, '', skipOutput(type)) : null;
    if (bad) return invalid(`invalid ${type} message: field ${bad.field} ${bad.rule}`, bad.field, bad.rule);
    return { ok: true, message: value as T };
  };
}

/** Parses what a worker sent (used by the gateway): untrusted, so strict. */
export const parseWorkerMessage = makeParser<WorkerMessage>(WORKER_SHAPES, { strict: true });
/** Parses what the control plane sent (used by the agent): unknown fields are tolerated. */
export const parseServerMessage = makeParser<ServerMessage>(SERVER_SHAPES, { strict: false });
