// Kubernetes API request events. The rule that keeps volume bounded: every FAILED request (as the
// client judged it: isFailedApiRequest — 5xx, 429, no response) records `api.request.failed` at once; successes are never
// recorded one by one — each minute with traffic records one `api.request.summary` counting every
// request of that minute (failed ones included) by verb and by code.
import type { ApiRequestEvent } from '../../providers/kubernetes/client/client.js';
import { codeLabel, TIMED_OUT } from '../../providers/kubernetes/vocabulary.js';
import type { EventSource } from '../events/types.js';

export class ApiRequestEvents {
  private requests = 0;
  private errors = 0;
  private byVerb: Record<string, number> = {};
  private byCode: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly events: EventSource, private readonly o: { namespace?: string; intervalMs?: number; provider?: string } = {}) {}

  record(ev: ApiRequestEvent): void {
    const code = codeLabel(ev.code, ev.timedOut);
    this.requests++;
    this.byVerb[ev.verb] = (this.byVerb[ev.verb] ?? 0) + 1;
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    if (ev.error !== true) return;
    this.errors++;
    this.events.record('api.request.failed', {
      namespace: this.o.namespace ?? null, durationMs: ev.durationMs, success: false,
      ...(this.o.provider ? { provider: this.o.provider } : {}),
      details: {
        verb: ev.verb, resource: ev.resource, code: ev.timedOut ? TIMED_OUT : ev.code ? ev.code : null, retry: ev.retry,
        ...(ev.endpoint ? { endpoint: ev.endpoint } : {}),
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
