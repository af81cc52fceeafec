-- Which worker each job attempt was handed to. The gateway accepts a resume, a log batch, a start
-- or a result only for an attempt recorded here for the sending worker (checked inside the write
-- itself), so a worker with a valid session cannot touch another worker's job. Past attempts keep
-- their row: a result or batch resent by their own worker after the job moved on is a harmless
-- duplicate, not an attack. Written by the same statement that assigns the job (TRANSITION_JOB).
CREATE TABLE job_attempt_workers (
  job_id      text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt     integer NOT NULL,
  worker_id   text NOT NULL,
  assigned_at timestamptz NOT NULL,
  PRIMARY KEY (job_id, attempt)
);
CREATE INDEX job_attempt_workers_worker_idx ON job_attempt_workers (worker_id, job_id);

-- Attempts held when this migration runs (an upgrade with jobs in flight) keep their worker.
INSERT INTO job_attempt_workers (job_id, attempt, worker_id, assigned_at)
SELECT id, attempt, worker_id, updated_at FROM jobs WHERE worker_id IS NOT NULL;
