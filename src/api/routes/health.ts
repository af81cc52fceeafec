// /livez, /readyz, /startupz answer 200 (Healthy or Degraded) or 503 (Unhealthy), public as kubelet
// probes expect; `?verbose` lists every named check. /v1/health returns every probe as JSON.
import type { FastifyInstance } from 'fastify';
import { PROBES, type HealthRegistry, type Probe } from '../../observability/health.js';

const PATHS: Record<Probe, string> = { liveness: '/livez', readiness: '/readyz', startup: '/startupz' };

export function healthRoutes(app: FastifyInstance, health: HealthRegistry): void {
  for (const probe of PROBES) {
    // Public (no token), as kubelet probes expect; `?verbose` lists every named check.
    app.get<{ Querystring: { verbose?: string } }>(PATHS[probe], {
      config: { public: true },
      schema: {
        summary: `${probe[0]?.toUpperCase()}${probe.slice(1)} probe: 200 unless Unhealthy (503)`, tags: ['health'],
        querystring: { type: 'object', properties: { verbose: { type: 'string', maxLength: 16, description: 'present: list every check' } } },
      },
    }, async (req, reply) => {
      const r = await health.run(probe);
      void reply.status(r.status === 'Unhealthy' ? 503 : 200).header('content-type', 'text/plain; charset=utf-8');
      if (req.query.verbose === undefined) return r.status === 'Unhealthy' ? `${PATHS[probe]} check failed\n` : 'ok\n';
      const lines = r.checks.map((c) => `[${c.status === 'Healthy' ? '+' : c.status === 'Degraded' ? '~' : '-'}]${c.name} ${c.status.toLowerCase()}: ${c.message}`);
      return `${lines.join('\n')}\n${PATHS[probe].slice(1)} ${r.status === 'Unhealthy' ? 'check failed' : 'check passed'} (${r.status})\n`;
    });
  }
  app.get('/v1/health', { schema: { summary: 'Every probe with every check', tags: ['health'] } }, async () => {
    const [liveness, readiness, startup] = await Promise.all(PROBES.map((p) => health.run(p)));
    return { liveness, readiness, startup };
  });
}
