-- Log batches already stored, by the agent's per-attempt batch number. An agent resends batches
-- that were not acknowledged when a connection dropped (e.g. a control-plane crash right after
-- the store wrote them); this table makes the second write a no-op, on any replica.
CREATE TABLE job_log_batches (
  job_id    text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt   integer NOT NULL,
  batch_seq integer NOT NULL,
  PRIMARY KEY (job_id, attempt, batch_seq)
);
