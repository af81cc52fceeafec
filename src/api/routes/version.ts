// GET /version (public, like kube-apiserver's): the server's version and build, for `hodei version`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../util/paths.js';

/** dist/build-info.json is written by scripts/build.mjs; absent when running from source. */
function buildInfo(): { commit: string | null; builtAt: string | null } {
  const path = join(packageRoot(), 'dist', 'build-info.json');
  if (!existsSync(path)) return { commit: null, builtAt: null };
  try {
    const b = JSON.parse(readFileSync(path, 'utf8')) as { commit?: string; builtAt?: string };
    return { commit: b.commit ?? null, builtAt: b.builtAt ?? null };
  } catch {
    return { commit: null, builtAt: null };
  }
}

export function versionRoute(app: FastifyInstance, version: string): void {
  const build = { ...buildInfo(), node: process.version, platform: `${process.platform}/${process.arch}` };
  app.get('/version', {
    config: { public: true },
    schema: {
      summary: 'Server version and build (public, as kube-apiserver serves /version)', tags: ['meta'],
      response: {
        200: {
          type: 'object', properties: {
            version: { type: 'string' },
            build: { type: 'object', properties: { commit: { type: ['string', 'null'] }, builtAt: { type: ['string', 'null'] }, node: { type: 'string' }, platform: { type: 'string' } } },
          },
        },
      },
    },
  }, () => ({ version, build }));
}
