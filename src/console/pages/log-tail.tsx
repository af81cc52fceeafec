// The job's output, streamed (GET /v1/jobs/:id/logs?follow=true&format=ndjson) until the job ends.
// It keeps scrolling to the newest line while "Follow" is on and the reader has not scrolled up.
import { useEffect, useRef, useState } from 'preact/hooks';
import { streamNdjson } from '../api.js';
import { ErrorNote } from '../ui.js';

interface LogEntry { seq: number; attempt: number; stream: 'stdout' | 'stderr'; at: string; data: string }

/** Lines kept in the page; older ones are dropped (the CLI or the API gives the whole log). */
const MAX_LINES = 5000;

export function LogTail({ jobId }: { jobId: string }) {
  const [lines, setLines] = useState<Array<{ key: string; attempt: number; stream: string; text: string }>>([]);
  const [status, setStatus] = useState<'following' | 'ended' | 'error'>('following');
  const [error, setError] = useState<Error | undefined>();
  const [follow, setFollow] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const ctl = new AbortController();
    let pending: typeof lines = [];
    let flush: number | undefined;
    setLines([]);
    setStatus('following');
    // Batches lines per animation frame: a chatty job must not re-render per line.
    const push = (e: LogEntry): void => {
      const parts = e.data.replace(/\n$/, '').split('\n');
      parts.forEach((text, i) => pending.push({ key: `${e.seq}.${i}`, attempt: e.attempt, stream: e.stream, text }));
      flush ??= requestAnimationFrame(() => {
        flush = undefined;
        const batch = pending;
        pending = [];
        setLines((old) => [...old, ...batch].slice(-MAX_LINES));
      });
    };
    void streamNdjson<LogEntry>(`/v1/jobs/${encodeURIComponent(jobId)}/logs?follow=true&format=ndjson`, push, ctl.signal)
      .then(() => { if (!ctl.signal.aborted) setStatus('ended'); })
      .catch((err: Error) => { if (!ctl.signal.aborted) { setError(err); setStatus('error'); } });
    return () => {
      ctl.abort();
      if (flush !== undefined) cancelAnimationFrame(flush);
    };
  }, [jobId, attempt]);

  useEffect(() => {
    const el = box.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  const onScroll = (): void => {
    const el = box.current;
    if (el && follow && el.scrollHeight - el.scrollTop - el.clientHeight > 40) setFollow(false);
  };

  return (
    <div class="log-tail">
      <div class="actions">
        <label class="inline"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow</label>
        <span class="muted small" role="status" data-log-status={status}>
          {status === 'following' ? 'streaming…' : status === 'ended' ? `end of log (${lines.length} line${lines.length === 1 ? '' : 's'})` : 'stream interrupted'}
        </span>
        {status === 'error' && <button type="button" onClick={() => { setError(undefined); setAttempt((a) => a + 1); }}>Reconnect</button>}
      </div>
      <ErrorNote error={error} />
      <pre ref={box} class="log" tabIndex={0} aria-label="Job log" onScroll={onScroll}>
        {lines.length === 0 && status !== 'following' ? <span class="muted">(no output)</span> : null}
        {lines.map((l, i) => (
          <div key={l.key} class={l.stream === 'stderr' ? 'line stderr' : 'line'}>
            {i > 0 && lines[i - 1]?.attempt !== l.attempt && <span class="attempt">— attempt {l.attempt} —{'\n'}</span>}
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
