// What the gateway refuses, as a bounded vocabulary: every refusal is answered to the worker,
// logged (reason, worker, message type, field — never the message itself), and handed to the
// `onRejected` listener, which records a `worker.rejected` event and counts
// hodei_worker_protocol_rejections_total{reason}.

/** Every reason a worker message or frame is refused (the metric's label values). */
export const REJECTION_REASONS = [
  /** Not JSON, unknown type, a field of the wrong type or range, NUL or a lone surrogate in a string. */
  'invalid_message',
  /** A binary frame, invalid UTF-8 in a text frame, or any other WebSocket-level violation. */
  'invalid_frame',
  /** Larger than the gateway's maxPayload; the connection is closed (1009). */
  'oversized_frame',
  'unsupported_protocol',
  /** An unknown or already used (replayed) registration token. */
  'token_invalid',
  /** A resume whose session token does not match the worker it names. */
  'session_invalid',
  /** A job message before register/resume. */
  'not_registered',
  /** A second register/resume on a connection that already has a worker. */
  'already_registered',
  /** A resume, start, log batch or result for a job no attempt of which the store assigned to this worker. */
  'foreign_job',
  /** The same, for an attempt of a job the worker holds (or held) other attempts of. */
  'wrong_attempt',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface WorkerRejection {
  reason: RejectionReason;
  /** The authenticated worker, or the one a refused resume claimed to be; null before that. */
  workerId: string | null;
  /** The message's type when it is a known one; null for frames that are not a message. */
  messageType: string | null;
  /** JSON pointer of the offending field (invalid_message). */
  field?: string;
  /** The schema rule that failed (invalid_message). */
  rule?: string;
  /** The job attempt named (foreign_job, wrong_attempt). */
  jobId?: string;
  attempt?: number;
  /** Peer address of the connection. */
  remote: string;
}
