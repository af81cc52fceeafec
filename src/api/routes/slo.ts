// GET /v1/slo — targets, current SLIs over the rolling window, compliance with violation messages,
// and error budget remaining / burn rate per SLO (evaluated at request time).
import type { FastifyInstance } from 'fastify';
import type { SloEngine } from '../../observability/slo-engine.js';

export function sloRoutes(app: FastifyInstance, slo: SloEngine): void {
  app.get('/v1/slo', { schema: { summary: 'SLO targets, current SLIs, compliance, error budgets and burn rates', tags: ['slo'] } },
    async () => slo.report());
}
