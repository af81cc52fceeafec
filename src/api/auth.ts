// Bearer-token auth, decided on the route the router matched (never on the raw URL): every route
// requires the token unless its config says `public: true` (see route-table.ts). Unknown routes
// (the 404 handler) are not public either, so without the token every path that is not a public
// route answers the same 401, however it is spelled. The token is compared in constant time and
// never logged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../util/tokens.js';
import { errorBody } from './errors.js';
import { isPublicRoute } from './route-table.js';

export function hasValidToken(req: FastifyRequest, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1] !== undefined && safeEqual(m[1], token);
}

export function sendUnauthorized(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(401).header('www-authenticate', 'Bearer realm="hodei"').send(
    errorBody('UNAUTHORIZED', req.headers.authorization ? 'invalid bearer token' : 'missing Authorization: Bearer <token> header'),
  );
}

export function requireBearerToken(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (req, reply) => {
    if (isPublicRoute(req.routeOptions.config) || hasValidToken(req, token)) return;
    return sendUnauthorized(req, reply);
  });
}
