-- Worker pools (Kubernetes Deployment + HPA of long-lived workers). A pool's bootstrap token lets
-- any agent of the pool register as a new pooled worker; only its sha256 is stored, and deleting
-- the pool row revokes it. Workers record the pool they registered through.
CREATE TABLE pools (
  name        text PRIMARY KEY,
  provider_id text NOT NULL,
  spec        jsonb NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

ALTER TABLE workers ADD COLUMN pool text;
CREATE INDEX workers_pool_idx ON workers (pool, state) WHERE pool IS NOT NULL;
