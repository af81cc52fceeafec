// One worker connection on the control plane. Messages are handled strictly one after another
// (a promise chain), so log batches reach the store in order and a result is stored only after
// every batch sent before it. What a worker may touch is decided by the store (which attempt it
// assigned to which worker), never by what this connection remembers; every refusal goes through
// reject() (answered, logged without the message, reported to onRejected).
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../observability/logger.js';
import type { Worker } from '../domain/worker.js';
import type { GatewayBackend, JobClaim } from './backend.js';
import {
  CLOSE, PROTOCOL_VERSION, encode, rawDataToString, type ErrorCode, type JobRef, type ServerMessage, type WorkerMessage,
} from './protocol.js';
import type { RejectionReason, WorkerRejection } from './rejections.js';
import { parseWorkerMessage } from './validate.js';
import type { WorkerMemory } from './worker-memory.js';

/** What a session needs from its gateway: settings and the registry of live sessions. */
export interface SessionContext {
  backend: GatewayBackend;
  logger: Logger;
  heartbeatIntervalMs: number;
  registerTimeoutMs: number;
  /** Makes this the live session of workerId; resolves once an older one is retired. */
  bind(session: WorkerSession): Promise<void>;
  /** Drops the session if it is still the live one; true when it was. */
  unbind(session: WorkerSession): boolean;
  /** Jobs handed out and log batches stored, per worker, across its reconnects. */
  memory: WorkerMemory;
  /** Told of every refused message or frame (events, metrics); must not throw. */
  onRejected?: (r: WorkerRejection) => void;
}

/** What a refusal carries besides its reason (never the message itself). */
type RejectionInfo = Omit<WorkerRejection, 'reason' | 'workerId' | 'remote'> & { workerId?: string | null };

const sameJob = (a: JobRef | null, b: JobRef): boolean => a !== null && a.jobId === b.jobId && a.attempt === b.attempt;

