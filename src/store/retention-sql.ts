// Retention and templates over the SqlEngine (between ScheduleSql and SqlStore in the class chain).
// Deletions are short statements of at most `limit` rows with SKIP LOCKED, so several replicas can
// sweep at once and queueing never waits behind a long delete.
import type { Row, SqlEngine } from './engine.js';
import type {
  DeleteJobResult, RetentionStore, SweepOptions, SweepResult, TemplateRecord, TemplateSpec, TemplateStore,
} from './retention-types.js';
import { iso, jsonObject, num, str } from './rows.js';
import { ScheduleSql } from './schedule-sql.js';

/** A blocked job waits on this one (its dependency): deleting it would skip the blocked job. */
const NEEDED = `EXISTS (SELECT 1 FROM job_dependencies d JOIN jobs c ON c.id = d.job_id WHERE d.depends_on = j.id AND c.state = 'blocked')`;

const SQL = {
  // $1 now, $2 succeeded cutoff, $3 other-finished cutoff, $4 limit
  sweep: `
WITH doomed AS (
  SELECT j.id, j.ttl_seconds IS NOT NULL AS by_ttl FROM jobs j
  WHERE j.finished_at IS NOT NULL AND (
      (j.ttl_seconds IS NOT NULL AND j.finished_at + j.ttl_seconds * interval '1 second' <= $1::timestamptz)
   OR (j.ttl_seconds IS NULL AND j.state = 'succeeded' AND j.finished_at < $2::timestamptz)
   OR (j.ttl_seconds IS NULL AND j.state <> 'succeeded' AND j.finished_at < $3::timestamptz))
    AND NOT ${NEEDED}
  LIMIT $4::integer
  FOR UPDATE SKIP LOCKED
), gone AS (DELETE FROM jobs WHERE id IN (SELECT id FROM doomed) RETURNING id)
SELECT count(*) FILTER (WHERE by_ttl) AS ttl, count(*) FILTER (WHERE NOT by_ttl) AS retention
FROM doomed WHERE id IN (SELECT id FROM gone)`,
  // $1 id
  deleteJob: `
WITH target AS (SELECT j.id, j.finished_at IS NOT NULL AS finished, ${NEEDED} AS needed FROM jobs j WHERE j.id = $1 FOR UPDATE),
gone AS (DELETE FROM jobs WHERE id IN (SELECT id FROM target WHERE finished AND NOT needed) RETURNING id)
SELECT (SELECT finished FROM target) AS finished, (SELECT needed FROM target) AS needed, EXISTS (SELECT 1 FROM gone) AS deleted`,
  // $1 before, $2 limit
  pruneKeys: `
WITH gone AS (DELETE FROM idempotency_keys WHERE key IN (
  SELECT key FROM idempotency_keys WHERE created_at < $1::timestamptz LIMIT $2::integer FOR UPDATE SKIP LOCKED) RETURNING 1)
SELECT count(*) AS n FROM gone`,
  pruneRuns: `
WITH gone AS (DELETE FROM schedule_runs WHERE (schedule, tick) IN (
  SELECT r.schedule, r.tick FROM schedule_runs r
  WHERE r.tick < $1::timestamptz AND r.tick < (SELECT max(l.tick) FROM schedule_runs l WHERE l.schedule = r.schedule)
  LIMIT $2::integer FOR UPDATE SKIP LOCKED) RETURNING 1)
SELECT count(*) AS n FROM gone`,
  footprint: `
SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM job_logs) AS job_logs,
  (SELECT count(*) FROM job_attempt_workers) AS job_attempt_workers, (SELECT count(*) FROM job_log_batches) AS job_log_batches,
  (SELECT count(*) FROM idempotency_keys) AS idempotency_keys, (SELECT count(*) FROM schedule_runs) AS schedule_runs,
  (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
   WHERE c.relkind = 'r' AND c.relname = ANY($1::text[]) AND c.relnamespace = 'public'::regnamespace) AS bytes`,
  // $1 name, $2 spec, $3 now: the next version of the name, in one statement.
  saveTemplate: `
INSERT INTO job_templates (name, version, spec, created_at)
SELECT $1, COALESCE(max(version), 0) + 1, $2::jsonb, $3::timestamptz FROM job_templates WHERE name = $1
RETURNING name, version, spec, created_at`,
  latestTemplate: `SELECT name, version, spec, created_at FROM job_templates WHERE name = $1 ORDER BY version DESC LIMIT 1`,
  templateVersion: `SELECT name, version, spec, created_at FROM job_templates WHERE name = $1 AND version = $2`,
  listTemplates: `SELECT DISTINCT ON (name) name, version, spec, created_at FROM job_templates ORDER BY name, version DESC`,
  templateVersions: `SELECT name, version, spec, created_at FROM job_templates WHERE name = $1 ORDER BY version DESC`,
  deleteTemplate: `DELETE FROM job_templates WHERE name = $1 RETURNING version`,
};

