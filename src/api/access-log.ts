// One access line per request, carrying the request id and (where there is one) the job id.
// Probes, scrapes and console assets log at debug: a Deployment with three probes and a 15 s
// scrape would otherwise drown its own log. Replaces Fastify's two lines per request.
import { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request lines ("incoming request", "request completed") are replaced by the one
 * access line below; its error, stream and not-found lines are kept.
 */
export class AccessLogController extends LogController {
  override incomingRequest(): void { /* the access line says it */ }
  override requestCompleted(): void { /* the access line says it */ }
}

const QUIET_PATHS = /^\/(livez|readyz|startupz|healthz|metrics)(\/|$|\?)/;
/** The console's static files (anything that is not the API, the OpenAPI document or a probe). */
const CONSOLE_ASSET = /^\/(?!v1\/|v1$|openapi\.json|version)[^?]*\.(js|css|map|svg|png|ico|woff2?|html)(\?|$)|^\/(\?|$)/;

/** Probe, scrape or console asset: logged at debug. */
export function isQuietRequest(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (QUIET_PATHS.test(url) || CONSOLE_ASSET.test(url));
}

function jobIdOf(req: FastifyRequest, location: unknown): string | undefined {
  const params = req.params as { id?: unknown } | undefined;
  if (req.url.startsWith('/v1/jobs/') && typeof params?.id === 'string') return params.id;
  const m = typeof location === 'string' ? /^\/v1\/jobs\/([^/?]+)/.exec(location) : null;
  return m?.[1];
}

/** Hooks the access log into `app`, built with `logController: new AccessLogController()`. */
export function accessLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    const quiet = isQuietRequest(req.method, req.url);
    const level = quiet ? 'debug' : reply.statusCode >= 500 ? 'error' : 'info';
    const jobId = jobIdOf(req, reply.getHeader('location'));
    req.log[level]({
      // The path and matched route only: query strings are caller data.
      method: req.method, path: req.url.split('?')[0]?.slice(0, 256), route: req.routeOptions.url ?? null, statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10, ...(jobId ? { jobId } : {}),
    }, 'request completed');
  });
}
