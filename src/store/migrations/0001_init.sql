-- Jobs, their logs, and workers. Timestamps are timestamptz; the application passes them in
-- (callers inject `now`), so replicas and tests agree on the clock they use.

CREATE TABLE jobs (
  id          text PRIMARY KEY,
  state       text NOT NULL CHECK (state IN ('queued', 'provisioning', 'assigned', 'running',
                'succeeded', 'failed', 'cancelled', 'timed_out')),
  -- The spec without secret values (secret names only); secrets live in their own column and
  -- are read by getJobSecrets alone, so no listing query can leak them by accident.
  spec        jsonb NOT NULL,
  secrets     jsonb NOT NULL DEFAULT '{}'::jsonb,
  labels      jsonb NOT NULL DEFAULT '{}'::jsonb,
  attempt     integer NOT NULL DEFAULT 1,
  worker_id   text,
  exit_code   integer,
  reason      text,
  message     text,
  not_before  timestamptz NOT NULL,
  -- Ordered array of {state, at, reason?}: appended by the same UPDATE that moves the state,
  -- so the history can never disagree with the state column.
  transitions jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  started_at  timestamptz,
  finished_at timestamptz
);

-- Claim path: queued jobs in FIFO order.
CREATE INDEX jobs_queued_idx ON jobs (created_at, id) WHERE state = 'queued';
-- Listing filtered by state, keyset-paginated by (created_at, id).
CREATE INDEX jobs_state_created_idx ON jobs (state, created_at, id);
CREATE INDEX jobs_created_idx ON jobs (created_at, id);
-- Label filters use `labels @> '{"k":"v"}'`.
CREATE INDEX jobs_labels_idx ON jobs USING gin (labels jsonb_path_ops);

CREATE TABLE job_logs (
  job_id  text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq     bigserial NOT NULL,
  attempt integer NOT NULL,
  stream  text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
  data    text NOT NULL,
  at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, seq)
);

CREATE TABLE workers (
  id                text PRIMARY KEY,
  provider_id       text NOT NULL,
  state             text NOT NULL CHECK (state IN ('provisioning', 'ready', 'busy', 'draining',
                      'terminated', 'failed')),
  job_id            text,
  ephemeral         boolean NOT NULL,
  handle            text,
  reason            text,
  -- sha256 hex of the one-time registration token; the token itself is never stored.
  token_hash        text NOT NULL UNIQUE,
  token_used_at     timestamptz,
  session_hash      text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  registered_at     timestamptz,
  last_heartbeat_at timestamptz
);

CREATE INDEX workers_state_idx ON workers (state);
