// Schedules and their runs over the SqlEngine (between QueueSql and SqlStore in the class chain,
// because a run's job is submitted inside the run's own transaction).
import { ConflictError } from '../errors/errors.js';
import type { Row, SqlEngine } from './engine.js';
import { QueueSql } from './queue-sql.js';
import type { ScheduleRecord, ScheduleRun, ScheduleSpec, ScheduleStore } from './schedule-types.js';
import type { SubmitJob } from './queue-types.js';
import { iso, isoOrNull, jobState, jsonObject, num, str, strOrNull } from './rows.js';

const COLUMNS = 'name, spec, last_tick, created_at, updated_at';

const SQL = {
  insert: `INSERT INTO schedules (name, spec, last_tick, created_at, updated_at) VALUES ($1, $2::jsonb, $3::timestamptz, $3::timestamptz, $3::timestamptz)
    ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
  get: `SELECT ${COLUMNS} FROM schedules WHERE name = $1`,
  list: `SELECT ${COLUMNS} FROM schedules ORDER BY name`,
  update: `UPDATE schedules SET spec = $2::jsonb, updated_at = $3::timestamptz WHERE name = $1 RETURNING ${COLUMNS}`,
  delete: `DELETE FROM schedules WHERE name = $1 RETURNING name`,
  // $1 schedule, $2 tick, $3 result, $4 reason, $5 now
  insertRun: `INSERT INTO schedule_runs (schedule, tick, result, reason, recorded_at) VALUES ($1, $2::timestamptz, $3, $4, $5::timestamptz)
    ON CONFLICT DO NOTHING RETURNING tick`,
  setRunJob: `UPDATE schedule_runs SET job_id = $3 WHERE schedule = $1 AND tick = $2::timestamptz`,
  advance: `UPDATE schedules SET last_tick = GREATEST(last_tick, $2::timestamptz) WHERE name = $1`,
  runs: `SELECT r.schedule, r.tick, r.result, r.job_id, r.reason, r.recorded_at, j.state AS job_state
    FROM schedule_runs r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.schedule = $1 ORDER BY r.tick DESC LIMIT $2`,
  // $1 labels, $2 keep succeeded, $3 keep other finished
  prune: `WITH ranked AS (
      SELECT id, state, row_number() OVER (PARTITION BY state = 'succeeded' ORDER BY finished_at DESC, id DESC) AS rn
      FROM jobs WHERE labels @> $1::jsonb AND finished_at IS NOT NULL),
    deleted AS (DELETE FROM jobs WHERE id IN (SELECT id FROM ranked WHERE (state = 'succeeded' AND rn > $2) OR (state <> 'succeeded' AND rn > $3)) RETURNING 1)
    SELECT count(*) AS n FROM deleted`,
};

export class ScheduleSql extends QueueSql implements ScheduleStore {
  constructor(db: SqlEngine) {
    super(db);
  }

  async createSchedule(name: string, spec: ScheduleSpec, now: Date): Promise<ScheduleRecord> {
    const [row] = await this.db.query(SQL.insert, [name, JSON.stringify(spec), now.toISOString()]);
    if (!row) throw new ConflictError(`schedule '${name}' already exists`, { name });
    return toSchedule(row);
  }

  async getSchedule(name: string): Promise<ScheduleRecord | null> {
    const [row] = await this.db.query(SQL.get, [name]);
    return row ? toSchedule(row) : null;
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return (await this.db.query(SQL.list)).map(toSchedule);
  }

  async updateSchedule(name: string, spec: ScheduleSpec, now: Date): Promise<ScheduleRecord | null> {
    const [row] = await this.db.query(SQL.update, [name, JSON.stringify(spec), now.toISOString()]);
    return row ? toSchedule(row) : null;
  }

  async deleteSchedule(name: string): Promise<boolean> {
    return (await this.db.query(SQL.delete, [name])).length > 0;
  }

  async recordScheduleRun(name: string, tick: Date, run: { job: SubmitJob } | { missedReason: string }, now: Date):
    Promise<{ recorded: boolean; jobId: string | null }> {
    return this.db.transaction(async (tx) => {
      const missed = 'missedReason' in run;
      const inserted = await tx.query(SQL.insertRun, [name, tick.toISOString(), missed ? 'missed' : 'triggered', missed ? run.missedReason : null, now.toISOString()]);
      if (inserted.length === 0) return { recorded: false, jobId: null };
      let jobId: string | null = null;
      if (!missed) {
        const r = await this.submitIn(tx, run.job);
        jobId = 'job' in r ? r.job.id : null;
        await tx.query(SQL.setRunJob, [name, tick.toISOString(), jobId]);
      }
      await tx.query(SQL.advance, [name, tick.toISOString()]);
      return { recorded: true, jobId };
    });
  }

  async scheduleRuns(name: string, limit: number): Promise<ScheduleRun[]> {
    return (await this.db.query(SQL.runs, [name, limit])).map(toRun);
  }

  async pruneFinishedJobs(labels: Record<string, string>, keepSucceeded: number, keepFailed: number): Promise<number> {
    const [row] = await this.db.query(SQL.prune, [JSON.stringify(labels), keepSucceeded, keepFailed]);
    return row ? num(row, 'n') : 0;
  }
}

function toSchedule(r: Row): ScheduleRecord {
  return {
    name: str(r, 'name'), spec: jsonObject(r, 'spec') as unknown as ScheduleSpec, lastTick: iso(r, 'last_tick'),
    createdAt: iso(r, 'created_at'), updatedAt: iso(r, 'updated_at'),
  };
}

function toRun(r: Row): ScheduleRun {
  return {
    schedule: str(r, 'schedule'), tick: iso(r, 'tick'), result: str(r, 'result') === 'missed' ? 'missed' : 'triggered',
    jobId: strOrNull(r, 'job_id'), jobState: r.job_state === null || r.job_state === undefined ? null : jobState(r, 'job_state'),
    reason: strOrNull(r, 'reason'), recordedAt: isoOrNull(r, 'recorded_at') ?? '',
  };
}
