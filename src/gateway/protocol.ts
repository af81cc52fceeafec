// The worker protocol: JSON messages over one WebSocket per worker (docs/worker-protocol.md,
// docs/adr/0001-worker-protocol-websocket.md). Both ends validate every message they receive
// with these types' JSON Schemas (see protocol-schemas.ts) before acting on it.
import type { AssignedJob, JobResult } from './backend.js';
import type { RawData } from 'ws';
import type { LogEntry } from '../store/store.js';

/** Bumped on any incompatible change; sent by the agent in register/resume. */
export const PROTOCOL_VERSION = 1;
/**
 * Prefix of a pool bootstrap token (a Kubernetes worker pool's Secret): unlike a one-time token it
 * registers any number of agents, each as a new pooled worker, until the pool is deleted.
 */
export const POOL_TOKEN_PREFIX = 'hodei-pool.';
/** The HTTP path the control plane serves the WebSocket upgrade on. */
export const WORKER_CONNECT_PATH = '/v1/workers/connect';
/** Largest message either side accepts (ws `maxPayload`); the agent keeps batches far below it. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface JobRef {
  jobId: string;
  attempt: number;
}

// ---- worker → control plane ----
export interface RegisterMessage {
  type: 'register';
  protocolVersion: number;
  /** One-time registration token (or a pool bootstrap token, POOL_TOKEN_PREFIX) from HODEI_WORKER_TOKEN. Never logged. */
  token: string;
  agentVersion: string;
  pid: number;
  hostname: string;
}
export interface ResumeMessage {
  type: 'resume';
  protocolVersion: number;
  workerId: string;
  sessionToken: string;
  /** The job the agent still holds (running, or finished with an unacknowledged result). */
  job?: JobRef | null;
}
export interface HeartbeatMessage { type: 'heartbeat' }
export interface JobStartedMessage extends JobRef { type: 'job.started' }
export interface JobLogsMessage extends JobRef {
  type: 'job.logs';
  /** Batch sequence number per job attempt, from 1, gap-free; acks name the highest stored. */
  seq: number;
  entries: LogEntry[];
}
export interface JobResultMessage extends JobRef { type: 'job.result'; result: JobResult }

// ---- control plane → worker ----
export interface RegisteredMessage {
  type: 'registered';
  protocolVersion: number;
  workerId: string;
  sessionToken: string;
  heartbeatIntervalMs: number;
}
export interface ResumedMessage { type: 'resumed'; workerId: string; heartbeatIntervalMs: number }
export interface HeartbeatAckMessage { type: 'heartbeat.ack' }
export interface JobAssignMessage { type: 'job.assign'; job: AssignedJob }
export interface JobLogsAckMessage extends JobRef { type: 'job.logs.ack'; seq: number }
export interface JobResultAckMessage extends JobRef { type: 'job.result.ack' }
export interface JobCancelMessage { type: 'job.cancel'; jobId: string; reason?: string }
export interface ShutdownMessage { type: 'shutdown'; reason: string }

// ---- both directions ----
export type ErrorCode =
  | 'INVALID_MESSAGE' | 'UNSUPPORTED_PROTOCOL' | 'TOKEN_INVALID' | 'SESSION_INVALID'
  | 'NOT_REGISTERED' | 'REGISTER_TIMEOUT' | 'UNKNOWN_JOB' | 'BUSY' | 'INTERNAL';
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** JSON pointer of the offending field, for INVALID_MESSAGE. */
  field?: string;
  /** The schema rule that failed, for INVALID_MESSAGE. */
  rule?: string;
}

export type WorkerMessage =
  | RegisterMessage | ResumeMessage | HeartbeatMessage | JobStartedMessage | JobLogsMessage
  | JobResultMessage | ErrorMessage;
export type ServerMessage =
  | RegisteredMessage | ResumedMessage | HeartbeatAckMessage | JobAssignMessage | JobLogsAckMessage
  | JobResultAckMessage | JobCancelMessage | ShutdownMessage | ErrorMessage;

/** WebSocket close codes used on purpose (4000–4999 is the application range). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  internal: 1011,
  protocol: 4000,
  unauthorized: 4001,
  timeout: 4002,
  replaced: 4003,
} as const;

export function encode(msg: WorkerMessage | ServerMessage): string {
  return JSON.stringify(msg);
}

/** A received frame as text (ws hands over a Buffer, a fragment list or an ArrayBuffer). */
export function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
