// Bearer-token auth for every /v1 route. The token is compared in constant time and never logged.
import type { FastifyInstance } from 'fastify';
import { safeEqual } from '../util/tokens.js';
import { errorBody } from './errors.js';

export function requireBearerToken(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1/') && req.url !== '/v1') return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m?.[1] && safeEqual(m[1], token)) return;
    return reply.status(401).header('www-authenticate', 'Bearer realm="hodei"').send(
      errorBody('UNAUTHORIZED', header ? 'invalid bearer token' : 'missing Authorization: Bearer <token> header'),
    );
  });
}
