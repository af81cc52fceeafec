// The one Kubernetes API client of the provider. Every request — typed API calls (CoreV1Api... made
// by `api()`), raw lists and watches of the informer, the health checker's — goes through
// `execute()`: rate limit → circuit breaker → send on ONE keep-alive agent → hook → retry decision.
//
// Why our own HttpLibrary: client-node 1.4's KubeConfig.applySecurityAuthentication builds a new
// https.Agent for every request (no keep-alive), i.e. a TCP+TLS handshake per call. We keep its
// auth (headers, exec/token-file refresh) but ignore its agent and send on a long-lived one built
// once from the kubeconfig's TLS material.
import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  createConfiguration, HttpMethod, RequestContext, ResponseContext, ServerConfiguration, wrapHttpLibrary,
  type ApiConstructor, type ApiType, type HttpLibrary, type KubeConfig,
} from '@kubernetes/client-node';
import type { KubernetesSettings } from '../config.js';
import { describeRequest } from './request-info.js';
import { isFailedApiRequest } from '../vocabulary.js';
import {
  backoffMs, CircuitBreaker, isOutageSignal, isRetriable, parseRetryAfter, sleep, TokenBucket,
  type AttemptOutcome, type BreakerState,
} from './resilience.js';

/** One HTTP request actually sent (every retry is its own call). */
export interface ApiRequestEvent {
  verb: string;
  resource: string;
  /** Bounded path template, e.g. `/api/v1/namespaces/{namespace}/pods/{name}`. */
  endpoint: string;
  /** HTTP status; 0 when no response came (connection refused/reset, timeout). */
  code: number;
  durationMs: number;
  /** 0 for the first attempt, n for the n-th retry. */
  retry: number;
  /** Set when the request failed (isFailedApiRequest: no response, 429 or 5xx — not 404/409/403). */
  error?: boolean;
  /** Set when no response came within the client-side timeout (requestTimeoutMs). */
  timedOut?: boolean;
}

export type ApiRequestHook = (ev: ApiRequestEvent) => void;

/** Rate limit, timeout, retry and breaker settings are the provider's (documented in config.ts). */
export interface KubeClientOptions extends Pick<KubernetesSettings, 'qps' | 'burst' | 'requestTimeoutMs' | 'maxAttempts' | 'breakerThreshold' | 'breakerCooldownMs'> {
  kubeConfig: KubeConfig;
  hook?: ApiRequestHook;
  onBreakerChange?: (s: BreakerState) => void;
}

export interface RawResponse {
  code: number;
  headers: Record<string, string>;
  text: string;
}

/** A non-2xx answer to a raw request (typed API calls throw client-node's ApiException instead). */
export class KubeHttpError extends Error {
  constructor(readonly code: number, readonly body: string, readonly headers: Record<string, string>) {
    super(`Kubernetes API answered HTTP ${code}: ${statusMessage(body)}`);
    this.name = 'KubeHttpError';
  }
}

