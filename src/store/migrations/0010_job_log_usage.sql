-- The per-job log cap's counter in a narrow row of its own (issue 13). Each log batch used to
-- update jobs.log_bytes: a new version of the whole job row (spec, transitions) per batch, and a
-- lock on the row the job's own transitions need. The append now adds to job_log_usage in its
-- statement (INSERT … ON CONFLICT DO UPDATE locks this row, so concurrent appends still queue
-- behind each other and cannot overshoot the cap). jobs.log_bytes stays for replicas of the
-- previous version during an upgrade and is no longer written.
CREATE TABLE job_log_usage (
  job_id text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  bytes  bigint NOT NULL
);
INSERT INTO job_log_usage (job_id, bytes) SELECT id, log_bytes FROM jobs WHERE log_bytes > 0;
