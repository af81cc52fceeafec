// GET /metrics: the Prometheus text exposition of the control plane's registry. Open by default as
// Prometheus expects; `metricsRequireToken` puts it behind the bearer token.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsSource {
  registry: Pick<Registry, 'contentType' | 'metrics'>;
  requireToken: boolean;
}

export function metricsRoute(app: FastifyInstance, m: MetricsSource): void {
  app.get('/metrics', {
    config: { public: !m.requireToken },
    schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['observability'] },
  }, async (_req, reply) => reply.header('content-type', m.registry.contentType).send(await m.registry.metrics()));
}
