// The hot queries, one constant each. Every write is a single statement, so each store method is
// atomic without an explicit transaction. Timestamps are passed as ISO strings and cast, which
// behaves the same on both drivers. `secrets` is deliberately absent from JOB_COLUMNS.

export const JOB_COLUMNS = `id, state, spec, attempt, worker_id, exit_code, reason, message, not_before,
  transitions, created_at, updated_at, started_at, finished_at`;

const WORKER_COLUMNS = `id, provider_id, state, job_id, ephemeral, handle, reason, created_at,
  updated_at, registered_at, last_heartbeat_at, pool`;

export const GET_JOB = `SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`;

export const GET_JOB_SECRETS = `SELECT secrets FROM jobs WHERE id = $1`;

/**
 * Tells the other replicas that a job became claimable (their schedulers LISTEN on hodei_jobs);
 * the payload is the sender's replica id, so a replica ignores its own. Sent when the statement's
 * transaction commits. An expression (a count), to sit in a CASE: evaluated once, when needed.
 */
export const NOTIFY_JOBS = (sender: string): string => `(SELECT count(*) FROM (SELECT pg_notify('hodei_jobs', ${sender}::text)) n)`;

// A worker done with job $1 (set $2 = its id): a pooled one busy with it becomes ready without a
// job, an ephemeral one drains (it exits). $3 now. Used inside TRANSITION_JOB and on its own.
const releaseWorker = (job: string, worker: string, now: string): string => `
UPDATE workers w SET
  state      = CASE WHEN w.ephemeral THEN 'draining' ELSE 'ready' END,
  job_id     = CASE WHEN w.ephemeral THEN w.job_id ELSE NULL END,
  updated_at = ${now}::timestamptz
WHERE w.id = ${worker}::text AND w.job_id = ${job} AND (w.state = 'busy' OR (w.ephemeral AND w.state = 'ready'))`;

/**
 * Compare-and-set. $1 id, $2 allowed source states, $3 required attempt (or null), $4 target
 * state, $5 now, $6 transition to append (jsonb array of one), $7 patch (jsonb: a key that is
 * present is applied, even when null), $8 whether $4 is terminal, $9 the worker that must hold
 * the job (or null), $10 whether that worker is done with the job (see releaseWorker), applied
 * only when the job moved. A patch that hands the job to a worker also records that worker as the
 * holder of this attempt (job_attempt_workers). A job back in \`queued\` is announced to other
 * replicas (NOTIFY hodei_jobs, payload $11: this replica's id). All in the same statement.
 */
export const TRANSITION_JOB = `
WITH moved AS (
UPDATE jobs SET
  state       = $4,
  updated_at  = $5::timestamptz,
  transitions = transitions || $6::jsonb,
  worker_id   = CASE WHEN $7::jsonb ? 'workerId' THEN $7::jsonb ->> 'workerId' ELSE worker_id END,
  exit_code   = CASE WHEN $7::jsonb ? 'exitCode' THEN ($7::jsonb ->> 'exitCode')::integer ELSE exit_code END,
  reason      = CASE WHEN $7::jsonb ? 'reason' THEN $7::jsonb ->> 'reason' ELSE reason END,
  message     = CASE WHEN $7::jsonb ? 'message' THEN $7::jsonb ->> 'message' ELSE message END,
  not_before  = COALESCE(($7::jsonb ->> 'notBefore')::timestamptz, not_before),
  attempt     = attempt + CASE WHEN ($7::jsonb ->> 'incrementAttempt')::boolean THEN 1 ELSE 0 END,
  started_at  = CASE WHEN $4 = 'running' THEN $5::timestamptz ELSE started_at END,
  finished_at = CASE WHEN $8::boolean THEN $5::timestamptz ELSE finished_at END
WHERE id = $1 AND state = ANY($2::text[]) AND ($3::integer IS NULL OR attempt = $3::integer)
  AND ($9::text IS NULL OR worker_id = $9::text)
RETURNING ${JOB_COLUMNS}),
holder AS (
  INSERT INTO job_attempt_workers (job_id, attempt, worker_id, assigned_at)
  SELECT id, attempt, worker_id, $5::timestamptz FROM moved WHERE worker_id IS NOT NULL AND $7::jsonb ? 'workerId'
  ON CONFLICT (job_id, attempt) DO UPDATE SET worker_id = EXCLUDED.worker_id, assigned_at = EXCLUDED.assigned_at
),
released AS (${releaseWorker('(SELECT id FROM moved)', '$9', '$5')} AND $10::boolean
  RETURNING 1
)
SELECT moved.*, (SELECT count(*) FROM released) AS released,
  CASE WHEN moved.state = 'queued' THEN ${NOTIFY_JOBS('$11')} END AS notified
FROM moved`;

