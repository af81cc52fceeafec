// A check a probe reads from cache: probes come every few seconds from every kubelet and load
// balancer, and must not list the cluster each time (a list of every node and pod at 10,000 pods
// takes longer than the probe's timeout). The first call waits for a result; later calls answer at
// once with the last one and refresh it in the background when it is older than the period.
import type { HealthStatus } from './provider.js';

type Result = { status: HealthStatus; message: string };

export interface CachedCheckOptions {
  periodMs: number;
  /** A refresh with no answer this long records `failed` ("no answer within ..."): a hang is seen as one. */
  timeoutMs: number;
  failed: HealthStatus;
  now: () => number;
  onError: (err: unknown) => Result;
}

export function cachedCheck(run: () => Promise<Result>, o: CachedCheckOptions): () => Promise<Result> {
  let last: { at: number; result: Result } | null = null;
  let running: Promise<Result> | null = null;
  const refresh = (): Promise<Result> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Result>((resolve) => {
      timer = setTimeout(() => resolve({ status: o.failed, message: `no answer within ${o.timeoutMs} ms` }), o.timeoutMs);
    });
    running ??= Promise.race([run().catch(o.onError), late]).then((result) => {
      clearTimeout(timer);
      last = { at: o.now(), result };
      running = null;
      return result;
    });
    return running;
  };
  return async () => {
    if (!last) return refresh();
    if (o.now() - last.at >= o.periodMs) void refresh();
    return last.result;
  };
}
