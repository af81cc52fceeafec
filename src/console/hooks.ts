// Small hooks the pages share: polling a /v1 read, following an NDJSON stream, the hash route, a
// remembered choice.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, streamNdjson } from './api.js';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  /** Reload now (after an action). */
  reload: () => void;
}

/**
 * Calls `load` now and every `intervalMs` while the page is shown (paused while the tab is hidden);
 * `deps` restart it. The last good value stays shown when one refresh fails.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, deps: unknown[] = []): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, deps);
  useEffect(() => {
    const ctl = new AbortController();
    let timer: number | undefined;
    const run = async (): Promise<void> => {
      if (!document.hidden) {
        try {
          const v = await loadRef.current(ctl.signal);
          if (ctl.signal.aborted) return;
          setData(v);
          setError(undefined);
        } catch (err) {
          if (ctl.signal.aborted) return;
          setError(err as Error);
        }
      }
      timer = window.setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      ctl.abort();
      window.clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/** The part of the URL after `#`, e.g. `/jobs/123` (hash routing: the server only serves `/`). */
export function useHashRoute(): string {
  const read = (): string => decodeURI(location.hash.replace(/^#/, '')) || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = (): void => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export const navigate = (path: string): void => {
  location.hash = path;
};

/** A value kept in localStorage (preferences only: never the token). */
export function useStored<T extends string>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => (localStorage.getItem(key) as T | null) ?? initial);
  const set = useCallback((next: T) => {
    localStorage.setItem(key, next);
    setV(next);
  }, [key]);
  return [v, set];
}

export interface Followed<U> {
  items: U[];
  status: 'open' | 'ended' | 'error';
  error: Error | undefined;
  /** Opens the stream again (after an error or its end). */
  reconnect: () => void;
}

/**
 * Follows an NDJSON stream of the API (logs, events), restarted when `path` changes. Items arrive
 * in batches of one animation frame — a chatty stream must not re-render per line — and `apply`
 * folds each batch into the list shown (order, trimming).
 */
export function useNdjsonFollow<T, U>(path: string, apply: (shown: U[], batch: T[]) => U[]): Followed<U> {
  const [items, setItems] = useState<U[]>([]);
  const [status, setStatus] = useState<Followed<U>['status']>('open');
  const [error, setError] = useState<Error | undefined>();
  const [attempt, setAttempt] = useState(0);
  const applyRef = useRef(apply);
  applyRef.current = apply;
  useEffect(() => {
    const ctl = new AbortController();
    let pending: T[] = [];
    let frame: number | undefined;
    setItems([]);
    setStatus('open');
    setError(undefined);
    const onItem = (item: T): void => {
      pending.push(item);
      frame ??= requestAnimationFrame(() => {
        frame = undefined;
        const batch = pending;
        pending = [];
        setItems((shown) => applyRef.current(shown, batch));
      });
    };
    void streamNdjson<T>(path, onItem, ctl.signal)
      .then(() => { if (!ctl.signal.aborted) setStatus('ended'); })
      .catch((err: Error) => { if (!ctl.signal.aborted) { setError(err); setStatus('error'); } });
    return () => {
      ctl.abort();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [path, attempt]);
  const reconnect = useCallback(() => setAttempt((a) => a + 1), []);
  return { items, status, error, reconnect };
}