// $1 job, $2 worker, $3 now: releaseWorker on its own (a resent result of an attempt already ended).
export const RELEASE_WORKER = `${releaseWorker('$1', '$2', '$3')}
RETURNING w.id`;

// $1 states (or null), $2 labels subset, $3/$4 cursor position (or null), $5 limit.
const listJobs = (cmp: '>' | '<', dir: 'ASC' | 'DESC'): string => `
SELECT ${JOB_COLUMNS} FROM jobs
WHERE ($1::text[] IS NULL OR state = ANY($1::text[]))
  AND labels @> $2::jsonb
  AND ($3::timestamptz IS NULL OR (created_at, id) ${cmp} ($3::timestamptz, $4::text))
ORDER BY created_at ${dir}, id ${dir}
LIMIT $5`;
export const LIST_JOBS_ASC = listJobs('>', 'ASC');
export const LIST_JOBS_DESC = listJobs('<', 'DESC');

export const JOBS_IN_STATES = `SELECT ${JOB_COLUMNS} FROM jobs WHERE state = ANY($1::text[]) ORDER BY created_at, id`;

export const COUNT_JOBS_BY_STATE = `SELECT state, count(*) AS n FROM jobs GROUP BY state`;

// $1 job, $2 attempt, $3 entries (jsonb array of {stream, data}); seq follows array order.
// $4 the agent's batch number or NULL: a batch number already recorded inserts nothing, in the
// same statement, so a resent batch is never stored twice even by two replicas at once.
// $5 the sending worker or NULL: when given, nothing is written unless job_attempt_workers says
// this worker holds ($1, $2). $6 the job's log cap in bytes or NULL: the job's job_log_usage row
// (locked by this upsert, so concurrent appends queue behind it; the job row itself is neither
// read nor written, the foreign key aside) decides which entries still fit;
// the batch that crosses the cap also stores one system line saying so. Answers whether the
// sender held the attempt (owned), whether the job row exists (found) and how many were stored.
export const APPEND_LOGS = `
WITH owner AS (
  SELECT 1 FROM job_attempt_workers WHERE job_id = $1 AND attempt = $2 AND worker_id = $5::text
),
allowed AS (SELECT $5::text IS NULL OR EXISTS (SELECT 1 FROM owner) AS ok),
batch AS (
  INSERT INTO job_log_batches (job_id, attempt, batch_seq)
  SELECT $1, $2, $4::integer FROM allowed WHERE ok AND $4::integer IS NOT NULL
  ON CONFLICT DO NOTHING
  RETURNING 1
),
entries AS (
  SELECT e.entry ->> 'stream' AS stream, e.entry ->> 'data' AS data, e.ord,
    sum(octet_length(e.entry ->> 'data')) OVER (ORDER BY e.ord) AS upto
  FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(entry, ord)
  WHERE (SELECT ok FROM allowed) AND ($4::integer IS NULL OR EXISTS (SELECT 1 FROM batch))
),
total AS (SELECT COALESCE(max(upto), 0) AS n FROM entries),
budget AS (
  INSERT INTO job_log_usage AS u (job_id, bytes)
  SELECT $1, n FROM total WHERE EXISTS (SELECT 1 FROM entries)
  ON CONFLICT (job_id) DO UPDATE SET bytes = u.bytes + EXCLUDED.bytes
  RETURNING u.bytes - (SELECT n FROM total) AS before
),
stored AS (
  INSERT INTO job_logs (job_id, attempt, stream, data)
  SELECT $1, $2, x.stream, x.data FROM (
    SELECT e.stream, e.data, e.ord FROM entries e, budget b
    WHERE $6::bigint IS NULL OR b.before + e.upto <= $6::bigint
    UNION ALL
    SELECT 'system', 'hodei: log capped at ' || $6::bigint || ' bytes for this job; later output is not stored' || chr(10), 2147483647
    FROM budget b, total t
    WHERE $6::bigint IS NOT NULL AND b.before <= $6::bigint AND b.before + t.n > $6::bigint
  ) x
  ORDER BY x.ord
  RETURNING 1
)
SELECT (SELECT ok FROM allowed) AS owned, EXISTS (SELECT 1 FROM budget) OR NOT EXISTS (SELECT 1 FROM entries) AS found,
  (SELECT count(*) FROM stored) AS stored`;