/** The tables whose size retention bounds. */
const SWEPT_TABLES = ['jobs', 'job_logs', 'job_log_batches', 'job_attempt_workers', 'job_dependencies', 'idempotency_keys', 'schedule_runs'];
const UNIQUE_VIOLATION = '23505';

export class RetentionSql extends ScheduleSql implements RetentionStore, TemplateStore {
  constructor(db: SqlEngine) {
    super(db);
  }

  async sweepFinishedJobs(o: SweepOptions): Promise<SweepResult> {
    const [row] = await this.db.query(SQL.sweep, [o.now.toISOString(), o.succeededBefore.toISOString(), o.failedBefore.toISOString(), o.limit]);
    return { ttl: row ? num(row, 'ttl') : 0, retention: row ? num(row, 'retention') : 0 };
  }

  async deleteJob(id: string): Promise<DeleteJobResult> {
    const [row] = await this.db.query(SQL.deleteJob, [id]);
    if (!row || row.finished === null || row.finished === undefined) return 'not_found';
    if (row.deleted === true) return 'deleted';
    return row.finished === true ? 'needed_by_blocked' : 'unfinished';
  }

  async pruneIdempotencyKeys(before: Date, limit: number): Promise<number> {
    const [row] = await this.db.query(SQL.pruneKeys, [before.toISOString(), limit]);
    return row ? num(row, 'n') : 0;
  }

  async pruneScheduleRuns(before: Date, limit: number): Promise<number> {
    const [row] = await this.db.query(SQL.pruneRuns, [before.toISOString(), limit]);
    return row ? num(row, 'n') : 0;
  }

  async reclaimSpace(): Promise<void> {
    // Plain VACUUM: marks dead rows' space reusable without locking out readers or writers.
    // PGlite has no autovacuum, and a sweep should not wait for PostgreSQL's.
    await this.db.exec(`VACUUM ${SWEPT_TABLES.join(', ')}`);
  }

  async storeFootprint(): Promise<{ rows: Record<string, number>; bytes: number }> {
    const [row] = await this.db.query(SQL.footprint, [SWEPT_TABLES]);
    const r = row ?? {};
    const rows = Object.fromEntries(['jobs', 'job_logs', 'job_attempt_workers', 'job_log_batches', 'idempotency_keys', 'schedule_runs'].map((t) => [t, num(r, t)]));
    return { rows, bytes: num(r, 'bytes') };
  }

  async saveTemplate(name: string, spec: TemplateSpec, now: Date): Promise<TemplateRecord> {
    // Two saves of one name at once compute the same next version; the loser tries again.
    for (let i = 0; ; i++) {
      try {
        const [row] = await this.db.query(SQL.saveTemplate, [name, JSON.stringify(spec), now.toISOString()]);
        if (!row) throw new Error('store: template insert returned no row');
        return toTemplate(row);
      } catch (err) {
        if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION || i >= 20) throw err;
      }
    }
  }

  async getTemplate(name: string, version?: number): Promise<TemplateRecord | null> {
    const [row] = version === undefined ? await this.db.query(SQL.latestTemplate, [name]) : await this.db.query(SQL.templateVersion, [name, version]);
    return row ? toTemplate(row) : null;
  }

  async listTemplates(): Promise<TemplateRecord[]> {
    return (await this.db.query(SQL.listTemplates)).map(toTemplate);
  }

  async templateVersions(name: string): Promise<TemplateRecord[]> {
    return (await this.db.query(SQL.templateVersions, [name])).map(toTemplate);
  }

  async deleteTemplate(name: string): Promise<boolean> {
    return (await this.db.query(SQL.deleteTemplate, [name])).length > 0;
  }
}

function toTemplate(r: Row): TemplateRecord {
  // The spec column is written only by saveTemplate from a validated TemplateSpec.
  const spec = jsonObject(r, 'spec') as unknown as TemplateSpec;
  return { name: str(r, 'name'), version: num(r, 'version'), ...spec, createdAt: iso(r, 'created_at') };
}
