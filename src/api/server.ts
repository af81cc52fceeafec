// The HTTP API (Fastify): JSON Schema on every body/param/query, the bearer token on every route
// not marked public, one error shape, a 1 MiB body limit, request ids, strings the store cannot
// hold refused at the edge, and the OpenAPI document generated from the routes (all of them).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import type { Logger } from '../observability/logger.js';
import type { PoolService } from '../jobs/pools.js';
import type { JobService } from '../jobs/service.js';
import type { TemplateService } from '../templates/service.js';
import type { WorkerService } from '../jobs/workers.js';
import type { EventRecorder } from '../observability/events/recorder.js';
import type { HealthRegistry } from '../observability/health.js';
import type { StatsSeries } from '../observability/recent-samples.js';
import type { SloEngine } from '../observability/slo-engine.js';
import type { ScheduleService } from '../schedules/service.js';
import { accessLog, AccessLogController } from './access-log.js';
import { hasValidToken, requireBearerToken, sendUnauthorized } from './auth.js';
import { errorBody, errorHandler } from './errors.js';
import { refuseUnstorableInput } from './input-guard.js';
import { normalizeRequestTarget } from './request-target.js';
import { trackRoutes } from './route-table.js';
import { consoleRoutes } from './routes/console.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { logRoutes } from './routes/logs.js';
import { metricsRoute, type MetricsSource } from './routes/metrics.js';
import { poolRoutes } from './routes/pools.js';
import { versionRoute } from './routes/version.js';
import { queueRoutes } from './routes/queues.js';
import { scheduleRoutes } from './routes/schedules.js';
import { sloRoutes } from './routes/slo.js';
import { statsRoutes } from './routes/stats.js';
import { templateRoutes } from './routes/templates.js';
import { workerRoutes } from './routes/workers.js';
import { errorSchema } from './schemas.js';
import { StoreOutage } from './store-outage.js';

export const BODY_LIMIT = 1024 * 1024;

/** The services every route is mounted from (the control plane builds them). */
export interface ApiServices {
  jobs: JobService;
  workers: WorkerService;
  pools: PoolService;
  schedules: ScheduleService;
  /** Versioned job templates (their routes, and POST /v1/jobs {template, params}). */
  templates: TemplateService;
  events: EventRecorder;
  slo: SloEngine;
  health: HealthRegistry;
  metrics: MetricsSource;
  /** The console's Overview charts: the last minutes of the server's own numbers. */
  stats: () => StatsSeries;
}

export interface ApiOptions extends ApiServices {
  apiToken: string;
  logger: Logger;
  version: string;
  /** Told when requests start or stop finding the store unreachable (readiness reads it). */
  onStoreOutage?: (down: boolean) => void;
}

// Bodies are checked strictly (no coercion, unknown fields refused); query strings are coerced.
const bodyAjv = new Ajv({ allErrors: true, verbose: true, strict: false, coerceTypes: false, useDefaults: true, removeAdditional: false });
const queryAjv = new Ajv({ allErrors: true, verbose: true, strict: false, coerceTypes: 'array', useDefaults: true, removeAdditional: false });

/**
 * Router choices (docs/security.md): a trailing slash, doubled slashes and letter case do not make
 * another route, so `/V1/Jobs/` is `/v1/jobs` (parameter values keep their case); path parameters
 * up to 256 characters reach the schema, which names the field when one is too long.
 */
const ROUTER_OPTIONS = { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false, maxParamLength: 256 } as const;

/** Errors the router raises before any route (and so before the auth hook) is chosen. */
const ROUTER_ERRORS: Record<string, [number, string]> = {
  FST_ERR_BAD_URL: [400, 'the request path is not valid percent-encoded UTF-8'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'a path segment is longer than 256 characters'],
};

export async function buildApi(o: ApiOptions): Promise<FastifyInstance> {
  const outage = new StoreOutage({ logger: o.logger.child({ component: 'api' }), probe: () => o.jobs.countByState(), ...(o.onStoreOutage ? { onChange: o.onStoreOutage } : {}) });
  const app = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Fastify's access lines carry the raw URL (query strings are caller data): access-log.ts writes
    // one line per request with the path and the matched route only.
    logController: new AccessLogController(),
    routerOptions: ROUTER_OPTIONS,
    // No implicit HEAD twins: every served route is one the OpenAPI document lists.
    exposeHeadRoutes: false,
    rewriteUrl: (req) => normalizeRequestTarget(req.url ?? '/'),
    // An unroutable path answers 401 without the token like any other non-public path, else 400/414.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      if (!hasValidToken(req, o.apiToken)) {
        sendUnauthorized(req, reply);
        return;
      }
      const [status, message] = ROUTER_ERRORS[err.code] ?? [400, 'the request path cannot be routed'];
      void reply.status(status).send(errorBody('BAD_REQUEST', message, { field: 'path', rule: message }));
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  trackRoutes(app);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
  app.setErrorHandler(errorHandler({ onStoreUnavailable: (err) => outage.report(err) }));
  // The same answer for every unknown path however it is spelled; nothing of the request echoed.
  app.setNotFoundHandler((_req, reply) => reply.status(404).send(errorBody('NOT_FOUND', 'no such route; the routes are listed at /openapi.json', { field: 'path' })));
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  accessLog(app);
  app.addHook('onClose', async () => outage.close());
  await app.register(swagger, {
    exposeHeadRoutes: true,
    openapi: {
      info: { title: 'Hodei API', version: o.version, description: 'Queue jobs, follow their logs, see workers.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  requireBearerToken(app, o.apiToken);
  refuseUnstorableInput(app);
  jobRoutes(app, o.jobs, o.templates);
  logRoutes(app, o.jobs);
  versionRoute(app, o.version);
  workerRoutes(app, o.workers);
  queueRoutes(app, o.jobs.queues);
  metricsRoute(app, o.metrics);
  healthRoutes(app, o.health);
  eventRoutes(app, o.events);
  sloRoutes(app, o.slo);
  poolRoutes(app, o.pools);
  scheduleRoutes(app, o.schedules);
  templateRoutes(app, o.templates);
  statsRoutes(app, o.stats);
  await consoleRoutes(app);
  app.get('/openapi.json', {
    config: { public: true },
    schema: { summary: 'This OpenAPI document: every route with its security requirement', tags: ['meta'], response: { 200: { type: 'object', additionalProperties: true }, 400: errorSchema } },
  }, () => app.swagger());
  return app;
}
