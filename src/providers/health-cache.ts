// A check a probe reads from cache: probes come every few seconds from every kubelet and load
// balancer, and must not query a dependency each time (a list of every node and pod at 10,000 pods
// takes longer than the probe's timeout). The first call waits (bounded) for a result; later calls
// answer at once with the last one and refresh it in the background when it is older than the period.
//
// Slow is not down: a refresh still in flight keeps the last answer until it has had no answer for
// `unansweredAfterMs` (a hang, reported as one), so a loaded API server or database answering in
// 1–3 s does not take the replica out of its Service. A refresh that fails (refused, 5xx, denied)
// is recorded as soon as it answers.
import type { HealthStatus } from './provider.js';

type Result = { status: HealthStatus; message: string };

export interface CachedCheckOptions {
  /** How old the last answer may be before a probe starts a refresh (may depend on that answer). */
  periodMs: number | ((last: Result) => number);
  /** How long the very first call waits for an answer (nothing is known yet): "no answer within N ms". */
  timeoutMs: number;
  /** A refresh with no answer this long is `failed` ("no answer within N ms"): a hang is seen as one. */
  unansweredAfterMs: number;
  failed: HealthStatus;
  now: () => number;
  onError: (err: unknown) => Result;
}

export interface CachedCheck {
  (): Promise<Result>;
  /** The last answer, if any (no refresh). */
  readonly last: Result | undefined;
  /** The next call refreshes (in the background) whatever the period says. */
  invalidate(): void;
}

export function cachedCheck(run: () => Promise<Result>, o: CachedCheckOptions): CachedCheck {
  let last: { at: number; result: Result } | null = null;
  let inflight: { since: number; answer: Promise<Result> } | null = null;
  const noAnswer = (ms: number): Result => ({ status: o.failed, message: `no answer within ${ms} ms` });
  const refresh = (): { since: number; answer: Promise<Result> } => {
    if (inflight) return inflight;
    const since = o.now();
    // `.then` runs after `inflight` is set below, even for a run() that settles at once.
    const answer = run().catch(o.onError).then((result) => {
      last = { at: o.now(), result };
      inflight = null;
      return result;
    });
    inflight = { since, answer };
    return inflight;
  };
  const unanswered = (): boolean => inflight !== null && o.now() - inflight.since >= o.unansweredAfterMs;
  const check = async (): Promise<Result> => {
    if (!last) {
      const r = refresh();
      const left = o.timeoutMs - (o.now() - r.since);
      if (left <= 0) return noAnswer(o.timeoutMs);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<Result>((resolve) => { timer = setTimeout(() => resolve(noAnswer(o.timeoutMs)), left); });
      return Promise.race([r.answer, late]).finally(() => clearTimeout(timer));
    }
    const period = typeof o.periodMs === 'function' ? o.periodMs(last.result) : o.periodMs;
    if (o.now() - last.at >= period) refresh();
    if (unanswered()) {
      // An answer that came while this process was busy (event-loop lag) is read before judging.
      await new Promise((resolve) => setImmediate(resolve));
      if (unanswered()) return noAnswer(o.unansweredAfterMs);
    }
    return last.result;
  };
  return Object.defineProperties(check, {
    last: { get: (): Result | undefined => last?.result },
    invalidate: { value: (): void => { if (last) last = { ...last, at: -Infinity }; } },
  }) as CachedCheck;
}
