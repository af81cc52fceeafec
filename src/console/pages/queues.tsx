// Queues and schedules: shown when the server has them (GET /v1/queues, /v1/schedules). Until then
// the page says so — it never shows made-up numbers.
import { useRef } from 'preact/hooks';
import { ApiError, get } from '../api.js';
import { usePoll } from '../hooks.js';
import { ErrorNote, Loading, TableBox } from '../ui.js';

type Row = Record<string, unknown>;

export function Queues() {
  return (
    <>
      <h1>Queues and schedules</h1>
      <Listing title="Queues" path="/v1/queues" listKey="queues"
        about="Depth, oldest wait, concurrency and pause, per queue." />
      <Listing title="Schedules" path="/v1/schedules" listKey="schedules"
        about="Each schedule's last and next run, missed runs and recent jobs." />
    </>
  );
}

const cell = (v: unknown): string => (v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function Listing({ title, path, listKey, about }: { title: string; path: string; listKey: string; about: string }) {
  // A 404 means this server has no such API: asked once, not every few seconds.
  const absent = useRef<ApiError | undefined>(undefined);
  const r = usePoll(async (s) => {
    if (absent.current) throw absent.current;
    try {
      return await get<Record<string, Row[]>>(path, s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) absent.current = err;
      throw err;
    }
  }, 5000);
  const missing = r.error instanceof ApiError && r.error.status === 404;
  const rows = r.data?.[listKey] ?? [];
  const cols = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const id = `${listKey}-h`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p class="muted small">{about}</p>
      {missing ? <p data-unavailable={listKey}>This server has no {title.toLowerCase()} API yet (<code>{path}</code> answers 404).</p>
        : <ErrorNote error={r.error} />}
      {!r.data && !r.error && <Loading what={title.toLowerCase()} />}
      {r.data && (rows.length === 0 ? <p class="muted">None.</p> : (
        <TableBox label={title}>
          <table>
            <thead><tr>{cols.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
            <tbody>{rows.map((row, i) => <tr key={i}>{cols.map((c) => <td key={c}>{cell(row[c])}</td>)}</tr>)}</tbody>
          </table>
        </TableBox>
      ))}
    </section>
  );
}
