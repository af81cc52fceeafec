// GET /v1/stats — the control plane's own recent samples (last 15 minutes, every few seconds): what
// the console's Overview charts draw. Authenticated like every /v1 route; no Prometheus needed.
import type { FastifyInstance } from 'fastify';
import type { StatsSeries } from '../../observability/recent-samples.js';
import { errorSchema } from '../schemas.js';

const num = { type: 'number' } as const;
const sampleSchema = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    activeWorkers: { ...num, description: 'workers not yet terminated or failed' },
    jobsQueued: num,
    jobsRunning: { ...num, description: 'jobs provisioning, assigned or running' },
    workersCreatedPerMinute: { ...num, description: 'worker.created events since the previous sample, per minute' },
    podCreationP95Seconds: { ...num, description: 'P95 pod creation time over the SLO window' },
    apiErrorRate: { ...num, description: 'failed / total Kubernetes API requests over the SLO window' },
  },
} as const;

export function statsRoutes(app: FastifyInstance, series: () => StatsSeries): void {
  app.get('/v1/stats', {
    schema: {
      summary: 'Recent samples of workers, jobs and SLIs (oldest first)', tags: ['stats'],
      response: {
        200: {
          type: 'object',
          properties: { intervalSeconds: num, windowSeconds: num, samples: { type: 'array', items: sampleSchema } },
        },
        401: errorSchema,
      },
    },
  }, async () => series());
}
