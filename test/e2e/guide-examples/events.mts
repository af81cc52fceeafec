// Guide § "Event Recording" / "Event Structure": record a worker.created event and print it in the
// guide's JSON shape. The store is the caller's (here an in-memory one); the control plane uses its
// database.
import { EVENT_TYPES, EventRecorder, type EventStore, type HodeiEvent, type StoredEvent } from 'hodei';

const rows: StoredEvent[] = [];
const store: EventStore = {
  async insertEvents(batch) {
    for (const r of batch) {
      rows.push({
        id: rows.length + 1, timestamp: r.timestamp.toISOString(), eventType: r.eventType, provider: r.provider,
        workerId: r.workerId ?? null, jobId: r.jobId ?? null, namespace: r.namespace ?? null,
        durationMs: r.durationMs ?? null, success: r.success, details: r.details ?? {},
      });
    }
  },
  async queryEvents() { return [...rows].reverse(); },
  async pruneEvents() { return 0; },
};

const recorder = new EventRecorder({ store, provider: 'kubernetes' });
const seen: HodeiEvent[] = [];
recorder.subscribe((e) => seen.push(e));

const event = recorder.record('worker.created', {
  workerId: 'worker-123',
  namespace: 'hodei-jobs-workers',
  durationMs: 1500,
  details: { image: 'alpine:latest', cpu_request: '100m', memory_request: '128Mi' },
});
console.log(JSON.stringify(event, null, 2));
await recorder.stop();
console.log(`types: ${EVENT_TYPES.join(' ')}`);
console.log(`stored: ${rows.length}, live: ${seen.length}`);
