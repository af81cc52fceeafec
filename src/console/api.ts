// The console's only way to the server: the same bearer-token /v1 API the CLI uses, on this origin.
// The token lives in sessionStorage (gone when the tab closes) and only ever in the Authorization
// header — never in a URL, so it is not in history, logs or a Referer.

const TOKEN_KEY = 'hodei.token';

export interface FieldError { field: string; rule: string }

/** A non-2xx answer in the API's one error shape: {"error": {code, message, details}}. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }

  /** Every field the API named (`resources.cpu`, `labels`...), with its rule. */
  get fields(): FieldError[] {
    const all = this.details.errors;
    if (Array.isArray(all)) return all.filter((e): e is FieldError => typeof e?.field === 'string' && typeof e?.rule === 'string');
    const { field, rule } = this.details;
    return typeof field === 'string' ? [{ field, rule: typeof rule === 'string' ? rule : this.message }] : [];
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string): void => sessionStorage.setItem(TOKEN_KEY, t),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called on any 401: the console goes back to sign-in. */
let onUnauthorized = (): void => undefined;
export const setUnauthorizedHandler = (fn: () => void): void => { onUnauthorized = fn; };

async function request(path: string, init: RequestInit = {}, signal?: AbortSignal): Promise<Response> {
  const headers = new Headers(init.headers);
  const t = token.get();
  if (t) headers.set('authorization', `Bearer ${t}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  headers.set('accept', 'application/json');
  const res = await fetch(path, { ...init, headers, credentials: 'omit', cache: 'no-store', ...(signal ? { signal } : {}) });
  if (res.ok) return res;
  let body: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } = {};
  try {
    body = await res.json() as typeof body;
  } catch { /* not JSON: keep the status text */ }
  const err = new ApiError(res.status, body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? res.statusText, body.error?.details ?? {});
  if (res.status === 401) onUnauthorized();
  throw err;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return await (await request(path, {}, signal)).json() as T;
}

export async function post<T>(path: string, body?: unknown): Promise<T> {
  return await (await request(path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) })).json() as T;
}

export async function patch<T>(path: string, body: unknown): Promise<T> {
  return await (await request(path, { method: 'PATCH', body: JSON.stringify(body) })).json() as T;
}

/**
 * Reads an NDJSON stream (logs and events with follow=true) until it ends or `signal` aborts;
 * blank keep-alive lines are skipped. Resolves when the server ends the stream.
 */
export async function streamNdjson<T>(path: string, onItem: (item: T) => void, signal: AbortSignal): Promise<void> {
  const res = await request(path, { headers: { accept: 'application/x-ndjson' } }, signal);
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onItem(JSON.parse(line) as T);
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    reader.releaseLock();
  }
}

/** Checks a token against the API (any authenticated read would do; this one is cheap). */
export async function verifyToken(candidate: string): Promise<void> {
  const res = await fetch('/v1/workers?state=busy', { headers: { authorization: `Bearer ${candidate}` }, credentials: 'omit', cache: 'no-store' });
  if (res.status === 401) throw new ApiError(401, 'UNAUTHORIZED', 'The server refused this token.');
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, `The server answered ${res.status}.`);
}