export const READ_LOGS = `
SELECT seq, attempt, stream, data, at FROM job_logs
WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`;

// $1 id, $2 provider, $3 job, $4 ephemeral, $5 token hash, $6 created_at, $7 pool (or null)
export const INSERT_WORKER = `
INSERT INTO workers (id, provider_id, state, job_id, ephemeral, token_hash, created_at, updated_at, pool)
VALUES ($1, $2, 'provisioning', $3, $4, $5, $6::timestamptz, $6::timestamptz, $7)
RETURNING ${WORKER_COLUMNS}`;

export const GET_WORKER = `SELECT ${WORKER_COLUMNS} FROM workers WHERE id = $1`;

// $1 worker: the worker and, when it holds one, its job (as jsonb, without secrets) and that job's
// secret values: what a worker asking for work needs, in one read.
export const WORKER_ASSIGNMENT = `
SELECT ${WORKER_COLUMNS.split(',').map((c) => `w.${c.trim()}`).join(', ')}, to_jsonb(j) - 'secrets' AS job, j.secrets AS job_secrets
FROM workers w LEFT JOIN jobs j ON j.id = w.job_id
WHERE w.id = $1`;

// $1 states (or null), $2 provider (or null)
export const LIST_WORKERS = `
SELECT ${WORKER_COLUMNS} FROM workers
WHERE ($1::text[] IS NULL OR state = ANY($1::text[])) AND ($2::text IS NULL OR provider_id = $2::text)
ORDER BY created_at, id`;

// SET list of a worker patch (a jsonb object: keys present are applied) at time `now`.
const workerPatch = (patch: string, now: string): string => `
  updated_at        = ${now}::timestamptz,
  job_id            = CASE WHEN ${patch}::jsonb ? 'jobId' THEN ${patch}::jsonb ->> 'jobId' ELSE job_id END,
  handle            = CASE WHEN ${patch}::jsonb ? 'handle' THEN ${patch}::jsonb ->> 'handle' ELSE handle END,
  reason            = CASE WHEN ${patch}::jsonb ? 'reason' THEN ${patch}::jsonb ->> 'reason' ELSE reason END,
  registered_at     = COALESCE((${patch}::jsonb ->> 'registeredAt')::timestamptz, registered_at),
  last_heartbeat_at = COALESCE((${patch}::jsonb ->> 'lastHeartbeatAt')::timestamptz, last_heartbeat_at),
  session_hash      = COALESCE(${patch}::jsonb ->> 'sessionHash', session_hash)`;

// $1 id, $2 patch, $3 now
export const UPDATE_WORKER = `
UPDATE workers SET ${workerPatch('$2', '$3')}
WHERE id = $1
RETURNING ${WORKER_COLUMNS}`;

// $1 id, $2 allowed source states, $3 target state, $4 patch, $5 now
export const TRANSITION_WORKER = `
UPDATE workers SET state = $3, ${workerPatch('$4', '$5')}
WHERE id = $1 AND state = ANY($2::text[])
RETURNING ${WORKER_COLUMNS}`;

/** A token works once, and never for a worker that already ended. $1 token hash, $2 now. */
export const CONSUME_WORKER_TOKEN = `
UPDATE workers SET token_used_at = $2::timestamptz, updated_at = $2::timestamptz
WHERE token_hash = $1 AND token_used_at IS NULL AND state NOT IN ('terminated', 'failed')
RETURNING ${WORKER_COLUMNS}`;

/**
 * Registration in one statement: the token consumed, the worker ready with its session. Two
 * statements left a token consumed and its worker never registered when the database connection
 * dropped between them: the agent's retry was refused and its job lost. $1 token hash, $2 now,
 * $3 session hash.
 */
