// /v1/pools: worker pools (a Kubernetes Deployment + HPA of long-lived workers). The routes are a
// thin JSON-Schema-validated edge over the control plane's PoolService (jobs/pools.ts); with any
// provider but Kubernetes they answer 409 CONFLICT ("pools need the kubernetes provider").
import type { FastifyInstance } from 'fastify';
import { HodeiError } from '../../errors/errors.js';
import type { PoolService, PoolUpdate } from '../../jobs/pools.js';
import { POOL_NAME_PATTERN, poolSpecProperties } from '../../providers/kubernetes/pools/spec.js';
import { errorSchema } from '../schemas.js';

const nameParams = {
  type: 'object', required: ['name'],
  properties: { name: { type: 'string', pattern: POOL_NAME_PATTERN, description: 'a DNS label of at most 40 characters' } },
} as const;

const createBody = {
  type: 'object', additionalProperties: false, required: ['name', 'min', 'max', 'target'],
  properties: { name: nameParams.properties.name, ...poolSpecProperties },
} as const;

const updateBody = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: { min: poolSpecProperties.min, max: poolSpecProperties.max, target: poolSpecProperties.target,
    scaleDownStabilizationSeconds: poolSpecProperties.scaleDownStabilizationSeconds },
} as const;

const poolView = {
  type: 'object',
  properties: {
    name: { type: 'string' }, namespace: { type: 'string' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
    spec: { type: 'object', additionalProperties: true },
    status: {
      type: 'object',
      properties: {
        desiredReplicas: { type: ['integer', 'null'] }, currentReplicas: { type: ['integer', 'null'] },
        readyWorkers: { type: 'integer' }, lastScaleTime: { type: ['string', 'null'] },
        conditions: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema, 502: errorSchema };

export function poolRoutes(app: FastifyInstance, pools: PoolService): void {
  app.get('/v1/pools', {
    schema: { summary: 'List worker pools with their HPA status', tags: ['pools'], response: { 200: { type: 'object', properties: { pools: { type: 'array', items: poolView } } }, ...errors } },
  }, async () => ({ pools: await pools.list() }));

  app.post<{ Body: { name: string } & Record<string, unknown> }>('/v1/pools', {
    schema: { summary: 'Create a worker pool (Deployment + HPA)', tags: ['pools'], body: createBody, response: { 201: poolView, ...errors } },
  }, async (req, reply) => {
    const { name, ...spec } = req.body;
    const view = await pools.create(name, spec);
    return reply.status(201).header('location', `/v1/pools/${name}`).send(view);
  });

  app.get<{ Params: { name: string } }>('/v1/pools/:name', {
    schema: { summary: 'Get a worker pool', tags: ['pools'], params: nameParams, response: { 200: poolView, ...errors } },
  }, (req) => pools.get(req.params.name));

  app.patch<{ Params: { name: string }; Body: PoolUpdate }>('/v1/pools/:name', {
    schema: { summary: 'Update min, max, target of a pool', tags: ['pools'], params: nameParams, body: updateBody, response: { 200: poolView, ...errors } },
  }, (req) => pools.update(req.params.name, req.body));

  app.delete<{ Params: { name: string } }>('/v1/pools/:name', {
    schema: { summary: 'Delete a pool (revokes its token; its pods are deleted)', tags: ['pools'], params: nameParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    if (!(await pools.delete(req.params.name))) throw new HodeiError('NOT_FOUND', `pool '${req.params.name}' not found`, { name: req.params.name });
    return reply.status(204).send();
  });
}
