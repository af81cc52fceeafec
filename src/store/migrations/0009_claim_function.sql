-- The claim in one round trip (issue 13). Before, a claim on PostgreSQL was four: BEGIN, the
-- advisory lock, the claim, COMMIT, because the claim must read the queues' active counts after
-- every earlier claim committed, and a single statement's snapshot is taken before any lock it
-- waits for. In a PL/pgSQL function each statement takes a fresh snapshot (READ COMMITTED), so
-- taking the lock first and then running the claim inside one call keeps that guarantee; the lock
-- is released when the call's transaction commits. PL/pgSQL also keeps the claim's plan prepared
-- for the connection's lifetime.
--
-- p_workers NULL: up to p_limit jobs go queued → provisioning (a new worker will be started for
-- each). p_workers given: at most one job per worker of that list that is still ready and idle,
-- each going queued → provisioning → assigned to its worker (recorded as the attempt's holder),
-- and the worker → busy with it, all in this call. Rules of the claim: see CLAIM_JOBS in
-- src/store/queue-queries.ts (pause, concurrency, quota, delays, dependencies, rank order).
CREATE FUNCTION hodei_claim_jobs(p_now timestamptz, p_limit integer, p_provisioning jsonb, p_assigned jsonb,
  p_without_image boolean, p_workers text[]) RETURNS SETOF jobs LANGUAGE plpgsql AS $$
DECLARE
  v_workers text[];
  v_limit integer := p_limit;
BEGIN
  PERFORM pg_advisory_xact_lock(1752132961);
  IF p_workers IS NOT NULL THEN
    SELECT array_agg(w.id ORDER BY w.id) INTO v_workers FROM (
      SELECT id FROM workers WHERE id = ANY (p_workers) AND state = 'ready' AND job_id IS NULL
      ORDER BY id FOR UPDATE
    ) w;
    v_limit := LEAST(v_limit, COALESCE(array_length(v_workers, 1), 0));
  END IF;
  IF v_limit < 1 THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH active AS (
    SELECT queue, count(*) AS n, sum(cpu_m) AS cpu, sum(memory_bytes) AS mem, sum(gpus) AS gpu
    FROM jobs WHERE state IN ('provisioning', 'assigned', 'running') GROUP BY queue
  ), open AS (
    SELECT w.queue, q.concurrency, q.cpu_m AS cpu_quota, q.memory_bytes AS mem_quota, q.gpus AS gpu_quota,
      COALESCE(a.n, 0) AS n, COALESCE(a.cpu, 0) AS cpu, COALESCE(a.mem, 0) AS mem, COALESCE(a.gpu, 0) AS gpu
    FROM (SELECT DISTINCT j.queue FROM jobs j WHERE j.state = 'queued' AND j.not_before <= p_now) w
    LEFT JOIN queues q ON q.name = w.queue
    LEFT JOIN active a ON a.queue = w.queue
    WHERE NOT COALESCE(q.paused, false) AND (q.concurrency IS NULL OR COALESCE(a.n, 0) < q.concurrency)
  ), candidates AS (
    SELECT c.id, row_number() OVER (ORDER BY c.rank_at, c.id) AS k FROM open o CROSS JOIN LATERAL (
      SELECT j.id, j.rank_at, sum(j.cpu_m) OVER w AS cpu, sum(j.memory_bytes) OVER w AS mem, sum(j.gpus) OVER w AS gpu
      FROM jobs j
      WHERE j.queue = o.queue AND j.state = 'queued' AND j.not_before <= p_now
        AND NOT (p_without_image AND j.spec ? 'image')
        AND NOT EXISTS (SELECT 1 FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.depends_on
                        WHERE d.job_id = j.id AND p.state IS DISTINCT FROM 'succeeded')
      WINDOW w AS (ORDER BY j.rank_at, j.id)
      ORDER BY j.rank_at, j.id
      LIMIT LEAST(v_limit, COALESCE(o.concurrency - o.n, v_limit))
    ) c
    WHERE (o.cpu_quota IS NULL OR o.cpu + c.cpu <= o.cpu_quota)
      AND (o.mem_quota IS NULL OR o.mem + c.mem <= o.mem_quota)
      AND (o.gpu_quota IS NULL OR o.gpu + c.gpu <= o.gpu_quota)
    ORDER BY c.rank_at, c.id
    LIMIT v_limit
  ), moved AS (
    UPDATE jobs j SET
      state = CASE WHEN v_workers IS NULL THEN 'provisioning' ELSE 'assigned' END,
      worker_id = CASE WHEN v_workers IS NULL THEN j.worker_id ELSE v_workers[c.k::integer] END,
      updated_at = p_now,
      transitions = j.transitions || p_provisioning || CASE WHEN v_workers IS NULL THEN '[]'::jsonb ELSE p_assigned END
    FROM candidates c
    WHERE j.id = c.id AND j.state = 'queued'
    RETURNING j.*
  ), busy AS (
    UPDATE workers w SET state = 'busy', job_id = m.id, updated_at = p_now
    FROM moved m WHERE v_workers IS NOT NULL AND w.id = m.worker_id
  ), holder AS (
    INSERT INTO job_attempt_workers (job_id, attempt, worker_id, assigned_at)
    SELECT m.id, m.attempt, m.worker_id, p_now FROM moved m WHERE v_workers IS NOT NULL
    ON CONFLICT (job_id, attempt) DO UPDATE SET worker_id = EXCLUDED.worker_id, assigned_at = EXCLUDED.assigned_at
  )
  SELECT * FROM moved;
END
$$;
