// The HTTP API (Fastify): JSON Schema on every body/param/query, bearer auth on /v1, one error
// shape, a 1 MiB body limit, request ids, and the OpenAPI document generated from the routes.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import type { Logger } from '../observability/logger.js';
import type { JobService } from '../jobs/service.js';
import { requireBearerToken } from './auth.js';
import { errorBody, handleError } from './errors.js';
import { jobRoutes } from './routes/jobs.js';
import { logRoutes } from './routes/logs.js';
import { queueRoutes } from './routes/queues.js';
import { workerRoutes } from './routes/workers.js';

export const BODY_LIMIT = 1024 * 1024;

export interface ApiOptions {
  jobs: JobService;
  apiToken: string;
  logger: Logger;
  version: string;
  /** Extra routes (metrics, health, events...) registered by other parts, before the server starts. */
  plugins?: Array<(app: FastifyInstance) => void>;
}

// Bodies are checked strictly (no coercion, unknown fields refused); query strings are coerced.
const bodyAjv = new Ajv({ allErrors: true, verbose: true, strict: false, coerceTypes: false, useDefaults: true, removeAdditional: false });
const queryAjv = new Ajv({ allErrors: true, verbose: true, strict: false, coerceTypes: 'array', useDefaults: true, removeAdditional: false });

export async function buildApi(o: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Hodei API', version: o.version, description: 'Queue jobs, follow their logs, see workers.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  requireBearerToken(app, o.apiToken);
  jobRoutes(app, o.jobs);
  logRoutes(app, o.jobs);
  workerRoutes(app, o.jobs.store);
  queueRoutes(app, o.jobs.queues);
  for (const plugin of o.plugins ?? []) plugin(app);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
