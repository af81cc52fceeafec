// A small typed HTTP client for the Hodei API (used by the CLI and by tests that talk to a real
// server). Errors carry the server's {code, message}; connection failures say which URL failed.
import type { Job, JobSpec } from '../domain/job.js';
import type { Worker } from '../domain/worker.js';
import type { StoredLogEntry } from '../store/store.js';

/** A job as submitted: a command, or a template with parameters (docs/jobs.md#templates). */
export type JobSubmission = Omit<Partial<JobSpec>, 'template'> & (
  | { command: string }
  | { template: string; params?: Record<string, string>; templateVersion?: number });

/** A queued job and what the server could not honour (fields the provider ignores). */
export type SubmittedJob = Job & { warnings?: string[] };

/** `GET /version`: what the server runs. */
export interface ServerVersion {
  version: string;
  build: { commit: string | null; builtAt: string | null; node: string; platform: string };
}

/** Texts of `Warning: 299 - "..."` headers (RFC 7234 form, as kube-apiserver sends them). */
export function parseWarningHeader(value: string | null): string[] {
  if (!value) return [];
  return [...value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

export class UnreachableError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`cannot reach the Hodei server at ${url}: ${describeCause(cause)}`);
    this.name = 'UnreachableError';
  }
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export class HodeiClient {
  constructor(readonly baseUrl: string, private readonly token: string | null) {}

  private async request(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { ...extra };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.baseUrl.replace(/\/$/, '') + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      throw new UnreachableError(this.baseUrl, err);
    }
    if (!res.ok) {
      const text = await res.text();
      let parsed: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } = {};
      try { parsed = JSON.parse(text) as typeof parsed; } catch { /* not JSON */ }
      throw new ApiError(res.status, parsed.error?.code ?? `HTTP_${res.status}`, parsed.error?.message ?? (text.slice(0, 200) || res.statusText), parsed.error?.details ?? {});
    }
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown, extra?: Record<string, string>): Promise<T> {
    return (await (await this.request(method, path, body, extra)).json()) as T;
  }

  /** Any JSON API call (PUT/PATCH/POST of queues, schedules, templates...). */
  async send<T = void>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    // 204 No Content (a DELETE) has no body: callers of such routes use T = void.
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  /** GET a JSON document (any API path: /v1/slo, /v1/health, /v1/events...). */
  getJson<T>(path: string): Promise<T> {
    return this.json('GET', path);
  }

  /** GET a newline-delimited JSON stream, one parsed value per line (blank keep-alive lines skipped). */
  async *ndjson<T>(path: string): AsyncGenerator<T> {
    const res = await this.request('GET', path);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as T;
      }
    }
  }

  /** With an idempotency key, a retried submission answers the original job. */
  async submit(job: JobSubmission, opts: { idempotencyKey?: string } = {}): Promise<SubmittedJob> {
    const res = await this.request('POST', '/v1/jobs', job, opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {});
    const body = (await res.json()) as SubmittedJob;
    const warnings = body.warnings ?? parseWarningHeader(res.headers.get('warning'));
    return warnings.length ? { ...body, warnings } : body;
  }

  version(): Promise<ServerVersion> {
    return this.json('GET', '/version');
  }

  getJob(id: string): Promise<Job> {
    return this.json('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  listJobs(q: { state?: string; dead?: boolean; labels?: string[]; limit?: number; cursor?: string } = {}): Promise<{ jobs: Job[]; nextCursor: string | null }> {
    const p = new URLSearchParams();
    if (q.state) p.set('state', q.state);
    if (q.dead) p.set('dead', 'true');
    for (const l of q.labels ?? []) p.append('label', l);
    if (q.limit) p.set('limit', String(q.limit));
    if (q.cursor) p.set('cursor', q.cursor);
    const qs = p.toString();
    return this.json('GET', `/v1/jobs${qs ? `?${qs}` : ''}`);
  }

  cancel(id: string): Promise<Job> {
    return this.json('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`);
  }

  async logsText(id: string): Promise<string> {
    return (await this.request('GET', `/v1/jobs/${encodeURIComponent(id)}/logs`)).text();
  }

  /** Streams log entries after `after`; with follow, until the job ends. */
  logEntries(id: string, follow: boolean, after = 0): AsyncGenerator<StoredLogEntry> {
    return this.ndjson(`/v1/jobs/${encodeURIComponent(id)}/logs?format=ndjson&follow=${follow}&after=${after}`);
  }

  /**
   * Follows a job's output to its end, surviving a control-plane restart: when the stream or the
   * server drops, it reconnects from the last entry seen, for up to `patienceMs` of outage.
   */
  async *followLogs(id: string, patienceMs = 120_000): AsyncGenerator<StoredLogEntry> {
    let after = 0;
    let downSince: number | null = null;
    for (;;) {
      try {
        for await (const e of this.logEntries(id, true, after)) {
          after = e.seq;
          downSince = null;
          yield e;
        }
        return;
      } catch (err) {
        if (err instanceof ApiError) throw err;
        downSince ??= Date.now();
        if (Date.now() - downSince > patienceMs) throw err instanceof UnreachableError ? err : new UnreachableError(this.baseUrl, err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  listWorkers(all = false): Promise<{ workers: Worker[] }> {
    return this.json('GET', `/v1/workers${all ? '?all=true' : ''}`);
  }

  async raw(path: string): Promise<{ status: number; text: string }> {
    try {
      const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
      const res = await fetch(this.baseUrl.replace(/\/$/, '') + path, { headers });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw new UnreachableError(this.baseUrl, err);
    }
  }
}
