// /v1/queues: per-queue settings (concurrency, pause, cpu/memory/gpu quota) with live counts.
import type { FastifyInstance } from 'fastify';
import type { QueuePatch, QueueService } from '../../jobs/queues.js';
import { CPU_PATTERN, MEMORY_PATTERN, QUEUE_NAME_PATTERN } from '../../jobs/spec-schema.js';
import type { QueueSettings } from '../../store/store.js';
import { errorSchema } from '../schemas.js';

const nameParams = {
  type: 'object', required: ['name'],
  properties: { name: { type: 'string', pattern: QUEUE_NAME_PATTERN, description: 'a queue name (lowercase letters, digits, - _ ., at most 63)' } },
} as const;

const settingsProperties = {
  concurrency: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000, description: 'most jobs of the queue running at once (null: no limit; 0 holds every job)' },
  paused: { type: 'boolean' },
  quota: {
    type: 'object', additionalProperties: false,
    properties: {
      cpu: { type: 'string', pattern: CPU_PATTERN, description: 'a CPU quantity like "4" or "2500m"' },
      memory: { type: 'string', pattern: MEMORY_PATTERN, description: 'a memory quantity like "8Gi"' },
      gpu: { type: 'integer', minimum: 0, maximum: 100_000 },
    },
  },
} as const;

const putBody = { type: 'object', additionalProperties: false, properties: settingsProperties } as const;
const patchBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: settingsProperties } as const;

const count = { type: 'integer' } as const;
export const queueViewSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' }, configured: { type: 'boolean' },
    concurrency: { type: ['integer', 'null'] }, paused: { type: 'boolean' },
    quota: { type: 'object', properties: { cpu: { type: 'string' }, memory: { type: 'string' }, gpu: { type: 'integer' } } },
    pausedAt: { type: ['string', 'null'] },
    jobs: { type: 'object', properties: { scheduled: count, blocked: count, queued: count, provisioning: count, assigned: count, running: count } },
    oldestQueuedSeconds: { type: 'number' }, lastStartedAt: { type: ['string', 'null'] },
  },
} as const;

const errors = { 400: errorSchema, 401: errorSchema };

export function queueRoutes(app: FastifyInstance, queues: QueueService): void {
  app.get('/v1/queues', {
    schema: { summary: 'List queues (configured or holding jobs) with their settings and counts', tags: ['queues'], response: { 200: { type: 'object', properties: { queues: { type: 'array', items: queueViewSchema } } }, ...errors } },
  }, async () => ({ queues: await queues.list() }));

  app.get<{ Params: { name: string } }>('/v1/queues/:name', {
    schema: { summary: 'Get a queue (an unconfigured one shows the defaults)', tags: ['queues'], params: nameParams, response: { 200: queueViewSchema, ...errors } },
  }, (req) => queues.get(req.params.name));

  app.put<{ Params: { name: string }; Body: Partial<QueueSettings> }>('/v1/queues/:name', {
    schema: { summary: 'Create or replace a queue\'s settings (fields left out take their defaults)', tags: ['queues'], params: nameParams, body: putBody, response: { 200: queueViewSchema, ...errors } },
  }, (req) => queues.put(req.params.name, req.body));

  app.patch<{ Params: { name: string }; Body: QueuePatch }>('/v1/queues/:name', {
    schema: { summary: 'Change some of a queue\'s settings', tags: ['queues'], params: nameParams, body: patchBody, response: { 200: queueViewSchema, ...errors } },
  }, (req) => queues.patch(req.params.name, req.body));
}
