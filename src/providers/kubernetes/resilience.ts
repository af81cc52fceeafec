// Building blocks of the API client's resilience: a token-bucket rate limiter (QPS + burst, like
// client-go's; no maintained npm library has client-go's blocking FIFO semantics), the circuit
// breaker (cockatiel's, with the states our health check and events name), and the retry decision
// with the project's one backoff (util/backoff.ts, cockatiel's generator).
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhenResult, type CircuitBreakerPolicy } from 'cockatiel';
import { backoffDelay } from '../../util/backoff.js';

export type Clock = () => number;

/** Token bucket: `burst` tokens, refilled at `qps` per second; acquire() waits its turn (FIFO). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly qps: number, private readonly burst: number, private readonly now: Clock = Date.now) {
    this.tokens = burst;
    this.last = now();
  }

  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.take());
    this.tail = turn;
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.qps) * 1000));
    }
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitOpenError extends Error {
  constructor(readonly retryInMs: number) {
    super(`Kubernetes API circuit breaker is open (API failing); next probe in ${retryInMs} ms`);
    this.name = 'CircuitOpenError';
  }
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'open',
};

/**
 * Opens after `threshold` consecutive failures (connection errors, timeouts, 5xx); while open every
 * request fails fast without being sent (CircuitOpenError). After `cooldownMs` one probe is let
 * through (half-open; requests meanwhile wait for it): success closes it, failure opens it again.
 * cockatiel's CircuitBreakerPolicy with a ConsecutiveBreaker; an attempt that throws (a request we
 * cancelled) counts neither way.
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(threshold: number, private readonly cooldownMs: number, onChange?: (s: BreakerState) => void) {
    this.policy = circuitBreaker(handleWhenResult((r) => (r as { outage: boolean }).outage), {
      halfOpenAfter: cooldownMs, breaker: new ConsecutiveBreaker(threshold),
    });
    this.policy.onBreak(() => { this.openedAt = Date.now(); });
    this.policy.onStateChange((s) => onChange?.(STATES[s]));
  }

  get state(): BreakerState {
    return STATES[this.policy.state];
  }

  /** Runs one attempt through the breaker; `outage` says whether its result counts as a failure. */
  async run<T>(attempt: () => Promise<T>, outage: (result: T) => boolean): Promise<T> {
    try {
      return (await this.policy.execute(async () => { const value = await attempt(); return { value, outage: outage(value) }; })).value;
    } catch (e) {
      if (e instanceof BrokenCircuitError) throw new CircuitOpenError(Math.max(0, this.cooldownMs - (Date.now() - this.openedAt)));
      throw e;
    }
  }
}

/** What came of one attempt, as far as retrying cares. */
export type AttemptOutcome =
  | { kind: 'response'; code: number }
  /** `maybeSent`: the request may have reached the server (reset, timeout) — unlike ECONNREFUSED. */
  | { kind: 'error'; maybeSent: boolean };

/**
 * Whether to send again. Reads (get/list) and idempotent writes (delete, update, patch) retry on
 * 429, 5xx and connection errors. A create retries only when the server surely did not act (429,
 * refused connection) — or when it has a deterministic name, so a duplicate is a 409 the caller
 * treats as "already done". Watches are re-established by the informer, never here.
 */
export function isRetriable(verb: string, outcome: AttemptOutcome, namedCreate: boolean): boolean {
  if (verb === 'watch') return false;
  if (outcome.kind === 'response') {
    const c = outcome.code;
    if (c === 429) return true;
    if (![500, 502, 503, 504].includes(c)) return false;
    return verb !== 'create' || namedCreate || c === 503;
  }
  if (!outcome.maybeSent) return true;
  return verb !== 'create' || namedCreate;
}

/** Failures that count towards opening the circuit breaker. */
export function isOutageSignal(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'error' || (outcome.code >= 500 && outcome.code !== 501);
}

/** Delay before retry `retry` (1-based): a server's Retry-After (seconds) wins when present, else the one backoff. */
export function backoffMs(retry: number, retryAfterSeconds: number | undefined, baseMs = 100, capMs = 5000): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
    return Math.min(60_000, retryAfterSeconds * 1000) + Math.floor(Math.random() * 50);
  }
  return backoffDelay(Math.max(0, retry - 1), baseMs, capMs);
}

/** Retry-After as seconds (delta-seconds or an HTTP date); undefined when absent or unparsable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
