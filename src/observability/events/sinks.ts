// Event sinks besides the store: a JSON-lines file (config `events.file`), and an in-memory
// EventStore for library users and tests that run without a database.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventQuery, EventStore, NewEvent, StoredEvent } from '../../store/store.js';
import { type EventSink, type HodeiEvent } from './types.js';


/** Appends each batch to a file as JSON lines (one append per batch). */
export class JsonLinesFileSink implements EventSink {
  readonly name = 'file';
  private ready: Promise<unknown> | undefined;
  constructor(private readonly path: string) {}

  async write(events: readonly HodeiEvent[]): Promise<void> {
    this.ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.ready;
    await appendFile(this.path, events.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
  }
}

/** EventStore in memory (bounded by the recorder's retention), with the store's query semantics. */
export class MemoryEventStore implements EventStore {
  private rows: StoredEvent[] = [];
  private nextId = 1;

  async insertEvents(rows: readonly NewEvent[]): Promise<void> {
    for (const r of rows) {
      this.rows.push({
        id: this.nextId++, timestamp: r.timestamp.toISOString(), eventType: r.eventType, provider: r.provider,
        workerId: r.workerId ?? null, jobId: r.jobId ?? null, namespace: r.namespace ?? null,
        durationMs: r.durationMs ?? null, success: r.success, details: r.details ?? {},
      });
    }
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    const since = q.since?.getTime();
    return this.rows
      .filter((e) => (!q.type || e.eventType === q.type) && (!q.workerId || e.workerId === q.workerId)
        && (!q.jobId || e.jobId === q.jobId) && (since === undefined || Date.parse(e.timestamp) >= since))
      .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : b.id - a.id))
      .slice(0, q.limit);
  }

  async pruneEvents(opts: { olderThan?: Date; keepMax?: number }): Promise<number> {
    const before = this.rows.length;
    const cutoff = opts.olderThan?.getTime();
    if (cutoff !== undefined) this.rows = this.rows.filter((e) => Date.parse(e.timestamp) >= cutoff);
    if (opts.keepMax !== undefined && this.rows.length > opts.keepMax) this.rows = this.rows.slice(this.rows.length - opts.keepMax);
    return before - this.rows.length;
  }
}
