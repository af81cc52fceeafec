// One job: its state timeline, result, the worker (pod or process) that ran it with its startup as
// the events tell it, cancel / retry, and the live log tail.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { isTerminal } from '../../domain/job.js';
import { ApiError, get, post } from '../api.js';
import { navigate, usePoll } from '../hooks.js';
import type { HodeiEvent, Job, Worker } from '../types.js';
import { duration, ErrorNote, JobState, Loading, ms, Time, WorkerState } from '../ui.js';
import { LogTail } from './log-tail.js';

export function JobDetail({ id }: { id: string }) {
  const job = usePoll((s) => get<Job>(`/v1/jobs/${encodeURIComponent(id)}`, s), 1500, [id]);
  const j = job.data;
  const ended = j ? isTerminal(j.state) : false;
  const events = usePoll((s) => get<{ events: HodeiEvent[] }>(`/v1/events?job_id=${encodeURIComponent(id)}&limit=50`, s), ended ? 30_000 : 2000, [id, ended]);
  const [action, setAction] = useState<{ busy: boolean; error?: Error; note?: string }>({ busy: false });

  if (job.error instanceof ApiError && job.error.status === 404) return <><h1>Job not found</h1><p>No job <code>{id}</code>. <a href="#/jobs">All jobs</a></p></>;
  if (!j) return <><h1>Job <code>{id}</code></h1><ErrorNote error={job.error} />{!job.error && <Loading what="the job" />}</>;

  const cancel = async (): Promise<void> => {
    setAction({ busy: true });
    try {
      await post<Job>(`/v1/jobs/${encodeURIComponent(j.id)}/cancel`);
      setAction({ busy: false, note: 'Cancel requested.' });
      job.reload();
    } catch (err) {
      setAction({ busy: false, error: err as Error });
    }
  };
  // The API has no retry of an ended job: Retry queues a copy of its spec (secret values are never
  // returned by the API, so a job with secrets cannot be copied here).
  const retry = async (): Promise<void> => {
    setAction({ busy: true });
    try {
      const { secretNames: _secrets, ...spec } = j.spec;
      const copy = await post<Job>('/v1/jobs', { ...spec, labels: { ...spec.labels, 'hodei.io/retry-of': j.id } });
      setAction({ busy: false });
      navigate(`/jobs/${copy.id}`);
    } catch (err) {
      setAction({ busy: false, error: err as Error });
    }
  };
  const hasSecrets = j.spec.secretNames.length > 0;

  return (
    <>
      <h1>Job <code>{j.id}</code> <JobState state={j.state} /></h1>
      <div class="actions">
        <button type="button" onClick={() => void cancel()} disabled={ended || action.busy}>Cancel job</button>
        <button type="button" onClick={() => void retry()} disabled={!ended || action.busy || hasSecrets}
          aria-describedby={hasSecrets ? 'retry-note' : undefined}>Retry (queue a copy)</button>
        {hasSecrets && <span id="retry-note" class="muted small">This job has secrets, which the API never returns: resubmit it with the CLI.</span>}
        <span role="status" class="small">{action.note}</span>
      </div>
      <ErrorNote error={action.error ?? job.error} />
      <div class="grid two">
        <section class="card" aria-labelledby="result-h">
          <h2 id="result-h">Result</h2>
          <dl class="kv">
            <dt>State</dt><dd><JobState state={j.state} /></dd>
            <dt>Exit code</dt><dd data-field="exitCode">{j.exitCode ?? '–'}</dd>
            <dt>Reason</dt><dd data-field="reason">{j.reason ?? '–'}</dd>
            <dt>Message</dt><dd>{j.message ?? '–'}</dd>
            <dt>Attempt</dt><dd>{j.attempt} of {j.spec.retries + 1}</dd>
            <dt>Run time</dt><dd>{duration(j.startedAt, j.finishedAt)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="spec-h">
          <h2 id="spec-h">Spec</h2>
          <dl class="kv">
            <dt>Command</dt><dd><code>{commandLine(j)}</code></dd>
            <dt>Image</dt><dd>{j.spec.image ?? '–'}</dd>
            <dt>Resources</dt><dd>cpu {j.spec.resources.cpu ?? '–'}, memory {j.spec.resources.memory ?? '–'}</dd>
            <dt>Timeout</dt><dd>{j.spec.timeoutSeconds ? `${j.spec.timeoutSeconds} s` : 'none'}</dd>
            <dt>Labels</dt><dd>{Object.entries(j.spec.labels).map(([k, v]) => <span class="tag" key={k}>{k}={v}</span>)}</dd>
            <dt>Env</dt><dd>{Object.keys(j.spec.env).join(', ') || '–'}</dd>
            <dt>Secrets</dt><dd>{j.spec.secretNames.join(', ') || '–'}</dd>
          </dl>
        </section>
      </div>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <ol class="timeline">
          {j.transitions.map((t, i) => (
            <li key={`${i}-${t.state}`} data-state={t.state}>
              <JobState state={t.state} /> <Time at={t.at} />
              {i > 0 && <span class="muted small"> +{duration(j.transitions[i - 1]?.at, t.at)}</span>}
              {t.reason && <span class="small"> — {t.reason}</span>}
            </li>
          ))}
        </ol>
      </section>
      <WorkerPanel job={j} events={events.data?.events ?? []} />
      <section aria-labelledby="logs-h">
        <h2 id="logs-h">Log</h2>
        <LogTail jobId={j.id} />
      </section>
    </>
  );
}

/** The command as a shell would read it: arguments with spaces or quotes are single-quoted. */
export const commandLine = (j: Job): string => [j.spec.command, ...j.spec.args]
  .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** The startup phases, if the worker.created event carries them (`details.startup_ms`). */
const PHASES = ['scheduling', 'image_pull', 'container_start', 'agent_registration'] as const;

function WorkerPanel({ job, events }: { job: Job; events: HodeiEvent[] }) {
  // While the job runs its worker is live (a short list); once it ended, the full history is read
  // once rather than every few seconds.
  const ended = isTerminal(job.state);
  const workers = usePoll((s) => get<{ workers: Worker[] }>(ended ? '/v1/workers?all=true' : '/v1/workers', s), ended ? 600_000 : 3000, [job.id, ended]);
  const mine = (workers.data?.workers ?? []).filter((w) => w.jobId === job.id || w.id === job.workerId);
  // The API answers newest first; a worker's story reads oldest first.
  const lifecycle = events.filter((e) => e.event_type.startsWith('worker.')).reverse();
  return (
    <section aria-labelledby="worker-h">
      <h2 id="worker-h">Worker</h2>
      {mine.length === 0 && <p class="muted">No worker yet.</p>}
      <ul class="plain">
        {mine.map((w) => (
          <li key={w.id} class="card" data-worker={w.id}>
            <strong><code>{w.id}</code></strong> <WorkerState state={w.state} /> on <strong>{w.providerId}</strong>
            {w.handle && <> · <code>{w.handle}</code></>}
            {w.reason && <> · reason <strong>{w.reason}</strong></>}
            <span class="muted small"> · created <Time at={w.createdAt} />, registered <Time at={w.registeredAt} /></span>
          </li>
        ))}
      </ul>
      {lifecycle.length > 0 && (
        <ul class="plain events-inline">
          {lifecycle.map((e, i) => {
            const startup = e.details.startup_ms as Partial<Record<(typeof PHASES)[number], number>> | undefined;
            return (
              <li key={i}>
                <code>{e.event_type}</code> <Time at={e.timestamp} />
                {e.duration_ms !== null && <> · {e.event_type === 'worker.created' ? 'ready after' : 'took'} {ms(e.duration_ms)}</>}
                {typeof e.details.pod === 'string' && <> · pod <code>{e.details.pod}</code></>}
                {typeof e.details.reason === 'string' && <> · reason <strong>{e.details.reason}</strong></>}
                {typeof e.details.message === 'string' && <span class="small"> — {e.details.message}</span>}
                {startup && (
                  <div role="group" aria-label="Startup breakdown">
                    <dl class="kv startup">
                      {PHASES.map((p) => <Fragment key={p}><dt>{p.replace('_', ' ')}</dt><dd>{ms(startup[p])}</dd></Fragment>)}
                    </dl>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
