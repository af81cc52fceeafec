-- Queues, priorities, delayed and blocked jobs, idempotency keys and singleton keys (issue 17).
--
-- New job states: `scheduled` (runAt in the future), `blocked` (waiting on dependencies) and
-- `skipped` (a dependency failed). The inline CHECK of 0001 is named jobs_state_check.
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('scheduled', 'blocked', 'queued',
  'provisioning', 'assigned', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'skipped'));

ALTER TABLE jobs
  ADD COLUMN queue        text NOT NULL DEFAULT 'default',
  ADD COLUMN priority     integer NOT NULL DEFAULT 0,
  -- Claim order: the time the job became due minus priority × aging seconds, fixed at submit. A
  -- higher priority is worth that much waiting, so a low priority still runs once it has waited
  -- long enough (aging), FIFO within a priority, and the order never depends on the claim's clock.
  ADD COLUMN rank_at      timestamptz,
  -- Requests as numbers for queue quotas (CPU millicores, memory bytes, GPUs).
  ADD COLUMN cpu_m        bigint NOT NULL DEFAULT 0,
  ADD COLUMN memory_bytes bigint NOT NULL DEFAULT 0,
  ADD COLUMN gpus         integer NOT NULL DEFAULT 0,
  -- Singleton key: at most one unfinished job per key (the partial unique index below).
  ADD COLUMN singleton_key text;

UPDATE jobs SET rank_at = created_at;
ALTER TABLE jobs ALTER COLUMN rank_at SET NOT NULL;

DROP INDEX jobs_queued_idx;
CREATE INDEX jobs_claim_idx ON jobs (queue, rank_at, id) WHERE state = 'queued';
CREATE INDEX jobs_queue_active_idx ON jobs (queue) WHERE state IN ('provisioning', 'assigned', 'running');
CREATE INDEX jobs_waiting_idx ON jobs (state, not_before) WHERE state IN ('scheduled', 'blocked');
CREATE UNIQUE INDEX jobs_singleton_key_idx ON jobs (singleton_key)
  WHERE singleton_key IS NOT NULL AND state IN ('scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running');

-- Queue settings. A queue without a row has no limits and is not paused.
CREATE TABLE queues (
  name         text PRIMARY KEY,
  concurrency  integer CHECK (concurrency IS NULL OR concurrency >= 0),
  paused       boolean NOT NULL DEFAULT false,
  -- The quota as given ({cpu, memory, gpu}) and as numbers for the claim.
  quota        jsonb NOT NULL DEFAULT '{}'::jsonb,
  cpu_m        bigint,
  memory_bytes bigint,
  gpus         integer,
  paused_at    timestamptz,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- Dependencies: the job runs after every `depends_on` job succeeded.
CREATE TABLE job_dependencies (
  job_id     text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  depends_on text NOT NULL,
  PRIMARY KEY (job_id, depends_on)
);
CREATE INDEX job_dependencies_on_idx ON job_dependencies (depends_on);

-- Idempotency-Key of POST /v1/jobs: the key, a hash of the body it came with and the job it made.
-- Inserted in the same transaction as the job; a second request finds the row.
CREATE TABLE idempotency_keys (
  key        text PRIMARY KEY,
  body_hash  text NOT NULL,
  job_id     text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
