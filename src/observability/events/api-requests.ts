// Kubernetes API request events. The rule that keeps volume bounded: every FAILED request (5xx,
// 429, no response — see isApiError) records `api.request.failed` at once; successes are never
// recorded one by one — each minute with traffic records one `api.request.summary` counting every
// request of that minute (failed ones included) by verb and by code.
import { apiCodeLabel, apiRequestFailed, TIMED_OUT, type KubernetesApiRequest, type KubernetesProviderMetrics } from '../../providers/kubernetes/metrics.js';
import type { EventSource } from './types.js';

export class ApiRequestEvents {
  private requests = 0;
  private errors = 0;
  private byVerb: Record<string, number> = {};
  private byCode: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly events: EventSource, private readonly o: { namespace?: string; intervalMs?: number; provider?: string } = {}) {}

  record(ev: KubernetesApiRequest): void {
    const code = apiCodeLabel(ev);
    this.requests++;
    this.byVerb[ev.verb] = (this.byVerb[ev.verb] ?? 0) + 1;
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    if (!apiRequestFailed(ev)) return;
    this.errors++;
    this.events.record('api.request.failed', {
      namespace: this.o.namespace ?? null, durationMs: ev.durationMs, success: false,
      ...(this.o.provider ? { provider: this.o.provider } : {}),
      details: {
        verb: ev.verb, resource: ev.resource, code: ev.timedOut ? TIMED_OUT : ev.code ? ev.code : null, retry: ev.retry,
        ...(ev.endpoint ? { endpoint: ev.endpoint } : {}), ...(typeof ev.error === 'string' ? { error: ev.error.slice(0, 500) } : {}),
      },
    });
  }

  /** Records the summary of the requests counted since the last one (nothing when there were none). */
  flushSummary(): void {
    if (this.requests === 0) return;
    this.events.record('api.request.summary', {
      namespace: this.o.namespace ?? null, success: this.errors === 0,
      ...(this.o.provider ? { provider: this.o.provider } : {}),
      details: {
        window_seconds: Math.round((this.o.intervalMs ?? 60_000) / 1000), requests: this.requests, errors: this.errors,
        by_verb: this.byVerb, by_code: this.byCode,
      },
    });
    this.requests = 0;
    this.errors = 0;
    this.byVerb = {};
    this.byCode = {};
  }

  start(): void {
    this.timer = setInterval(() => this.flushSummary(), this.o.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flushSummary();
  }
}

/**
 * The one function the Kubernetes client's per-request hook calls: counts the request in the
 * metrics (and through them the SLI window) and records the events.
 */
export function kubernetesApiHook(metrics: KubernetesProviderMetrics, events?: ApiRequestEvents): (ev: KubernetesApiRequest) => void {
  return (ev) => {
    metrics.observeApiRequest(ev);
    events?.record(ev);
  };
}
