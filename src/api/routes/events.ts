// GET /v1/events — recorded events in the spec's shape, filtered by type, worker, job and time.
// JSON answers newest first; NDJSON and SSE stream oldest first, and with follow=true keep
// streaming new events as they are recorded on this replica (until the client or server closes).
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors/errors.js';
import type { EventRecorder } from '../../observability/events/recorder.js';
import { parseSince } from '../../observability/events/since.js';
import type { HodeiEvent } from '../../observability/events/types.js';
import { errorSchema } from '../schemas.js';

interface EventsQuery {
  type?: string; worker_id?: string; job_id?: string; since?: string; limit: number;
  follow: boolean; format?: 'json' | 'ndjson' | 'sse';
}

/** Stored details are jsonb (key order not kept), so duplicates are recognised by these fields. */
const identity = (e: HodeiEvent): string => `${e.timestamp}|${e.event_type}|${e.worker_id ?? ''}|${e.duration_ms ?? ''}|${e.success}`;

/** Keeps idle streams alive through proxies; NDJSON readers skip blank lines. */
const KEEPALIVE_MS = 15_000;

export function eventRoutes(app: FastifyInstance, events: EventRecorder): void {
  const open = new Set<PassThrough>();
  // Follow streams never end on their own: end them before the server waits for open requests.
  app.addHook('preClose', (done) => {
    for (const s of open) s.end();
    done();
  });

  app.get<{ Querystring: EventsQuery }>('/v1/events', {
    schema: {
      summary: 'Recorded events (worker lifecycle, HPA, namespaces, API failures, SLO changes...)', tags: ['events'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          type: { type: 'string', maxLength: 100, description: 'event type, e.g. worker.created' },
          worker_id: { type: 'string', maxLength: 128 },
          job_id: { type: 'string', maxLength: 128 },
          since: { type: 'string', maxLength: 64, description: 'ISO-8601 time or a duration back from now: 90s, 10m, 2h, 7d' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          follow: { type: 'boolean', default: false },
          format: { type: 'string', enum: ['json', 'ndjson', 'sse'] },
        },
      },
      response: { 400: errorSchema },
    },
  }, async (req, reply) => {
    const q = req.query;
    const since = q.since === undefined ? undefined : parseSince(q.since);
    if (since === null) {
      throw new ValidationError('querystring since: must be an ISO-8601 time or a duration like 10m', { field: 'since', rule: 'must be an ISO-8601 time or a duration like 10m' });
    }
    const accept = req.headers.accept ?? '';
    const format = q.format ?? (accept.includes('text/event-stream') ? 'sse' : q.follow ? 'ndjson' : 'json');
    const matches = (e: HodeiEvent): boolean => (!q.type || e.event_type === q.type) && (!q.worker_id || e.worker_id === q.worker_id)
      && (!q.job_id || e.details.job_id === q.job_id);
    const query = {
      limit: q.limit, ...(q.type ? { type: q.type } : {}), ...(q.worker_id ? { workerId: q.worker_id } : {}),
      ...(q.job_id ? { jobId: q.job_id } : {}), ...(since ? { since } : {}),
    };
    if (format === 'json' && !q.follow) return { events: await events.query(query) };

    // Subscribe before reading the backlog so nothing recorded in between is lost; drop duplicates.
    const early: HodeiEvent[] = [];
    let live: ((e: HodeiEvent) => void) | null = q.follow ? (e) => { if (matches(e)) early.push(e); } : null;
    const unsubscribe = live ? events.subscribe((e) => live?.(e)) : () => undefined;
    let backlog: HodeiEvent[];
    try {
      backlog = (await events.query(query)).reverse();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    const render = format === 'sse'
      ? (e: HodeiEvent) => `event: ${e.event_type}\ndata: ${JSON.stringify(e)}\n\n`
      : (e: HodeiEvent) => JSON.stringify(e) + '\n';
    const out = new PassThrough();
    const seen = new Set(backlog.map(identity));
    for (const e of backlog) out.write(render(e));
    if (!q.follow) {
      out.end();
    } else {
      for (const e of early) if (!seen.has(identity(e))) out.write(render(e));
      live = (e) => { if (matches(e)) out.write(render(e)); };
      // Node sends the headers with the first body bytes: a keep-alive now lets the client see the stream open.
      out.write(format === 'sse' ? ': connected\n\n' : '\n');
      open.add(out);
      const keepalive = setInterval(() => out.write(format === 'sse' ? ': keepalive\n\n' : '\n'), KEEPALIVE_MS);
      const close = (): void => {
        clearInterval(keepalive);
        unsubscribe();
        open.delete(out);
        out.end();
      };
      req.raw.on('close', close);
      out.on('close', close);
    }
    void reply.header('content-type', format === 'sse' ? 'text/event-stream' : 'application/x-ndjson')
      .header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    return reply.send(out);
  });
}
