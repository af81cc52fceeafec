-- Retention (issue 17): finished jobs are deleted with their logs after the server's retention
-- (succeeded / failed) or their own ttlSecondsAfterFinished; logs are capped per job.
ALTER TABLE jobs
  -- The job's ttlSecondsAfterFinished; NULL: the server's retention for its final state applies.
  ADD COLUMN ttl_seconds integer CHECK (ttl_seconds IS NULL OR ttl_seconds >= 0),
  -- Bytes of output the job produced (stored or not): the per-job log cap is checked against it
  -- in the statement that appends, which locks this row, so concurrent appends cannot overshoot.
  ADD COLUMN log_bytes bigint NOT NULL DEFAULT 0;

-- The sweep: finished jobs by final state and end time, and jobs with their own ttl.
CREATE INDEX jobs_finished_idx ON jobs (state, finished_at) WHERE finished_at IS NOT NULL AND ttl_seconds IS NULL;
CREATE INDEX jobs_ttl_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL AND ttl_seconds IS NOT NULL;
-- Old schedule runs are pruned by tick.
CREATE INDEX schedule_runs_tick_idx ON schedule_runs (tick);

-- Job templates: every save of a name is a new version; old versions stay readable.
CREATE TABLE job_templates (
  name       text NOT NULL,
  version    integer NOT NULL CHECK (version >= 1),
  -- {job, parameters, description}: the job with {{param}} placeholders and the parameters.
  spec       jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (name, version)
);
