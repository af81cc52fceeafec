-- Recorded platform events (worker.created, hpa.scale_up, ...), queried by /v1/events.
CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  "timestamp" timestamptz NOT NULL,
  event_type  text NOT NULL,
  provider    text NOT NULL,
  worker_id   text,
  job_id      text,
  namespace   text,
  duration_ms double precision,
  success     boolean NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX events_type_time_idx ON events (event_type, "timestamp");
CREATE INDEX events_time_idx ON events ("timestamp");