class RequestTimeoutError extends Error {
  constructor(ms: number) {
    super(`Kubernetes API request timed out after ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

export class KubeClient {
  readonly server: string;
  readonly breaker: CircuitBreaker;
  private closed = false;
  readonly httpLibrary: HttpLibrary;
  /** Client-side rate limit; none when qps is 0 (the API server's Priority and Fairness limits us). */
  private readonly limiter: TokenBucket | undefined;
  private readonly hooks = new Set<ApiRequestHook>();
  private agentPromise: Promise<http.Agent> | undefined;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly o: KubeClientOptions) {
    const cluster = o.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/$/, '');
    const qps = o.qps ?? 0;
    this.limiter = qps > 0 ? new TokenBucket(qps, Math.max(o.burst ?? 0, Math.ceil(qps))) : undefined;
    this.breaker = new CircuitBreaker(o.breakerThreshold ?? 10, o.breakerCooldownMs ?? 5000, Date.now, o.onBreakerChange);
    this.timeoutMs = o.requestTimeoutMs ?? 10_000;
    this.maxAttempts = o.maxAttempts ?? 6;
    if (o.hook) this.hooks.add(o.hook);
    this.httpLibrary = wrapHttpLibrary({ send: (ctx) => this.execute(ctx) });
  }

  /** Adds a listener of every request sent; returns its remover. */
  onRequest(hook: ApiRequestHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** A typed client-node API (CoreV1Api, AuthorizationV1Api...) whose requests all go through this client. */
  api<T extends ApiType>(ctor: ApiConstructor<T>): T {
    return new ctor(createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: this.o.kubeConfig },
      httpApi: this.httpLibrary,
    }));
  }

  /** A raw request (JSON in/out) through the same pipeline; non-2xx → KubeHttpError. */
  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, query: Record<string, string> = {},
    body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
    const ctx = await this.context(method, path, query);
    if (body !== undefined) {
      ctx.setHeaderParam('Content-Type', contentType);
      ctx.setBody(JSON.stringify(body));
    }
    const res = await this.execute(ctx);
    const text = await res.body.text();
    if (res.httpStatusCode >= 300) throw new KubeHttpError(res.httpStatusCode, text, res.headers);
    return { code: res.httpStatusCode, headers: res.headers, text };
  }

  /**
   * Opens a watch stream (one attempt: re-establishing it is the informer's job). Resolves with the
   * response once headers arrive; the hook is called then, with the time to headers.
   */
  async watch(path: string, query: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
    if (this.closed) throw new Error('Kubernetes API client is closed (provider stopped)');
    const ctx = await this.context('GET', path, { ...query, watch: 'true' });
    const url = new URL(ctx.getUrl());
    const d = describeRequest('GET', url);
    this.breaker.admit();
    await this.limiter?.acquire();
    const started = performance.now();
    const agent = await this.agent();
    return new Promise((resolve, reject) => {
      const done = (code: number, err?: Error, res?: http.IncomingMessage): void => {
        this.emit({ verb: d.verb, resource: d.resource, endpoint: d.endpoint, code, durationMs: performance.now() - started, retry: 0,
          ...(isFailedApiRequest(code) ? { error: true } : {}), ...(err instanceof RequestTimeoutError ? { timedOut: true } : {}) });
        const outcome: AttemptOutcome = code === 0 ? { kind: 'error', maybeSent: true } : { kind: 'response', code };
        if (isOutageSignal(outcome)) this.breaker.failure(); else this.breaker.success();
        if (err) reject(err); else if (res) resolve(res);
      };
      const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers: ctx.getHeaders(), agent, signal });
      // A hung server must not hang the informer: no headers within the request timeout is a failure.
      const timer = setTimeout(() => req.destroy(new RequestTimeoutError(this.timeoutMs)), this.timeoutMs);
      req.on('response', (res) => {
        clearTimeout(timer);
        const code = res.statusCode ?? 0;
        if (code === 200) return done(code, undefined, res);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => done(code, new KubeHttpError(code, text, flatHeaders(res.headers))));
        res.on('error', (e) => done(code, e));
      });
      // Cancelled by us (shutdown): not an API failure, and the server never answered — not reported.
      req.on('error', (e) => { clearTimeout(timer); if (signal.aborted) reject(e); else done(0, e); });
      req.end();
    });
  }

  /** Releases pooled connections; later requests fail at once, without being sent (or counted). */
  close(): void {
    this.closed = true;
    void this.agentPromise?.then((a) => a.destroy());
  }

  private async context(method: string, path: string, query: Record<string, string>): Promise<RequestContext> {
    const ctx = new RequestContext(this.server + path, method as HttpMethod);
    for (const [k, v] of Object.entries(query)) ctx.setQueryParam(k, v);
    ctx.setHeaderParam('Accept', 'application/json');
    await this.o.kubeConfig.applySecurityAuthentication(ctx);
    return ctx;
  }

  /** The pipeline every request goes through (the typed APIs call it via `httpLibrary`). */
  async execute(ctx: RequestContext): Promise<ResponseContext> {
    if (this.closed) throw new Error('Kubernetes API client is closed (provider stopped)');
    const url = new URL(ctx.getUrl());
    const method = ctx.getHttpMethod().toString();
    const d = describeRequest(method, url);
    const rawBody = ctx.getBody();
    if (rawBody !== undefined && typeof rawBody !== 'string') throw new Error('only string request bodies are supported');
    const namedCreate = d.verb === 'create' && hasName(rawBody);
    const signal = ctx.getSignal();
    for (let retry = 0; ; retry++) {
      this.breaker.admit();
      await this.limiter?.acquire();
      const started = performance.now();
      let res: { code: number; headers: Record<string, string>; body: Buffer } | undefined;
      let failure: Error | undefined;
      try {
        res = await this.sendOnce(url, method, ctx.getHeaders(), rawBody, signal);
      } catch (e) {
        failure = e as Error;
        if (signal?.aborted) throw failure; // cancelled by the caller: not reported, not retried
      }
      const code = res?.code ?? 0;
      this.emit({ verb: d.verb, resource: d.resource, endpoint: d.endpoint, code, durationMs: performance.now() - started, retry,
        ...(isFailedApiRequest(code) ? { error: true } : {}), ...(failure instanceof RequestTimeoutError ? { timedOut: true } : {}) });
      const outcome: AttemptOutcome = res ? { kind: 'response', code } : { kind: 'error', maybeSent: !isRefused(failure) };
      if (isOutageSignal(outcome)) this.breaker.failure(); else this.breaker.success();
      if (retry + 1 < this.maxAttempts && !signal?.aborted && isRetriable(d.verb, outcome, namedCreate)) {
        await sleep(backoffMs(retry + 1, parseRetryAfter(res?.headers['retry-after'])));
        continue;
      }
      if (!res) throw failure ?? new Error('request failed');
      const body = res.body;
      return new ResponseContext(res.code, res.headers, { text: async () => body.toString('utf8'), binary: async () => body });
    }
  }

  private async sendOnce(url: URL, method: string, headers: Record<string, string>, body: string | undefined,
    signal: AbortSignal | undefined): Promise<{ code: number; headers: Record<string, string>; body: Buffer }> {
    const agent = await this.agent();
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method, agent, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
        ...(signal ? { signal } : {}),
      });
      const timer = setTimeout(() => req.destroy(new RequestTimeoutError(this.timeoutMs)), this.timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ code: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks) });
        });
        res.on('error', (e) => { clearTimeout(timer); reject(e); });
      });
      req.on('error', (e) => { clearTimeout(timer); reject(e); });
      req.end(body);
    });
  }

  private agent(): Promise<http.Agent> {
    this.agentPromise ??= (async () => {
      const opts: https.RequestOptions = {};
      await this.o.kubeConfig.applyToHTTPSOptions(opts);
      const cluster = this.o.kubeConfig.getCurrentCluster();
      const common = { keepAlive: true, keepAliveMsecs: 15_000, maxFreeSockets: 64 };
      if (this.server.startsWith('http:')) return new http.Agent(common);
      return new https.Agent({
        ...common, ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase,
        ...(cluster?.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        ...(cluster?.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      });
    })();
    return this.agentPromise;
  }

  private emit(ev: ApiRequestEvent): void {
    for (const h of this.hooks) {
      try {
        h(ev);
      } catch {
        // a faulty listener must not break API calls
      }
    }
  }
}

function isRefused(err: Error | undefined): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function hasName(body: string | undefined): boolean {
  if (!body) return false;
  try {
    const o = JSON.parse(body) as { metadata?: { name?: unknown } };
    return typeof o.metadata?.name === 'string' && o.metadata.name !== '';
  } catch {
    return false;
  }
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The `message` of a metav1.Status body, or its first 200 characters. */
export function statusMessage(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  try {
    const s = JSON.parse(text) as { message?: unknown };
    if (typeof s.message === 'string') return s.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
