// GET /v1/jobs/:id/logs — the job's output as plain text (or NDJSON entries); with follow=true the
// response streams (chunked) until the job has ended and every stored line was sent.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { isTerminal } from '../../domain/job.js';
import type { JobService } from '../../jobs/service.js';
import type { StoredLogEntry } from '../../store/store.js';
import { errorSchema, idParams } from '../schemas.js';

interface LogQuery { follow: boolean; format: 'text' | 'ndjson'; after: number }

const PAGE = 1000;
/** Wake-ups come from the in-process bus; this poll covers logs written by another replica. */
const POLL_MS = 500;

export function logRoutes(app: FastifyInstance, jobs: JobService): void {
  // Follow streams end at shutdown instead of holding the server's close until their job ends.
  const closing = { value: false };
  app.addHook('preClose', (done) => {
    closing.value = true;
    done();
  });
  app.get<{ Params: { id: string }; Querystring: LogQuery }>('/v1/jobs/:id/logs', {
    schema: {
      summary: 'Job output', tags: ['jobs'], params: idParams,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          follow: { type: 'boolean', default: false },
          format: { type: 'string', enum: ['text', 'ndjson'], default: 'text' },
          after: { type: 'integer', minimum: 0, default: 0, description: 'only entries with a greater seq' },
        },
      },
      response: { 404: errorSchema, 400: errorSchema },
    },
  }, async (req, reply) => {
    await jobs.get(req.params.id); // 404 before any streaming starts
    const { follow, format, after } = req.query;
    const render = format === 'ndjson'
      ? (e: StoredLogEntry) => JSON.stringify({ seq: e.seq, attempt: e.attempt, stream: e.stream, at: e.at, data: e.data }) + '\n'
      : (e: StoredLogEntry) => e.data;
    const stream = Readable.from(rendered(entries(jobs, req.params.id, after, follow, closing), render), { objectMode: false });
    if (follow) void reply.header('connection', 'close');
    void reply.header('content-type', format === 'ndjson' ? 'application/x-ndjson' : 'text/plain; charset=utf-8')
      .header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    return reply.send(stream);
  });
}

async function* rendered(src: AsyncGenerator<StoredLogEntry>, render: (e: StoredLogEntry) => string): AsyncGenerator<string> {
  for await (const e of src) yield render(e);
}

async function* entries(jobs: JobService, jobId: string, after: number, follow: boolean, closing: { value: boolean }): AsyncGenerator<StoredLogEntry> {
  let seq = after;
  for (;;) {
    const wake = follow ? nextWake(jobs, jobId) : null;
    try {
      // Read the state before the logs: once it is terminal, the agent has flushed all its logs.
      const ended = !follow || isTerminal((await jobs.get(jobId)).state);
      let page: StoredLogEntry[];
      do {
        page = await jobs.readLogs(jobId, seq, PAGE);
        for (const e of page) {
          seq = e.seq;
          yield e;
        }
      } while (page.length === PAGE);
      if (ended || closing.value) return;
      await wake?.promise;
    } finally {
      wake?.cancel();
    }
  }
}

function nextWake(jobs: JobService, jobId: string): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const onLogs = (id: string): void => { if (id === jobId) done(); };
    const onChange = (job: { id: string }): void => { if (job.id === jobId) done(); };
    const timer = setTimeout(() => done(), POLL_MS);
    function done(): void {
      clearTimeout(timer);
      jobs.bus.off('job.logs', onLogs);
      jobs.bus.off('job.changed', onChange);
      resolve();
    }
    jobs.bus.on('job.logs', onLogs);
    jobs.bus.on('job.changed', onChange);
    cancel = done;
  });
  return { promise, cancel };
}
