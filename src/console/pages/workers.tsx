// Workers: counts by provider and state, the live workers, the failed ones with their reason, and
// worker pools (Kubernetes) with current / desired replicas.
import { WORKER_STATES } from '../../domain/worker.js';
import { ApiError, get } from '../api.js';
import { usePoll } from '../hooks.js';
import type { PoolView, Worker } from '../types.js';
import { ErrorNote, Loading, shortId, TableBox, Time, WorkerState } from '../ui.js';

const FAILED_SHOWN = 50;

export function Workers() {
  const workers = usePoll((s) => get<{ workers: Worker[] }>('/v1/workers?all=true', s), 5000);
  const all = workers.data?.workers ?? [];
  const byProvider = new Map<string, Map<string, number>>();
  for (const w of all) {
    const m = byProvider.get(w.providerId) ?? new Map<string, number>();
    m.set(w.state, (m.get(w.state) ?? 0) + 1);
    byProvider.set(w.providerId, m);
  }
  const live = all.filter((w) => w.state !== 'terminated' && w.state !== 'failed');
  const failed = all.filter((w) => w.state === 'failed').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));

  return (
    <>
      <h1>Workers</h1>
      <ErrorNote error={workers.error} />
      {!workers.data && !workers.error && <Loading what="workers" />}
      {workers.data && (
        <>
          <section aria-labelledby="by-h">
            <h2 id="by-h">By provider and state</h2>
            {byProvider.size === 0 ? <p>No worker yet.</p> : (
              <TableBox label="Workers by provider and state">
                <table>
                  <thead><tr><th scope="col">Provider</th>{WORKER_STATES.map((s) => <th scope="col" key={s}>{s}</th>)}</tr></thead>
                  <tbody>
                    {[...byProvider].map(([p, m]) => (
                      <tr key={p}><th scope="row">{p}</th>{WORKER_STATES.map((s) => <td key={s} data-state={s}>{m.get(s) ?? 0}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              </TableBox>
            )}
          </section>
          <section aria-labelledby="live-h">
            <h2 id="live-h">Live workers ({live.length})</h2>
            {live.length === 0 ? <p class="muted">None right now.</p> : <WorkerTable label="Live workers" rows={live} />}
          </section>
          <section aria-labelledby="failed-h">
            <h2 id="failed-h">Failed workers ({failed.length})</h2>
            {failed.length === 0 ? <p class="muted">None.</p> : <WorkerTable label="Failed workers" rows={failed.slice(0, FAILED_SHOWN)} />}
            {failed.length > FAILED_SHOWN && <p class="muted small">The newest {FAILED_SHOWN} are shown.</p>}
          </section>
        </>
      )}
      <Pools />
    </>
  );
}

function WorkerTable({ label, rows }: { label: string; rows: Worker[] }) {
  return (
    <TableBox label={label}>
      <table class="workers">
        <thead>
          <tr><th scope="col">Worker</th><th scope="col">State</th><th scope="col">Provider</th><th scope="col">Pod / pid</th>
            <th scope="col">Job</th><th scope="col">Reason</th><th scope="col">Created</th><th scope="col">Last heartbeat</th></tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <tr key={w.id} data-worker={w.id}>
              <td><code>{w.id}</code>{w.pool && <span class="tag">pool {w.pool}</span>}</td>
              <td><WorkerState state={w.state} /></td>
              <td>{w.providerId}</td>
              <td><code>{w.handle ?? '–'}</code></td>
              <td>{w.jobId ? <a href={`#/jobs/${w.jobId}`}><code>{shortId(w.jobId)}</code></a> : '–'}</td>
              <td class="reason">{w.reason ?? '–'}</td>
              <td><Time at={w.createdAt} /></td>
              <td><Time at={w.lastHeartbeatAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableBox>
  );
}

function Pools() {
  const pools = usePoll((s) => get<{ pools: PoolView[] }>('/v1/pools', s), 5000);
  // 409: this server's provider has no pools (they need the Kubernetes provider).
  const unsupported = pools.error instanceof ApiError && pools.error.status === 409;
  return (
    <section aria-labelledby="pools-h">
      <h2 id="pools-h">Pools</h2>
      {unsupported ? <p class="muted">{pools.error?.message}.</p> : <ErrorNote error={pools.error} />}
      {pools.data && (pools.data.pools.length === 0 ? <p class="muted">No pool. Create one with <code>hodei pools create</code>.</p> : (
        <TableBox label="Pools">
          <table>
            <thead><tr><th scope="col">Pool</th><th scope="col">Namespace</th><th scope="col">Current</th><th scope="col">Desired</th>
              <th scope="col">Ready workers</th><th scope="col">Last scale</th></tr></thead>
            <tbody>
              {pools.data.pools.map((p) => (
                <tr key={p.name}>
                  <th scope="row">{p.name}</th><td>{p.namespace}</td><td>{p.status.currentReplicas ?? '–'}</td>
                  <td>{p.status.desiredReplicas ?? '–'}</td><td>{p.status.readyWorkers}</td><td><Time at={p.status.lastScaleTime} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      ))}
    </section>
  );
}
