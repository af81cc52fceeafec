// SQL of queues, submission (idempotency, singleton keys, dependencies), the claim and the
// promotion of scheduled and blocked jobs. One statement per constant; see migration 0006.
import { JOB_COLUMNS, NOTIFY_JOBS } from './queries.js';

const UNFINISHED = `('scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running')`;
const FAILED_ENDS = `('failed', 'cancelled', 'timed_out', 'skipped')`;

// $1 id, $2 spec, $3 secrets, $4 labels, $5 created_at, $6 first transition, $7 state,
// $8 not_before, $9 queue, $10 priority, $11 rank_at, $12 cpu_m, $13 memory_bytes, $14 gpus,
// $15 singleton key, $16 ttlSecondsAfterFinished, $17 this replica's id (NOTIFY payload when the
// job is queued). Nothing is inserted when the id or an unfinished job's singleton key exists.
export const SUBMIT_JOB = `
WITH ins AS (
INSERT INTO jobs (id, state, spec, secrets, labels, not_before, transitions, created_at, updated_at,
  queue, priority, rank_at, cpu_m, memory_bytes, gpus, singleton_key, ttl_seconds)
VALUES ($1, $7, $2::jsonb, $3::jsonb, $4::jsonb, $8::timestamptz, $6::jsonb, $5::timestamptz, $5::timestamptz,
  $9, $10, $11::timestamptz, $12, $13, $14, $15, $16::integer)
ON CONFLICT DO NOTHING
RETURNING ${JOB_COLUMNS})
SELECT ins.*, CASE WHEN ins.state = 'queued' THEN ${NOTIFY_JOBS('$17')} END AS notified FROM ins`;

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
 * The claim, one round trip: $1 now, $2 limit, $3 transition to append (→ provisioning), $4 the
 * second transition (→ assigned, used with workers), $5 true to skip jobs with their own image,
 * $6 idle workers to hand the jobs to (or null: jobs stay provisioning for new workers).
 * It respects, per queue: pause, the concurrency ceiling (jobs in provisioning, assigned or
 * running), the cpu/memory/gpu quota of those jobs (strictly in order: a job that does not fit
 * holds back the ones behind it), delays (not_before) and dependencies; across queues it takes the
 * earliest claim rank (priority with aging, FIFO within a priority). The SQL is the function
 * hodei_claim_jobs (migration 0009): it takes a transaction advisory lock before it reads, so
 * concurrent claimers on PostgreSQL see each other's claims, and it runs in this one call.
 */
export const CLAIM_JOBS = `
SELECT ${JOB_COLUMNS}, rank_at, secrets
FROM hodei_claim_jobs($1::timestamptz, $2::integer, $3::jsonb, $4::jsonb, $5::boolean, $6::text[])`;

const appendTransition = (state: string, reason?: string): string =>
  `transitions || jsonb_build_array(jsonb_build_object('state', ${state}, 'at', $2::text${reason ? `, 'reason', '${reason}'` : ''}))`;

const PREFIXED_COLUMNS = JOB_COLUMNS.split(',').map((c) => `j.${c.trim()}`).join(', ');

// $1 now, $2 now as ISO text. In one statement (the three updates touch disjoint rows: scheduled;
// blocked with a failed or deleted dependency; blocked with every dependency succeeded):
// - scheduled jobs whose runAt has come become queued;
// - a blocked job one of whose dependencies ended without success (or no longer exists) is
//   skipped, naming that dependency;
// - a blocked job whose dependencies all succeeded is queued (or scheduled, when its runAt is
//   still ahead).
// Each row says which it was (\`promotion\`: queued or skipped).
export const PROMOTE_WAITING = `
WITH promoted AS (
  UPDATE jobs j SET state = 'queued', updated_at = $1::timestamptz, transitions = ${appendTransition(`'queued'`)}
  WHERE j.state = 'scheduled' AND j.not_before <= $1::timestamptz
  RETURNING ${PREFIXED_COLUMNS}
), skipped AS (
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
  RETURNING ${PREFIXED_COLUMNS}
), unblocked AS (
  UPDATE jobs j SET state = CASE WHEN j.not_before > $1::timestamptz THEN 'scheduled' ELSE 'queued' END,
    updated_at = $1::timestamptz,
    transitions = ${appendTransition(`CASE WHEN j.not_before > $1::timestamptz THEN 'scheduled' ELSE 'queued' END`)}
  WHERE j.state = 'blocked' AND NOT EXISTS (
    SELECT 1 FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.depends_on
    WHERE d.job_id = j.id AND p.state IS DISTINCT FROM 'succeeded')
  RETURNING ${PREFIXED_COLUMNS}
)
SELECT *, 'queued' AS promotion FROM promoted
UNION ALL SELECT *, 'skipped' FROM skipped
UNION ALL SELECT *, 'queued' FROM unblocked`;

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
