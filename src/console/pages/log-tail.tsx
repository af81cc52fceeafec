// The job's output, streamed (GET /v1/jobs/:id/logs?follow=true&format=ndjson) until the job ends.
// It keeps scrolling to the newest line while "Follow" is on and the reader has not scrolled up.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useNdjsonFollow } from '../hooks.js';
import { ErrorNote } from '../ui.js';

interface LogEntry { seq: number; attempt: number; stream: 'stdout' | 'stderr'; at: string; data: string }
interface Line { key: string; attempt: number; stream: string; text: string }

/** Lines kept in the page; older ones are dropped (the CLI or the API gives the whole log). */
const MAX_LINES = 5000;

const toLines = (e: LogEntry): Line[] => e.data.replace(/\n$/, '').split('\n')
  .map((text, i) => ({ key: `${e.seq}.${i}`, attempt: e.attempt, stream: e.stream, text }));

export function LogTail({ jobId }: { jobId: string }) {
  const log = useNdjsonFollow<LogEntry, Line>(`/v1/jobs/${encodeURIComponent(jobId)}/logs?follow=true&format=ndjson`,
    (shown, batch) => [...shown, ...batch.flatMap(toLines)].slice(-MAX_LINES));
  const lines = log.items;
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const el = box.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  const onScroll = (): void => {
    const el = box.current;
    if (el && follow && el.scrollHeight - el.scrollTop - el.clientHeight > 40) setFollow(false);
  };
  const status = log.status === 'open' ? 'following' : log.status;

  return (
    <div class="log-tail">
      <div class="actions">
        <label class="inline"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow</label>
        <span class="muted small" role="status" data-log-status={status}>
          {status === 'following' ? 'streaming…' : status === 'ended' ? `end of log (${lines.length} line${lines.length === 1 ? '' : 's'})` : 'stream interrupted'}
        </span>
        {status === 'error' && <button type="button" onClick={log.reconnect}>Reconnect</button>}
      </div>
      <ErrorNote error={log.error} />
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
