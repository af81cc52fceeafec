-- Schedules (cron → jobs, Kubernetes CronJob semantics) and their runs. A run is one row per
-- (schedule, tick), inserted in the same transaction as its job: with several replicas the
-- second insert finds the row, so a tick fires exactly once.
CREATE TABLE schedules (
  name       text PRIMARY KEY,
  spec       jsonb NOT NULL,
  -- The latest tick handled (fired, missed or skipped); ticks after it are still to come.
  last_tick  timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE schedule_runs (
  schedule    text NOT NULL REFERENCES schedules (name) ON DELETE CASCADE,
  tick        timestamptz NOT NULL,
  -- triggered: a job was made; missed: the tick passed its starting deadline without a job.
  result      text NOT NULL CHECK (result IN ('triggered', 'missed')),
  job_id      text,
  reason      text,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (schedule, tick)
);
CREATE INDEX schedule_runs_recent_idx ON schedule_runs (schedule, tick DESC);
