// The worker gateway's refusals as security events: one `worker.rejected` event per refusal,
// carrying the reason, the worker and where the message was wrong — never its content.
import type { WorkerRejection } from '../../gateway/rejections.js';
import type { EventSource } from './types.js';

export function recordWorkerRejection(events: EventSource, r: WorkerRejection): void {
  events.record('worker.rejected', {
    workerId: r.workerId,
    ...(r.jobId !== undefined ? { jobId: r.jobId } : {}),
    details: {
      reason: r.reason, message_type: r.messageType, remote: r.remote,
      ...(r.field !== undefined ? { field: r.field } : {}),
      ...(r.rule !== undefined ? { rule: r.rule } : {}),
      ...(r.attempt !== undefined ? { attempt: r.attempt } : {}),
    },
  });
}
