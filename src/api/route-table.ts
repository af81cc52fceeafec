// The served route table, recorded as routes are added (Fastify's onRoute hook), and the one rule
// that ties auth to the OpenAPI document: a route is public only when its own config says
// `config: { public: true }`; every other route requires the bearer token. The same hook makes
// each route visible in /openapi.json (a `schema.hide` is overridden: nothing served is hidden)
// and gives public routes `security: []`.
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface ServedRoute {
  method: string;
  url: string;
  public: boolean;
}

/** Route-level config shared with every module that mounts routes. */
export interface HodeiRouteConfig {
  /** Served without the bearer token (probes, /metrics unless configured, /openapi.json, console assets). */
  public?: boolean;
}

declare module 'fastify' {
  // `app.get(url, { config: { public: true } }, ...)` type-checks everywhere routes are mounted.
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export const isPublicRoute = (config: unknown): boolean =>
  typeof config === 'object' && config !== null && (config as HodeiRouteConfig).public === true;

const tables = new WeakMap<FastifyInstance, ServedRoute[]>();

/** Call before any route is added: every later route (plugins included) is recorded. */
export function trackRoutes(app: FastifyInstance): void {
  const table: ServedRoute[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const pub = isPublicRoute(route.config);
    const schema = { ...(route.schema ?? {}) } as Record<string, unknown>;
    delete schema.hide;
    if (pub) schema.security = [];
    route.schema = schema;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      table.push({ method: method.toUpperCase(), url: route.url, public: pub });
    }
  });
}

/** Every route the app serves (after `ready()`), as recorded by `trackRoutes`. */
export function servedRoutes(app: FastifyInstance): readonly ServedRoute[] {
  return tables.get(app) ?? [];
}

/** A Fastify path as the OpenAPI document spells it: `/v1/jobs/:id` → `/v1/jobs/{id}`, `*` → `{*}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*/g, '{*}');
