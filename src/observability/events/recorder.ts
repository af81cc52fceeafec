// The event recorder: record() is synchronous and never blocks the caller — events are scrubbed,
// published to live subscribers at once, and written to the store (and any sinks) in batches on a
// short timer, so a burst costs one INSERT per batch. Retention (age and count) is enforced by a
// pruning timer. Buffer overflow drops the oldest events and counts them.
import { EventEmitter } from 'node:events';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { EventQuery, EventStore, NewEvent, StoredEvent } from '../../store/store.js';
import { scrubDetails, scrubString } from './scrub.js';
import {
  defaultSuccess, EVENT_TYPES, type EventSink, type EventSource, type EventType, type HodeiEvent, type RecordOptions,
} from './types.js';

export interface EventRetention {
  /** Events older than this are deleted. @defaultValue 7 days */
  maxAgeMs?: number;
  /** At most this many events are kept (newest win). @defaultValue 100000 */
  maxCount?: number;
  /** @defaultValue 60000 */
  pruneIntervalMs?: number;
}

export interface EventRecorderOptions {
  store: EventStore;
  /** Default `provider` of recorded events. */
  provider: string;
  logger?: Logger;
  sinks?: EventSink[];
  registry?: Registry;
  retention?: EventRetention;
  /** @defaultValue 200 */
  flushIntervalMs?: number;
  /** A batch this large is written at once instead of waiting for the timer. @defaultValue 500 */
  maxBatch?: number;
  /** Most events held while the store is slow or down. @defaultValue 10000 */
  maxBuffer?: number;
  /** Secret values known to the control plane (API token, database URL...), redacted wherever they appear. */
  secrets?: () => readonly string[];
  now?: () => Date;
}

interface Pending { event: HodeiEvent; row: NewEvent }

const DEFAULT_RETENTION = { maxAgeMs: 7 * 24 * 3600_000, maxCount: 100_000, pruneIntervalMs: 60_000 } as const;
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

function toHodeiEvent(e: StoredEvent): HodeiEvent {
  return {
    timestamp: e.timestamp, event_type: e.eventType, provider: e.provider, worker_id: e.workerId,
    namespace: e.namespace, duration_ms: e.durationMs, success: e.success, details: e.details,
  };
}

export class EventRecorder implements EventSource {
  private buffer: Pending[] = [];
  private readonly live = new EventEmitter<{ event: [HodeiEvent] }>();
  private readonly sinks: EventSink[];
  private readonly retention: Required<EventRetention>;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => Date;
  private readonly recorded?: Counter<'event_type'>;
  private readonly dropped?: Counter<'sink'>;
  private stopped = false;

  constructor(private readonly o: EventRecorderOptions) {
    this.sinks = [...(o.sinks ?? [])];
    this.retention = { ...DEFAULT_RETENTION, ...stripUndefined(o.retention ?? {}) };
    this.now = o.now ?? (() => new Date());
    this.live.setMaxListeners(0); // one listener per open follow stream
    if (o.registry) {
      this.recorded = new Counter({ name: 'hodei_events_recorded_total', help: 'Events recorded, by type.', labelNames: ['event_type'], registers: [o.registry] });
      this.dropped = new Counter({ name: 'hodei_events_dropped_total', help: 'Events a sink could not take (buffer full or write failed).', labelNames: ['sink'], registers: [o.registry] });
    }
  }

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Records an event; returns it exactly as it will be stored and served (scrubbed). */
  record<T extends EventType>(type: T, opts: RecordOptions<T> = {}): HodeiEvent {
    const secrets = [...(this.o.secrets?.() ?? []), ...(opts.secrets ?? [])];
    const clean = (s: string | null | undefined): string | null => (s ? scrubString(s, secrets) : null);
    const jobId = clean(opts.jobId);
    const details = scrubDetails({ ...(jobId ? { job_id: jobId } : {}), ...(opts.details ?? {}) }, secrets);
    const at = opts.timestamp ?? this.now();
    const durationMs = opts.durationMs === undefined || opts.durationMs === null || !Number.isFinite(opts.durationMs)
      ? null : Math.round(opts.durationMs * 1000) / 1000;
    const event: HodeiEvent = {
      timestamp: at.toISOString(), event_type: type, provider: opts.provider ?? this.o.provider,
      worker_id: clean(opts.workerId), namespace: clean(opts.namespace), duration_ms: durationMs,
      success: opts.success ?? defaultSuccess(type), details,
    };
    const row: NewEvent = {
      timestamp: at, eventType: type, provider: event.provider, workerId: event.worker_id, jobId,
      namespace: event.namespace, durationMs, success: event.success, details,
    };
    this.recorded?.inc({ event_type: KNOWN_TYPES.has(type) ? type : 'other' });
    if (this.buffer.length >= (this.o.maxBuffer ?? 10_000)) {
      this.buffer.shift();
      this.dropped?.inc({ sink: 'buffer' });
    }
    this.buffer.push({ event, row });
    this.live.emit('event', event);
    this.scheduleFlush();
    return event;
  }

  /** Live events as they are recorded (this replica only). Returns the unsubscribe function. */
  subscribe(fn: (e: HodeiEvent) => void): () => void {
    this.live.on('event', fn);
    return () => this.live.off('event', fn);
  }

  /** Writes everything recorded so far (to the store and every sink). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const next = this.flushing.then(() => this.writeBuffered());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  /** Matching events, newest first, in the spec's shape (pending ones are flushed first). */
  async query(q: EventQuery): Promise<HodeiEvent[]> {
    await this.flush();
    return (await this.o.store.queryEvents(q)).map(toHodeiEvent);
  }

  /** Applies the retention policy now; returns how many events were deleted. */
  async prune(): Promise<number> {
    const olderThan = new Date(this.now().getTime() - this.retention.maxAgeMs);
    return this.o.store.pruneEvents({ olderThan, keepMax: this.retention.maxCount });
  }

  start(): void {
    const tick = (): void => {
      void this.prune().catch((err: unknown) => this.o.logger?.warn({ err }, 'pruning events failed'));
    };
    tick();
    this.pruneTimer = setInterval(tick, this.retention.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    await this.flush();
    await Promise.allSettled(this.sinks.map((s) => s.close?.()));
  }

  private scheduleFlush(): void {
    if (this.buffer.length >= (this.o.maxBatch ?? 500)) {
      void this.flush();
      return;
    }
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => void this.flush(), this.o.flushIntervalMs ?? 200);
    this.flushTimer.unref();
  }

  private async writeBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, 1000);
      try {
        await this.o.store.insertEvents(batch.map((p) => p.row));
      } catch (err) {
        this.dropped?.inc({ sink: 'store' }, batch.length);
        this.o.logger?.warn({ err, count: batch.length }, 'storing events failed; batch dropped');
      }
      const events = batch.map((p) => p.event);
      await Promise.all(this.sinks.map(async (s) => {
        try {
          await s.write(events);
        } catch (err) {
          this.dropped?.inc({ sink: s.name }, events.length);
          this.o.logger?.warn({ err, sink: s.name, count: events.length }, 'event sink failed');
        }
      }));
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