export const REGISTER_WORKER = `
UPDATE workers SET token_used_at = $2::timestamptz, updated_at = $2::timestamptz, state = 'ready',
  registered_at = $2::timestamptz, last_heartbeat_at = $2::timestamptz, session_hash = $3
WHERE token_hash = $1 AND token_used_at IS NULL AND state = 'provisioning'
RETURNING ${WORKER_COLUMNS}`;

export const FIND_WORKER_BY_SESSION = `
SELECT ${WORKER_COLUMNS} FROM workers WHERE id = $1 AND session_hash = $2`;

/** Does worker $1 hold attempt $3 of job $2, and does it hold any attempt of that job? */
export const ATTEMPT_HOLDER = `
SELECT
  EXISTS (SELECT 1 FROM job_attempt_workers WHERE worker_id = $1 AND job_id = $2 AND attempt = $3::integer) AS holds,
  EXISTS (SELECT 1 FROM job_attempt_workers WHERE worker_id = $1 AND job_id = $2) AS holds_other`;

// ── pools ───────────────────────────────────────────────────────────────────────────────────

const POOL_COLUMNS = 'name, provider_id, spec, created_at, updated_at';

// $1 name, $2 provider, $3 spec, $4 token hash, $5 created_at
export const INSERT_POOL = `
INSERT INTO pools (name, provider_id, spec, token_hash, created_at, updated_at)
VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz, $5::timestamptz)
RETURNING ${POOL_COLUMNS}`;

export const GET_POOL = `SELECT ${POOL_COLUMNS} FROM pools WHERE name = $1`;
export const LIST_POOLS = `SELECT ${POOL_COLUMNS} FROM pools ORDER BY name`;
export const GET_POOL_BY_TOKEN = `SELECT ${POOL_COLUMNS} FROM pools WHERE token_hash = $1`;

// $1 name, $2 spec, $3 now
export const UPDATE_POOL = `
UPDATE pools SET spec = $2::jsonb, updated_at = $3::timestamptz WHERE name = $1
RETURNING ${POOL_COLUMNS}`;

/** A new bootstrap token (the old one is refused from now on). $1 name, $2 token hash, $3 now. */
export const SET_POOL_TOKEN = `
UPDATE pools SET token_hash = $2, updated_at = $3::timestamptz WHERE name = $1
RETURNING ${POOL_COLUMNS}`;

export const DELETE_POOL = `DELETE FROM pools WHERE name = $1 RETURNING name`;

// $1 pool, $2 states
export const COUNT_POOL_WORKERS = `SELECT count(*) AS n FROM workers WHERE pool = $1 AND state = ANY($2::text[])`;

// ── events ──────────────────────────────────────────────────────────────────────────────────

// $1 jsonb array of NewEvent (timestamps as ISO strings), inserted in array order.
export const INSERT_EVENTS = `
INSERT INTO events ("timestamp", event_type, provider, worker_id, job_id, namespace, duration_ms, success, details)
SELECT (e ->> 'timestamp')::timestamptz, e ->> 'eventType', e ->> 'provider', e ->> 'workerId', e ->> 'jobId',
  e ->> 'namespace', (e ->> 'durationMs')::double precision, (e ->> 'success')::boolean, COALESCE(e -> 'details', '{}')
FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord)
ORDER BY x.ord`;

// $1 type, $2 worker, $3 job, $4 since (each may be null), $5 limit
export const QUERY_EVENTS = `
SELECT id, "timestamp", event_type, provider, worker_id, job_id, namespace, duration_ms, success, details
FROM events
WHERE ($1::text IS NULL OR event_type = $1::text) AND ($2::text IS NULL OR worker_id = $2::text)
  AND ($3::text IS NULL OR job_id = $3::text) AND ($4::timestamptz IS NULL OR "timestamp" >= $4::timestamptz)
ORDER BY "timestamp" DESC, id DESC
LIMIT $5`;

// $1 older-than (or null), $2 keep-max (or null). One statement, so it is atomic. The explicit
// null check matters: OFFSET NULL means OFFSET 0, which would delete everything.
export const PRUNE_EVENTS = `
WITH deleted AS (
  DELETE FROM events
  WHERE "timestamp" < $1::timestamptz
     OR ($2::integer IS NOT NULL AND id <= (SELECT id FROM events ORDER BY id DESC OFFSET $2::integer LIMIT 1))
  RETURNING 1)
SELECT count(*) AS n FROM deleted`;
