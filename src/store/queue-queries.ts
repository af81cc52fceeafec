// SQL of queues, submission (idempotency, singleton keys, dependencies), the claim and the
// promotion of scheduled and blocked jobs. One statement per constant; see migration 0006.
import { JOB_COLUMNS } from './queries.js';

const ACTIVE = `('provisioning', 'assigned', 'running')`;
const UNFINISHED = `('scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running')`;
const FAILED_ENDS = `('failed', 'cancelled', 'timed_out', 'skipped')`;

// $1 id, $2 spec, $3 secrets, $4 labels, $5 created_at, $6 first transition, $7 state,
// $8 not_before, $9 queue, $10 priority, $11 rank_at, $12 cpu_m, $13 memory_bytes, $14 gpus,
// $15 singleton key, $16 ttlSecondsAfterFinished. Nothing is inserted when the id or an unfinished
// job's singleton key exists.
export const SUBMIT_JOB = `
INSERT INTO jobs (id, state, spec, secrets, labels, not_before, transitions, created_at, updated_at,
  queue, priority, rank_at, cpu_m, memory_bytes, gpus, singleton_key, ttl_seconds)
VALUES ($1, $7, $2::jsonb, $3::jsonb, $4::jsonb, $8::timestamptz, $6::jsonb, $5::timestamptz, $5::timestamptz,
  $9, $10, $11::timestamptz, $12, $13, $14, $15, $16::integer)
ON CONFLICT DO NOTHING
RETURNING ${JOB_COLUMNS}`;

export const ACTIVE_JOB_BY_KEY = `
SELECT ${JOB_COLUMNS} FROM jobs WHERE singleton_key = $1 AND state IN ${UNFINISHED}`;

export const JOB_STATES_OF = `SELECT id, state FROM jobs WHERE id = ANY($1::text[])`;

// $1 job, $2 dependency ids
export const INSERT_DEPENDENCIES = `
INSERT INTO job_dependencies (job_id, depends_on) SELECT $1, d FROM unnest($2::text[]) AS d ON CONFLICT DO NOTHING`;

export const DEPENDENCIES_OF = `
SELECT d.depends_on AS id, p.state FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.depends_on
WHERE d.job_id = $1 ORDER BY d.depends_on`;

// Idempotency key: $1 key, $2 body hash, $3 job id, $4 now, $5 expiry (a key created before it
// is stale and taken over). Returns a row only when this request owns the key.
export const CLAIM_IDEMPOTENCY_KEY = `
INSERT INTO idempotency_keys (key, body_hash, job_id, created_at) VALUES ($1, $2, $3, $4::timestamptz)
ON CONFLICT (key) DO UPDATE SET body_hash = EXCLUDED.body_hash, job_id = EXCLUDED.job_id, created_at = EXCLUDED.created_at
  WHERE idempotency_keys.created_at < $5::timestamptz
RETURNING key`;

export const GET_IDEMPOTENCY_KEY = `SELECT body_hash, job_id FROM idempotency_keys WHERE key = $1`;
export const SET_IDEMPOTENCY_JOB = `UPDATE idempotency_keys SET job_id = $2 WHERE key = $1`;

/**
 * The claim: $1 now, $2 limit, $3 transition to append, $4 true to skip jobs with their own image.
 * In one statement it respects, per queue: pause, the concurrency ceiling (jobs in provisioning,
 * assigned or running), the cpu/memory/gpu quota of those jobs (strictly in order: a job that does
 * not fit holds back the ones behind it), delays (not_before) and dependencies; across queues it
 * takes the earliest claim rank (priority with aging, FIFO within a priority). On PostgreSQL the
 * store runs it under a transaction advisory lock so concurrent claimers see each other's claims.
 */
export const CLAIM_JOBS = `
WITH active AS (
  SELECT queue, count(*) AS n, sum(cpu_m) AS cpu, sum(memory_bytes) AS mem, sum(gpus) AS gpu
  FROM jobs WHERE state IN ${ACTIVE} GROUP BY queue
), open AS (
  SELECT w.queue, q.concurrency, q.cpu_m AS cpu_quota, q.memory_bytes AS mem_quota, q.gpus AS gpu_quota,
    COALESCE(a.n, 0) AS n, COALESCE(a.cpu, 0) AS cpu, COALESCE(a.mem, 0) AS mem, COALESCE(a.gpu, 0) AS gpu
  FROM (SELECT DISTINCT queue FROM jobs WHERE state = 'queued' AND not_before <= $1::timestamptz) w
  LEFT JOIN queues q ON q.name = w.queue
  LEFT JOIN active a ON a.queue = w.queue
  WHERE NOT COALESCE(q.paused, false) AND (q.concurrency IS NULL OR COALESCE(a.n, 0) < q.concurrency)
), candidates AS (
  SELECT c.id, c.rank_at FROM open o CROSS JOIN LATERAL (
    SELECT j.id, j.rank_at, sum(j.cpu_m) OVER w AS cpu, sum(j.memory_bytes) OVER w AS mem, sum(j.gpus) OVER w AS gpu
    FROM jobs j
    WHERE j.queue = o.queue AND j.state = 'queued' AND j.not_before <= $1::timestamptz
      AND NOT ($4::boolean AND j.spec ? 'image')
      AND NOT EXISTS (SELECT 1 FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.depends_on
                      WHERE d.job_id = j.id AND p.state IS DISTINCT FROM 'succeeded')
    WINDOW w AS (ORDER BY j.rank_at, j.id)
    ORDER BY j.rank_at, j.id
    LIMIT LEAST($2::integer, COALESCE(o.concurrency - o.n, $2::integer))
  ) c
  WHERE (o.cpu_quota IS NULL OR o.cpu + c.cpu <= o.cpu_quota)
    AND (o.mem_quota IS NULL OR o.mem + c.mem <= o.mem_quota)
    AND (o.gpu_quota IS NULL OR o.gpu + c.gpu <= o.gpu_quota)
  ORDER BY c.rank_at, c.id
  LIMIT $2::integer
)
UPDATE jobs SET state = 'provisioning', updated_at = $1::timestamptz, transitions = transitions || $3::jsonb
WHERE id IN (SELECT id FROM candidates) AND state = 'queued'
RETURNING ${JOB_COLUMNS}, rank_at`;

