// JSON Schema of a job submission: the API edge validates every body against it (Fastify + ajv),
import { JOB_STATES } from '../domain/job.js';
// and OpenAPI is generated from it. Limits are generous but bounded so no input can exhaust us.

const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)', maxLength: 256 };
const labelKey = { type: 'string', pattern: '^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$', description: 'a label key like app or example.com/team' };
const labelValue = { type: 'string', pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$', description: 'a label value (≤ 63 chars, alphanumerics, -_.)' };

export const QUEUE_NAME_PATTERN = '^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$';
const RFC3339_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

export const CPU_PATTERN = '^(([0-9]+m)|([0-9]+(\\.[0-9]{1,3})?))$';
export const MEMORY_PATTERN = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';

const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** IPv4 CIDR (strict) or IPv6 CIDR (hex groups and ::); the provider parses it fully. */
export const EGRESS_CIDR_PATTERN = `^((${octet}\\.){3}${octet}/(3[0-2]|[12]?[0-9])|[0-9a-fA-F:]*:[0-9a-fA-F:]*/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))$`;
const egressItem = {
  type: 'object', additionalProperties: false, required: ['cidr'],
  properties: {
    cidr: { type: 'string', pattern: EGRESS_CIDR_PATTERN, description: 'a CIDR like 10.0.0.0/8 or fd00::/8' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    protocol: { type: 'string', enum: ['TCP', 'UDP'] },
  },
};

/** A failure reason as the job's `reason` field spells it (NonZeroExit, WorkerLost, Timeout, OOMKilled...). */
const reasonName = { type: 'string', pattern: '^[A-Z][A-Za-z]{1,63}$', description: 'a failure reason like WorkerLost, NonZeroExit, Timeout or OOMKilled' };
export const retryPolicySchema = {
  type: 'object', additionalProperties: false, required: ['limit'],
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: 20, description: 'retries after the first attempt' },
    backoff: {
      type: 'object', additionalProperties: false,
      properties: {
        initialSeconds: { type: 'number', minimum: 0, maximum: 86400 },
        maxSeconds: { type: 'number', minimum: 0, maximum: 7 * 86400 },
        factor: { type: 'number', minimum: 1, maximum: 10 },
        jitter: { type: 'number', minimum: 0, maximum: 1, description: 'up to this fraction of each delay is taken off at random' },
      },
    },
    onReasons: { type: 'array', items: reasonName, minItems: 1, maxItems: 32, uniqueItems: true, description: 'retry only failures with these reasons' },
  },
} as const;

/** Seconds a finished job is kept (a Kubernetes Job's ttlSecondsAfterFinished); at most a year. */
export const ttlSchema = { type: 'integer', minimum: 0, maximum: 366 * 86400, description: 'seconds after the job ends before it is deleted' } as const;

export const jobSubmissionSchema = {
  $id: 'JobSubmission',
  type: 'object',
  additionalProperties: false,
  required: ['command'],
  properties: {
    command: { type: 'string', minLength: 1, maxLength: 4096 },
    args: { type: 'array', items: { type: 'string', maxLength: 65536 }, maxItems: 1024, default: [] },
    env: { type: 'object', propertyNames: envName, additionalProperties: { type: 'string', maxLength: 65536 }, maxProperties: 256, default: {} },
    workingDir: { type: 'string', minLength: 1, maxLength: 4096 },
    image: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\s]+$', description: 'an image reference without spaces' },
    resources: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        cpu: { type: 'string', pattern: CPU_PATTERN, description: 'a CPU quantity like "500m" or "2"' },
        memory: { type: 'string', pattern: MEMORY_PATTERN, description: 'a memory quantity like "256Mi" or "1Gi"' },
        gpu: { type: 'integer', minimum: 0, maximum: 64 },
      },
    },
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 7 * 24 * 3600 },
    retries: { type: 'integer', minimum: 0, maximum: 20, default: 0 },
    labels: { type: 'object', propertyNames: labelKey, additionalProperties: labelValue, maxProperties: 64, default: {} },
    secrets: { type: 'object', propertyNames: envName, additionalProperties: { type: 'string', maxLength: 65536 }, maxProperties: 64, default: {} },
    egress: { type: 'array', items: egressItem, maxItems: 64, description: 'destinations the job needs to reach' },
    queue: { type: 'string', pattern: QUEUE_NAME_PATTERN, description: 'a queue name (lowercase letters, digits, - _ ., at most 63)' },
    priority: { type: 'integer', minimum: -1000, maximum: 1000, description: 'higher runs first' },
    runAt: { type: 'string', pattern: RFC3339_PATTERN, description: 'an RFC 3339 date-time like 2026-01-01T09:00:00Z' },
    key: { type: 'string', minLength: 1, maxLength: 256, description: 'singleton key: one unfinished job per key' },
    dependsOn: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 }, maxItems: 100, uniqueItems: true, description: 'ids of jobs that must succeed first' },
    retryPolicy: retryPolicySchema,
    ttlSecondsAfterFinished: ttlSchema,
  },
} as const;

const transitionSchema = {
  type: 'object',
  properties: { state: { type: 'string' }, at: { type: 'string', format: 'date-time' }, reason: { type: 'string' }, signal: { type: 'string' } },
};

/** Response shape of a job (no secret values: only their names). */
export const jobViewSchema = {
  $id: 'Job',
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: [...JOB_STATES] },
    spec: {
      type: 'object',
      properties: {
        command: { type: 'string' },
        args: { type: 'array', items: { type: 'string' } },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        workingDir: { type: 'string' },
        image: { type: 'string' },
        resources: { type: 'object', properties: { cpu: { type: 'string' }, memory: { type: 'string' }, gpu: { type: 'integer' } } },
        timeoutSeconds: { type: 'integer' },
        retries: { type: 'integer' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        egress: { type: 'array', items: egressItem },
        secretNames: { type: 'array', items: { type: 'string' } },
        queue: { type: 'string' },
        priority: { type: 'integer' },
        runAt: { type: 'string' },
        key: { type: 'string' },
        dependsOn: { type: 'array', items: { type: 'string' } },
        retryPolicy: retryPolicySchema,
        ttlSecondsAfterFinished: { type: 'integer' },
        template: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' }, params: { type: 'object', additionalProperties: { type: 'string' } } } },
      },
    },
    waitingFor: { type: 'string', description: 'why a job that has not started still waits' },
    attempt: { type: 'integer' },
    workerId: { type: ['string', 'null'] },
    exitCode: { type: ['integer', 'null'] },
    signal: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    message: { type: ['string', 'null'] },
    notBefore: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
    transitions: { type: 'array', items: transitionSchema },
  },
} as const;

/** The answer to a submission: the job, plus what the provider will not honour. */
export const jobSubmittedSchema = {
  ...jobViewSchema,
  properties: { ...jobViewSchema.properties, warnings: { type: 'array', items: { type: 'string' } } },
} as const;

/** `Warning` header value as kube-apiserver sends it (RFC 7234: `299 - "text"`, comma separated). */
export function warningHeader(warnings: readonly string[]): string {
  return warnings.map((w) => `299 - "${w.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?')}"`).join(', ');
}