export class WorkerSession {
  workerId: string | null = null;
  private worker: Worker | null = null;
  /** The job this worker holds (assigned, or store-confirmed on resume) until its result is stored. */
  private job: JobRef | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Replaced by a newer connection, or refused: queued messages are dropped (a good agent resends). */
  private retired = false;
  private lastMessageAt = Date.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly ws: WebSocket, private readonly ctx: SessionContext, private readonly remote: string) {
    this.log = ctx.logger.child({ remote });
    this.timers.push(setTimeout(() => {
      if (this.workerId === null) this.fail('REGISTER_TIMEOUT', 'register or resume not received in time', CLOSE.timeout);
    }, ctx.registerTimeoutMs));
    // A worker that sends nothing for three heartbeat intervals is gone (half-open TCP).
    this.timers.push(setInterval(() => {
      if (this.workerId !== null && Date.now() - this.lastMessageAt > 3 * ctx.heartbeatIntervalMs) {
        this.log.warn({ workerId: this.workerId }, 'worker silent for 3 heartbeat intervals; closing');
        this.ws.terminate();
      }
    }, ctx.heartbeatIntervalMs));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code: number) => this.onClose(code));
    ws.on('error', (err: Error & { code?: string }) => this.onSocketError(err));
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  send(msg: ServerMessage): boolean {
    if (!this.isOpen) return false;
    this.ws.send(encode(msg));
    return true;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  /**
   * Hands the worker over to a newer connection: stops handling queued messages, closes, and
   * resolves once a handler already running is done, so the two never store logs concurrently.
   */
  retire(): Promise<void> {
    this.retired = true;
    this.close(CLOSE.replaced, 'replaced by a newer connection');
    return this.chain;
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Runs fn after every message already received; a failure closes the connection. */
  enqueue<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
    const run = this.chain.then(async () => (this.closed || this.retired ? fallback : fn()));
    this.chain = run.then(() => undefined, (err: unknown) => {
      // The logger reduces an error to its allow-list (a driver's parameters never pass).
      this.log.error({ err, workerId: this.workerId }, 'gateway backend call failed');
      this.fail('INTERNAL', 'control plane error; reconnect and resend', CLOSE.internal);
    });
    return run.catch(() => fallback);
  }

  /** Asks the backend for this worker's next job and sends it (or shutdown to an idle ephemeral worker). */
  async assignNext(): Promise<boolean> {
    if (this.workerId === null || this.job !== null) return false;
    const job = await this.ctx.backend.nextJob(this.workerId);
    if (job) {
      this.job = { jobId: job.jobId, attempt: job.attempt };
      this.ctx.memory.assigned(this.workerId, job);
      this.log.info({ workerId: this.workerId, jobId: job.jobId, attempt: job.attempt }, 'job assigned');
      return this.send({ type: 'job.assign', job });
    }
    if (this.worker?.ephemeral !== false) this.send({ type: 'shutdown', reason: 'no job for this worker' });
    return false;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastMessageAt = Date.now();
    if (isBinary) {
      return this.reject('invalid_frame', { messageType: null, field: '/', rule: 'text frames only' },
        invalidMessage('binary frames are not part of the protocol', '/', 'text frames only'));
    }
    const parsed = parseWorkerMessage(rawDataToString(data));
    if (!parsed.ok) {
      const { field, rule } = parsed.error;
      return this.reject('invalid_message', { messageType: knownType(data), ...(field ? { field } : {}), ...(rule ? { rule } : {}) }, parsed.error);
    }
    const msg = parsed.message;
    if (msg.type === 'heartbeat' && this.workerId !== null) return this.onHeartbeat(this.workerId);
    void this.enqueue(() => this.handle(msg), undefined);
  }

  /** ws reports frames it refused (too large, invalid UTF-8, bad opcode) here, then closes. */
  private onSocketError(err: Error & { code?: string }): void {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return this.reject('oversized_frame', { messageType: null }, null);
    if (err.code?.startsWith('WS_ERR_')) return this.reject('invalid_frame', { messageType: null, rule: err.code }, null);
    this.log.warn({ err, workerId: this.workerId }, 'worker socket error');
  }

  /**
   * Heartbeats skip the message queue: a worker streaming logs into a slow store must not look
   * dead, to the control plane or to itself, while its batches wait.
   */
  private onHeartbeat(workerId: string): void {
    this.send({ type: 'heartbeat.ack' });
    this.ctx.backend.heartbeat(workerId).catch((err: unknown) =>
      this.log.warn({ err: err instanceof Error ? err.message : String(err), workerId }, 'recording heartbeat failed'));
  }

  private async handle(msg: WorkerMessage): Promise<void> {
    if (msg.type === 'register' || msg.type === 'resume') return this.authenticate(msg);
    if (msg.type === 'error') {
      // The worker's own text is not logged: it is free-form and may quote anything.
      this.log.warn({ workerId: this.workerId, code: /^[A-Z_]{1,32}$/.test(msg.code) ? msg.code : 'other' }, 'worker reported an error');
      return;
    }
    const workerId = this.workerId;
    if (workerId === null) {
      return this.reject('not_registered', { messageType: msg.type }, errorMsg('NOT_REGISTERED', `'${msg.type}' before register/resume`), CLOSE.protocol);
    }
    const { backend } = this.ctx;
    if (msg.type === 'heartbeat') return this.onHeartbeat(workerId);
    const ref = { jobId: msg.jobId, attempt: msg.attempt };
    if (msg.type === 'job.started') {
      this.refuseUnless(await backend.jobStarted(workerId, msg.jobId, msg.attempt), msg.type, ref);
      return;
    }
    if (msg.type === 'job.logs') {
      // A batch resent after a reconnect that was stored before it is acknowledged, not stored
      // twice. (The memory only knows attempts the store gave this worker.)
      if (msg.seq > this.ctx.memory.lastSeq(workerId, ref)) {
        const claim = await backend.appendLogs(workerId, msg.jobId, msg.attempt, msg.entries, msg.seq);
        if (!this.refuseUnless(claim, msg.type, ref)) return;
        this.ctx.memory.stored(workerId, ref, msg.seq);
      }
      this.send({ type: 'job.logs.ack', ...ref, seq: msg.seq });
      return;
    }
    // job.result: stored, acknowledged (the agent may drop it), then the worker gets its next job.
    if (!this.refuseUnless(await backend.jobFinished(workerId, msg.jobId, msg.attempt, msg.result), msg.type, ref)) return;
    this.log.info({ workerId, ...ref, outcome: msg.result.outcome, exitCode: msg.result.exitCode }, 'job finished');
    this.send({ type: 'job.result.ack', ...ref });
    // A result resent for an earlier attempt of its own is acknowledged and changes nothing here.
    if (!sameJob(this.job, ref)) return;
    this.ctx.memory.finished(workerId);
    this.job = null;
    await this.assignNext();
  }

  /** true when the store accepted the claim; otherwise refuses it and closes the connection. */
  private refuseUnless(claim: JobClaim, messageType: string, ref: JobRef, workerId = this.workerId): boolean {
    if (claim === 'ok') return true;
    this.reject(claim, { messageType, jobId: ref.jobId, attempt: ref.attempt, workerId },
      errorMsg('UNKNOWN_JOB', `job ${ref.jobId} attempt ${ref.attempt} is not assigned to this worker`), CLOSE.unauthorized);
    return false;
  }

  private async authenticate(msg: Extract<WorkerMessage, { type: 'register' | 'resume' }>): Promise<void> {
    if (this.workerId !== null) {
      return this.reject('already_registered', { messageType: msg.type, field: '/type', rule: 'once per connection' },
        invalidMessage('already registered on this connection', '/type', 'once per connection'));
    }
    if (msg.protocolVersion !== PROTOCOL_VERSION) {
      return this.reject('unsupported_protocol', { messageType: msg.type }, errorMsg('UNSUPPORTED_PROTOCOL',
        `protocol version ${msg.protocolVersion} is not supported (this control plane speaks ${PROTOCOL_VERSION})`), CLOSE.protocol);
    }
    const { backend } = this.ctx;
    if (msg.type === 'register') {
      const info = { agentVersion: msg.agentVersion, pid: msg.pid, hostname: msg.hostname };
      const res = await backend.registerWorker(msg.token, info);
      if (!res) {
        // The token itself is never logged: a replay is visible from where it came from.
        return this.reject('token_invalid', { messageType: msg.type },
          errorMsg('TOKEN_INVALID', 'registration token is unknown or was already used'), CLOSE.unauthorized);
      }
      await this.bindTo(res.worker);
      this.log.info({ workerId: res.worker.id, agentVersion: msg.agentVersion, hostname: msg.hostname }, 'worker registered');
      this.send({ type: 'registered', protocolVersion: PROTOCOL_VERSION, workerId: res.worker.id,
        sessionToken: res.sessionToken, heartbeatIntervalMs: this.ctx.heartbeatIntervalMs });
      return void (await this.assignNext());
    }
    const worker = await backend.resumeWorker(msg.workerId, msg.sessionToken);
    if (!worker) {
      return this.reject('session_invalid', { messageType: msg.type, workerId: msg.workerId },
        errorMsg('SESSION_INVALID', 'session is unknown or does not match this worker'), CLOSE.unauthorized);
    }
    // The job it says it holds must be one the store assigned to it: checked before this
    // connection replaces any other of the worker's, so a refused resume disturbs nothing.
    const held = msg.job ?? null;
    if (held) {
      const claim = await backend.checkClaim(worker.id, held.jobId, held.attempt);
      if (!this.refuseUnless(claim, msg.type, held, worker.id)) return;
    }
    await this.bindTo(worker);
    this.job = held;
    if (held) this.ctx.memory.adopt(worker.id, held);
    // A job.assign lost with the previous connection is delivered again rather than asked anew.
    const lost = held ? undefined : this.ctx.memory.pendingJob(worker.id);
    this.log.info({ workerId: worker.id, jobId: held?.jobId }, 'worker resumed');
    this.send({ type: 'resumed', workerId: worker.id, heartbeatIntervalMs: this.ctx.heartbeatIntervalMs });
    if (lost) {
      this.job = { jobId: lost.jobId, attempt: lost.attempt };
      this.log.info({ workerId: worker.id, jobId: lost.jobId }, 'job assignment resent after reconnect');
      this.send({ type: 'job.assign', job: lost });
      return;
    }
    await this.assignNext();
  }

  private async bindTo(worker: Worker): Promise<void> {
    this.workerId = worker.id;
    this.worker = worker;
    await this.ctx.bind(this);
  }

  /**
   * Refuses a message or frame: answers `reply` (if any), logs and reports the refusal without
   * the message's content, and with `closeCode` drops everything queued and closes.
   */
  private reject(reason: RejectionReason, info: RejectionInfo, reply: ServerMessage | null, closeCode?: number): void {
    const r: WorkerRejection = { ...info, reason, workerId: info.workerId ?? this.workerId, remote: this.remote };
    this.log.warn({ reason, workerId: r.workerId, messageType: r.messageType, field: r.field, rule: r.rule, jobId: r.jobId, attempt: r.attempt },
      'worker message rejected');
    try {
      this.ctx.onRejected?.(r);
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.name : typeof err }, 'rejection listener failed');
    }
    if (reply) this.send(reply);
    if (closeCode !== undefined) {
      this.retired = true;
      this.close(closeCode, reply?.type === 'error' ? reply.code : reason);
    }
  }

  private fail(code: ErrorCode, message: string, closeCode: number): void {
    this.send(errorMsg(code, message));
    this.retired = true;
    this.close(closeCode, code);
  }

  private onClose(code: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.workerId !== null && this.ctx.unbind(this)) {
      this.log.info({ workerId: this.workerId }, 'worker disconnected');
      // The agent closes with 1000 only when it exits (agent.ts finish); drops and restarts use other codes.
      this.ctx.backend.workerDisconnected(this.workerId, { graceful: code === CLOSE.normal });
    }
  }
}

function errorMsg(code: ErrorCode, message: string): ServerMessage {
  return { type: 'error', code, message };
}

function invalidMessage(message: string, field: string, rule: string): ServerMessage {
  return { type: 'error', code: 'INVALID_MESSAGE', message, field, rule };
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(['register', 'resume', 'heartbeat', 'job.started', 'job.logs', 'job.result', 'error']);

/** The `type` of a refused message when it is one of the protocol's (for the record; never free text). */
function knownType(data: RawData): string | null {
  const m = /"type"\s*:\s*"([a-z.]{1,16})"/.exec(rawDataToString(data).slice(0, 4096));
  return m?.[1] !== undefined && KNOWN_TYPES.has(m[1]) ? m[1] : null;
}
