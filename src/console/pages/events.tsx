// Events: the recent backlog then the live stream (GET /v1/events?follow=true, NDJSON), newest
// first, filtered by type; each expands to the event exactly as the API serves it (the guide's shape).
import { useState } from 'preact/hooks';
import { EVENT_TYPES } from '../../observability/events/types.js';
import { useNdjsonFollow } from '../hooks.js';
import type { HodeiEvent } from '../types.js';
import { Badge, ErrorNote, ms, shortId, Time } from '../ui.js';

const BACKLOG = 200;
const KEEP = 500;

/** A one-line gist of the details: the reason, message or scale change an operator looks for first. */
function gist(e: HodeiEvent): string {
  const d = e.details;
  const parts: string[] = [];
  for (const k of ['reason', 'message', 'slo', 'probe', 'pool', 'verb', 'resource', 'code', 'pod', 'image']) {
    const v = d[k];
    if (typeof v === 'string' || typeof v === 'number') parts.push(`${k} ${v}`);
  }
  if (typeof d.from === 'string' || typeof d.from === 'number') parts.push(`${String(d.from)} → ${String(d.to)}`);
  return parts.join(' · ');
}

export function Events() {
  const [type, setType] = useState('');
  const q = new URLSearchParams({ follow: 'true', format: 'ndjson', limit: String(BACKLOG) });
  if (type) q.set('type', type);
  // The stream sends oldest first; the page shows newest first.
  const stream = useNdjsonFollow<HodeiEvent, HodeiEvent>(`/v1/events?${q.toString()}`, (shown, batch) => [...batch.reverse(), ...shown].slice(0, KEEP));
  const events = stream.items;
  const live = stream.status === 'open' ? 'live' : 'closed';
  const error = stream.error;

  return (
    <>
      <h1>Events</h1>
      <form class="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <label>Type
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">all types</option>
            {EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <span role="status" class="small" data-stream={live}>
          {live === 'live' ? <Badge tone="ok">live</Badge> : <Badge tone="muted">stream closed</Badge>}
          {' '}{events.length} event{events.length === 1 ? '' : 's'}
        </span>
        {live === 'closed' && <button type="button" onClick={stream.reconnect}>Reconnect</button>}
      </form>
      <ErrorNote error={error} />
      {events.length === 0 && <p class="muted">No event{type ? ` of type ${type}` : ''} yet.</p>}
      <ol class="events" aria-label="Events, newest first">
        {events.map((e, i) => (
          <li key={`${e.timestamp}-${e.event_type}-${events.length - i}`} data-type={e.event_type}>
            <details>
              <summary>
                <Badge tone={e.success ? 'info' : 'bad'}>{e.success ? 'ok' : 'failure'}</Badge>{' '}
                <code class="etype">{e.event_type}</code> <Time at={e.timestamp} />
                {e.worker_id && <span class="small"> · worker <code>{e.worker_id}</code></span>}
                {typeof e.details.job_id === 'string' && <span class="small"> · job <code>{shortId(e.details.job_id)}</code></span>}
                {e.duration_ms !== null && <span class="small"> · {ms(e.duration_ms)}</span>}
                <span class="gist small"> {gist(e)}</span>
              </summary>
              {typeof e.details.job_id === 'string' && <p class="small json-link"><a href={`#/jobs/${e.details.job_id}`}>Open job {e.details.job_id}</a></p>}
              <pre class="json" tabIndex={0} aria-label={`${e.event_type} as JSON`}>{JSON.stringify(e, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </>
  );
}
