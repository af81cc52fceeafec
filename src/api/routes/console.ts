// The web console: the static assets built by `npm run build` (Vite, src/console → dist/console),
// served at / without a token (`config.public`): the page holds no data, and every call it makes
// goes to the same bearer-token /v1 API the CLI uses. Hash routing (#/jobs/…) means only /, the
// hashed /assets/* and the icon exist on the server. A strict CSP keeps the page on this origin.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../../util/paths.js';

/** Where the build puts the console (package root, so it works from src/ under tests and from dist/). */
export const consoleDir = (): string => join(packageRoot(), 'dist', 'console');

export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const secure = (reply: FastifyReply): FastifyReply => reply
  .header('content-security-policy', CONSOLE_CSP).header('x-content-type-options', 'nosniff')
  .header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');

// Public (no data in them); asset requests are noise next to API calls, so logged at debug.
const route = (summary: string) => ({ config: { public: true }, schema: { summary, tags: ['console'] }, logLevel: 'debug' }) as const;
const PAGE = route('The web console (static page; it calls the /v1 API with the token)');
const ASSET = route('Web console assets (content-hashed, immutable)');
const ICON = route('Web console icon');

/** The same three routes whether or not the console is built, so the route table never depends on a build. */
export async function consoleRoutes(app: FastifyInstance, root = consoleDir()): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    const missing = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => secure(reply).status(503).type('text/plain; charset=utf-8')
      .send('The web console is not built in this installation: run `npm run build`. The API is under /v1.\n');
    app.get('/', PAGE, missing);
    app.get('/assets/*', ASSET, missing);
    app.get('/favicon.svg', ICON, missing);
    return;
  }
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false, index: false });
    scope.get('/', PAGE, (_req, reply) => secure(reply).sendFile('index.html', { maxAge: 0, cacheControl: true }));
    scope.get('/favicon.svg', ICON, (_req, reply) => secure(reply).sendFile('favicon.svg', { maxAge: 86_400_000 }));
    // Vite names assets by content hash: they never change under one name.
    scope.get<{ Params: { '*': string } }>('/assets/*', ASSET, (req, reply) =>
      secure(reply).sendFile(`assets/${req.params['*']}`, { maxAge: 31_536_000_000, immutable: true }));
  });
}