/** Serialises claimers on PostgreSQL (any constant shared by all replicas). */
export const CLAIM_LOCK = `SELECT pg_advisory_xact_lock(1752132961)`;

const appendTransition = (state: string, reason?: string): string =>
  `transitions || jsonb_build_array(jsonb_build_object('state', ${state}, 'at', $2::text${reason ? `, 'reason', '${reason}'` : ''}))`;

// $1 now, $2 now as ISO text. Scheduled jobs whose runAt has come become queued.
export const PROMOTE_SCHEDULED = `
UPDATE jobs SET state = 'queued', updated_at = $1::timestamptz, transitions = ${appendTransition(`'queued'`)}
WHERE state = 'scheduled' AND not_before <= $1::timestamptz
RETURNING ${JOB_COLUMNS}`;

// $1 now, $2 now as ISO text. A blocked job one of whose dependencies ended without success (or
// no longer exists) is skipped, naming that dependency.
export const SKIP_BLOCKED = `
UPDATE jobs j SET state = 'skipped', updated_at = $1::timestamptz, finished_at = $1::timestamptz,
  reason = 'DependencyFailed', message = 'dependency ' || f.dep || ' ' || COALESCE(f.state, 'was deleted'),
  transitions = ${appendTransition(`'skipped'`, 'DependencyFailed')}
FROM (
  SELECT DISTINCT ON (d.job_id) d.job_id, d.depends_on AS dep, p.state
  FROM jobs c JOIN job_dependencies d ON d.job_id = c.id LEFT JOIN jobs p ON p.id = d.depends_on
  WHERE c.state = 'blocked' AND (p.id IS NULL OR p.state IN ${FAILED_ENDS})
  ORDER BY d.job_id, d.depends_on
) f
WHERE j.id = f.job_id AND j.state = 'blocked'
RETURNING ${JOB_COLUMNS.split(',').map((c) => `j.${c.trim()}`).join(', ')}`;

// $1 now, $2 now as ISO text. A blocked job whose dependencies all succeeded is queued (or
// scheduled, when its runAt is still ahead).
export const UNBLOCK = `
UPDATE jobs j SET state = CASE WHEN j.not_before > $1::timestamptz THEN 'scheduled' ELSE 'queued' END,
  updated_at = $1::timestamptz,
  transitions = ${appendTransition(`CASE WHEN j.not_before > $1::timestamptz THEN 'scheduled' ELSE 'queued' END`)}
WHERE j.state = 'blocked' AND NOT EXISTS (
  SELECT 1 FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.depends_on
  WHERE d.job_id = j.id AND p.state IS DISTINCT FROM 'succeeded')
RETURNING ${JOB_COLUMNS}`;

// ── queues ──────────────────────────────────────────────────────────────────────────────────

const QUEUE_COLUMNS = 'name, concurrency, paused, quota, paused_at, created_at, updated_at';

export const GET_QUEUE = `SELECT ${QUEUE_COLUMNS} FROM queues WHERE name = $1`;
export const LIST_QUEUES = `SELECT ${QUEUE_COLUMNS} FROM queues ORDER BY name`;

// $1 name, $2 concurrency, $3 paused, $4 quota (jsonb), $5 cpu_m, $6 memory_bytes, $7 gpus, $8 now.
// Returns the queue and whether it was paused before (to announce a pause once).
export const PUT_QUEUE = `
WITH before AS (SELECT paused FROM queues WHERE name = $1)
INSERT INTO queues AS q (name, concurrency, paused, quota, cpu_m, memory_bytes, gpus, paused_at, created_at, updated_at)
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, CASE WHEN $3 THEN $8::timestamptz END, $8::timestamptz, $8::timestamptz)
ON CONFLICT (name) DO UPDATE SET concurrency = EXCLUDED.concurrency, paused = EXCLUDED.paused, quota = EXCLUDED.quota,
  cpu_m = EXCLUDED.cpu_m, memory_bytes = EXCLUDED.memory_bytes, gpus = EXCLUDED.gpus, updated_at = EXCLUDED.updated_at,
  paused_at = CASE WHEN NOT EXCLUDED.paused THEN NULL WHEN q.paused THEN q.paused_at ELSE EXCLUDED.updated_at END
RETURNING ${QUEUE_COLUMNS}, COALESCE((SELECT paused FROM before), false) AS was_paused`;

// $1 now. Per queue and state: how many jobs; for queued jobs already due, the oldest due time;
// the latest start. Queues with settings but no jobs come from the queues table.
export const QUEUE_STATS = `
SELECT queue, state, count(*) AS n,
  min(not_before) FILTER (WHERE state = 'queued' AND not_before <= $1::timestamptz) AS oldest_due,
  max(started_at) AS last_started
FROM jobs GROUP BY queue, state`;

// $1 queue, $2 now
export const ONE_QUEUE_STATS = `
SELECT queue, state, count(*) AS n,
  min(not_before) FILTER (WHERE state = 'queued' AND not_before <= $2::timestamptz) AS oldest_due,
  max(started_at) AS last_started
FROM jobs WHERE queue = $1 GROUP BY queue, state`;
