// Queues and schedules over GET /v1/queues and /v1/schedules: per queue its depth, oldest wait,
// concurrency and pause (with the same PATCH `hodei queues pause` sends); per schedule its last and
// next run, the missed runs among its recent ticks (/runs) and its newest jobs (by their label).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, get, patch } from '../api.js';
import { usePoll, type Polled } from '../hooks.js';
import type { Job, QueueView, ScheduleRun, ScheduleView } from '../types.js';
import { Badge, ErrorNote, JobState, Loading, ms, shortId, TableBox, Time } from '../ui.js';

/** Ticks read per schedule to count missed runs: enough to see a pattern without a long page. */
const RUNS_READ = 50;
/** Recent jobs shown per schedule (its runs are ordinary jobs labelled hodei.io/schedule). */
const JOBS_SHOWN = 5;

export function Queues() {
  return (
    <>
      <h1>Queues and schedules</h1>
      <QueueTable />
      <ScheduleTable />
    </>
  );
}

/**
 * One section: heading, note, the API's error (a 404 said plainly: an older server without this
 * API), loading, a "none" line or the table with these column heads.
 */
function Panel({ what, title, path, about, polled, count, none, heads, children }: {
  what: string; title: string; path: string; about: ComponentChildren; polled: Polled<unknown>; count: number;
  none: ComponentChildren; heads: ComponentChildren[]; children: ComponentChildren;
}) {
  const { data, error } = polled;
  return (
    <section aria-labelledby={`${what}-h`}>
      <h2 id={`${what}-h`}>{title}</h2>
      <p class="muted small">{about}</p>
      {error instanceof ApiError && error.status === 404
        ? <p data-unavailable={what}>This server has no {what} API (<code>{path}</code> answers 404).</p>
        : <ErrorNote error={error} />}
      {data === undefined && !error && <Loading what={what} />}
      {data !== undefined && (count === 0 ? <p class="muted">{none}</p> : (
        <TableBox label={title}>
          <table class={what}>
            <thead><tr>{heads.map((h, i) => <th scope="col" key={i}>{h}</th>)}</tr></thead>
            <tbody>{children}</tbody>
          </table>
        </TableBox>
      ))}
    </section>
  );
}

function QueueTable() {
  const [actionError, setActionError] = useState<Error | undefined>();
  const r = usePoll((s) => get<{ queues: QueueView[] }>('/v1/queues', s), 3000);
  const toggle = async (q: QueueView): Promise<void> => {
    setActionError(undefined);
    try {
      await patch(`/v1/queues/${encodeURIComponent(q.name)}`, { paused: !q.paused });
      r.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };
  const queues = r.data?.queues ?? [];
  return (
    <>
      <ErrorNote error={actionError} />
      <Panel what="queues" title="Queues" path="/v1/queues" polled={r} count={queues.length}
        about="Depth is the jobs waiting to start; a paused queue keeps them queued."
        none="No queue yet: a queue exists once a job names it."
        heads={['Queue', 'State', 'Depth (queued)', 'Oldest wait', 'Running', 'Concurrency', 'Scheduled', 'Blocked', 'Last start', <span class="sr-only">Action</span>]}>
        {queues.map((q) => (
          <tr key={q.name} data-queue={q.name}>
            <th scope="row">{q.name}</th>
            <td data-field="state">{q.paused ? <Badge tone="warn">paused</Badge> : <Badge tone="ok">active</Badge>}</td>
            <td data-field="depth">{q.jobs.queued}</td>
            <td data-field="oldest-wait">{q.oldestQueuedSeconds > 0 ? ms(q.oldestQueuedSeconds * 1000) : '–'}</td>
            <td data-field="running">{q.jobs.provisioning + q.jobs.assigned + q.jobs.running}</td>
            <td data-field="concurrency">{q.concurrency ?? 'no limit'}</td>
            <td>{q.jobs.scheduled}</td>
            <td>{q.jobs.blocked}</td>
            <td><Time at={q.lastStartedAt} /></td>
            <td>
              <button type="button" onClick={() => void toggle(q)} aria-label={`${q.paused ? 'Resume' : 'Pause'} queue ${q.name}`}>
                {q.paused ? 'Resume' : 'Pause'}
              </button>
            </td>
          </tr>
        ))}
      </Panel>
    </>
  );
}

type WithRuns = ScheduleView & { runs: ScheduleRun[]; jobs: Job[] };

function ScheduleTable() {
  const r = usePoll(async (s) => {
    const { schedules } = await get<{ schedules: ScheduleView[] }>('/v1/schedules', s);
    return Promise.all(schedules.map(async (sc): Promise<WithRuns> => {
      const label = encodeURIComponent(`hodei.io/schedule=${sc.name}`);
      const [runs, jobs] = await Promise.all([
        get<{ runs: ScheduleRun[] }>(`/v1/schedules/${encodeURIComponent(sc.name)}/runs?limit=${RUNS_READ}`, s),
        get<{ jobs: Job[] }>(`/v1/jobs?label=${label}&limit=${JOBS_SHOWN}`, s),
      ]);
      return { ...sc, runs: runs.runs, jobs: jobs.jobs };
    }));
  }, 5000);
  const list = r.data ?? [];
  return (
    <Panel what="schedules" title="Schedules" path="/v1/schedules" polled={r} count={list.length}
      about={`Missed runs among the last ${RUNS_READ} ticks; the ${JOBS_SHOWN} newest jobs the schedule started.`}
      none={<>No schedule. Create one with <code>hodei schedules create</code>.</>}
      heads={['Schedule', 'Cron', 'Last run', 'Last result', 'Next run', 'Missed runs', 'Recent jobs']}>
      {list.map((sc) => {
        const missed = sc.runs.filter((run) => run.result === 'missed');
        return (
          <tr key={sc.name} data-schedule={sc.name}>
            <th scope="row">{sc.name}{sc.suspend && <> <Badge tone="muted">suspended</Badge></>}</th>
            <td><code>{sc.cron}</code> <span class="muted small">{sc.timezone}</span></td>
            <td data-field="last-run"><Time at={sc.lastRun?.tick} /></td>
            <td data-field="last-result">{sc.lastResult ? <JobState state={sc.lastResult} /> : '–'}</td>
            <td data-field="next-run">{sc.suspend ? <span class="muted">suspended</span> : <Time at={sc.nextRun} />}</td>
            <td data-field="missed" title={missed.map((m) => `${m.tick}: ${m.reason ?? 'missed'}`).join('\n')}>{missed.length}</td>
            <td data-field="recent-jobs">
              {sc.jobs.length > 0 ? (
                <ul class="inline">
                  {sc.jobs.map((j) => (
                    <li key={j.id}><a href={`#/jobs/${j.id}`}><code>{shortId(j.id)}</code></a> <JobState state={j.state} /></li>
                  ))}
                </ul>
              ) : <span class="muted">none</span>}
            </td>
          </tr>
        );
      })}
    </Panel>
  );
}
