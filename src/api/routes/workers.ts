// /v1/workers: the workers the control plane knows of.
import type { FastifyInstance } from 'fastify';
import { WORKER_STATES, type WorkerState } from '../../domain/worker.js';
import type { WorkerService } from '../../jobs/workers.js';
import { errorSchema } from '../schemas.js';

const workerSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, providerId: { type: 'string' }, state: { type: 'string' },
    jobId: { type: ['string', 'null'] }, ephemeral: { type: 'boolean' }, handle: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] }, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
    registeredAt: { type: ['string', 'null'] }, lastHeartbeatAt: { type: ['string', 'null'] }, pool: { type: ['string', 'null'] },
  },
} as const;

export function workerRoutes(app: FastifyInstance, workers: WorkerService): void {
  app.get<{ Querystring: { state?: WorkerState; all: boolean } }>('/v1/workers', {
    schema: {
      summary: 'List workers (live ones unless all=true or a state is given)', tags: ['workers'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { state: { type: 'string', enum: [...WORKER_STATES] }, all: { type: 'boolean', default: false } },
      },
      response: { 200: { type: 'object', properties: { workers: { type: 'array', items: workerSchema } } }, 400: errorSchema },
    },
  }, async (req) => {
    const { state, all } = req.query;
    const states = state ? [state] : all ? undefined : WORKER_STATES.filter((s) => s !== 'terminated' && s !== 'failed');
    return { workers: await workers.list(states ? { states } : {}) };
  });
}
