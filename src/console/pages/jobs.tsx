// Jobs: the newest jobs, filtered by state and labels (by the API) and by text (id, command, args,
// labels, reason — in the page). Older pages load on demand through the API's cursor.
import { useState } from 'preact/hooks';
import { JOB_STATES } from '../../domain/job.js';
import { get } from '../api.js';
import { usePoll } from '../hooks.js';
import type { Job } from '../types.js';
import { commandLine } from './job-detail.js';
import { ErrorNote, JobState, Loading, shortId, TableBox, Time } from '../ui.js';

interface JobPage { jobs: Job[]; nextCursor: string | null }

const PAGE = 100;

function query(state: string, labels: string, cursor?: string): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (state) q.set('state', state);
  for (const l of labels.split(',').map((s) => s.trim()).filter(Boolean)) q.append('label', l);
  if (cursor) q.set('cursor', cursor);
  return `/v1/jobs?${q.toString()}`;
}

const haystack = (j: Job): string => [j.id, j.spec.command, ...j.spec.args, j.reason ?? '', j.spec.image ?? '',
  ...Object.entries(j.spec.labels).map(([k, v]) => `${k}=${v}`)].join(' ').toLowerCase();

export function Jobs() {
  const [state, setState] = useState('');
  const [labels, setLabels] = useState('');
  const [applied, setApplied] = useState('');
  const [text, setText] = useState('');
  const [older, setOlder] = useState<{ jobs: Job[]; cursor: string | null } | null>(null);
  const [olderError, setOlderError] = useState<Error | undefined>();
  const page = usePoll((s) => get<JobPage>(query(state, applied), s), 3000, [state, applied]);

  const loadOlder = async (): Promise<void> => {
    const cursor = older ? older.cursor : page.data?.nextCursor;
    if (!cursor) return;
    try {
      const next = await get<JobPage>(query(state, applied, cursor));
      setOlder({ jobs: [...(older?.jobs ?? []), ...next.jobs], cursor: next.nextCursor });
      setOlderError(undefined);
    } catch (err) {
      setOlderError(err as Error);
    }
  };
  const resetOlder = (): void => setOlder(null);

  const seen = new Set<string>();
  const all = [...(page.data?.jobs ?? []), ...(older?.jobs ?? [])].filter((j) => !seen.has(j.id) && seen.add(j.id));
  const needle = text.trim().toLowerCase();
  const shown = needle ? all.filter((j) => haystack(j).includes(needle)) : all;
  const more = older ? older.cursor : page.data?.nextCursor;

  return (
    <>
      <h1>Jobs</h1>
      <form class="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => { e.preventDefault(); resetOlder(); setApplied(labels); }}>
        <label>State
          <select value={state} onChange={(e) => { resetOlder(); setState(e.currentTarget.value); }}>
            <option value="">any</option>
            {JOB_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Labels <span class="muted small">(key=value, comma-separated)</span>
          <input type="text" name="labels" value={labels} placeholder="team=data" onInput={(e) => setLabels(e.currentTarget.value)}
            onBlur={() => { if (labels !== applied) { resetOlder(); setApplied(labels); } }} />
        </label>
        <label>Text
          <input type="search" name="text" value={text} placeholder="id, command, reason…" onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorNote error={page.error} />
      {!page.data && !page.error && <Loading what="jobs" />}
      {page.data && (
        <>
          <p class="muted small" aria-live="polite">{shown.length} of {all.length} loaded job{all.length === 1 ? '' : 's'} shown, newest first.</p>
          <TableBox label="Jobs">
            <table class="jobs">
              <thead>
                <tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">Command</th><th scope="col">Labels</th>
                  <th scope="col">Attempt</th><th scope="col">Exit</th><th scope="col">Reason</th><th scope="col">Created</th></tr>
              </thead>
              <tbody>
                {shown.map((j) => (
                  <tr key={j.id} data-job={j.id}>
                    <td class="id"><a href={`#/jobs/${j.id}`}><code>{shortId(j.id)}</code></a></td>
                    <td><JobState state={j.state} /></td>
                    <td class="cmd"><code>{commandLine(j).slice(0, 120)}</code></td>
                    <td>{Object.entries(j.spec.labels).map(([k, v]) => <span class="tag" key={k}>{k}={v}</span>)}</td>
                    <td>{j.attempt}</td>
                    <td>{j.exitCode ?? '–'}</td>
                    <td>{j.reason ?? '–'}</td>
                    <td><Time at={j.createdAt} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
          {shown.length === 0 && <p>No job matches.</p>}
          <ErrorNote error={olderError} />
          {more && <button type="button" onClick={() => void loadOlder()}>Load older jobs</button>}
        </>
      )}
    </>
  );
}
