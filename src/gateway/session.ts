// One worker connection on the control plane. Messages are handled strictly one after another
// (a promise chain), so log batches reach the store in order and a result is stored only after
// every batch sent before it.
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../observability/logger.js';
import type { Worker } from '../domain/worker.js';
import type { GatewayBackend } from './backend.js';
import {
  CLOSE, PROTOCOL_VERSION, encode, rawDataToString, type ErrorCode, type JobRef, type ServerMessage, type WorkerMessage,
} from './protocol.js';
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
}

const sameJob = (a: JobRef | null, b: JobRef): boolean => a !== null && a.jobId === b.jobId && a.attempt === b.attempt;

export class WorkerSession {
  workerId: string | null = null;
  private worker: Worker | null = null;
  /** The job this worker holds (assigned, or claimed on resume) until its result is stored. */
  private job: JobRef | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Replaced by a newer connection of the same worker: queued messages are dropped (the agent resends). */
  private retired = false;
  private lastMessageAt = Date.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly ws: WebSocket, private readonly ctx: SessionContext, remote: string) {
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
    ws.on('error', (err) => this.log.warn({ err: err.message, workerId: this.workerId }, 'worker socket error'));
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
      this.log.error({ err: err instanceof Error ? err.message : String(err), workerId: this.workerId }, 'gateway backend call failed');
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
    if (isBinary) return void this.send(errorMsg('INVALID_MESSAGE', 'binary frames are not part of the protocol'));
    const parsed = parseWorkerMessage(rawDataToString(data));
    if (!parsed.ok) {
      this.log.warn({ workerId: this.workerId, field: parsed.error.field, rule: parsed.error.rule }, 'malformed worker message');
      this.send(parsed.error);
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'heartbeat' && this.workerId !== null) return this.onHeartbeat(this.workerId);
    void this.enqueue(() => this.handle(msg), undefined);
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
      this.log.warn({ workerId: this.workerId, code: msg.code, message: msg.message }, 'worker reported an error');
      return;
    }
    const workerId = this.workerId;
    if (workerId === null) return this.fail('NOT_REGISTERED', `'${msg.type}' before register/resume`, CLOSE.protocol);
    const { backend } = this.ctx;
    if (msg.type === 'heartbeat') return this.onHeartbeat(workerId);
    if (!sameJob(this.job, msg)) {
      this.send(errorMsg('UNKNOWN_JOB', `job ${msg.jobId} attempt ${msg.attempt} is not assigned to this worker`));
      return;
    }
    if (msg.type === 'job.started') return backend.jobStarted(workerId, msg.jobId, msg.attempt);
    if (msg.type === 'job.logs') {
      // A batch resent after a reconnect that was stored before it is acknowledged, not stored twice.
      if (msg.seq > this.ctx.memory.lastSeq(workerId, msg)) {
        await backend.appendLogs(workerId, msg.jobId, msg.attempt, msg.entries, msg.seq);
        this.ctx.memory.stored(workerId, msg, msg.seq);
      }
      this.send({ type: 'job.logs.ack', jobId: msg.jobId, attempt: msg.attempt, seq: msg.seq });
      return;
    }
    // job.result: stored, acknowledged (the agent may drop it), then the worker gets its next job.
    await backend.jobFinished(workerId, msg.jobId, msg.attempt, msg.result);
    this.log.info({ workerId, jobId: msg.jobId, attempt: msg.attempt, outcome: msg.result.outcome,
      exitCode: msg.result.exitCode }, 'job finished');
    this.ctx.memory.finished(workerId);
    this.job = null;
    this.send({ type: 'job.result.ack', jobId: msg.jobId, attempt: msg.attempt });
    await this.assignNext();
  }

  private async authenticate(msg: Extract<WorkerMessage, { type: 'register' | 'resume' }>): Promise<void> {
    if (this.workerId !== null) return void this.send(errorMsg('INVALID_MESSAGE', 'already registered on this connection'));
    if (msg.protocolVersion !== PROTOCOL_VERSION) {
      return this.fail('UNSUPPORTED_PROTOCOL',
        `protocol version ${msg.protocolVersion} is not supported (this control plane speaks ${PROTOCOL_VERSION})`, CLOSE.protocol);
    }
    const { backend } = this.ctx;
    if (msg.type === 'register') {
      const info = { agentVersion: msg.agentVersion, pid: msg.pid, hostname: msg.hostname };
      const res = await backend.registerWorker(msg.token, info);
      if (!res) {
        // The token itself is never logged: a replay is visible from where it came from.
        this.log.warn({ agentPid: msg.pid, hostname: msg.hostname }, 'worker registration refused: unknown or already used token');
        return this.fail('TOKEN_INVALID', 'registration token is unknown or was already used', CLOSE.unauthorized);
      }
      await this.bindTo(res.worker);
      this.log.info({ workerId: res.worker.id, agentVersion: msg.agentVersion, hostname: msg.hostname }, 'worker registered');
      this.send({ type: 'registered', protocolVersion: PROTOCOL_VERSION, workerId: res.worker.id,
        sessionToken: res.sessionToken, heartbeatIntervalMs: this.ctx.heartbeatIntervalMs });
    } else {
      const worker = await backend.resumeWorker(msg.workerId, msg.sessionToken);
      if (!worker) {
        this.log.warn({ workerId: msg.workerId }, 'worker resume refused: session does not match');
        return this.fail('SESSION_INVALID', 'session is unknown or does not match this worker', CLOSE.unauthorized);
      }
      await this.bindTo(worker);
      this.job = msg.job ?? null;
      if (this.job) this.ctx.memory.adopt(worker.id, this.job);
      // A job.assign lost with the previous connection is delivered again rather than asked anew.
      const lost = this.job ? undefined : this.ctx.memory.pendingJob(worker.id);
      this.log.info({ workerId: worker.id, jobId: this.job?.jobId }, 'worker resumed');
      this.send({ type: 'resumed', workerId: worker.id, heartbeatIntervalMs: this.ctx.heartbeatIntervalMs });
      if (lost) {
        this.job = { jobId: lost.jobId, attempt: lost.attempt };
        this.log.info({ workerId: worker.id, jobId: lost.jobId }, 'job assignment resent after reconnect');
        this.send({ type: 'job.assign', job: lost });
        return;
      }
    }
    await this.assignNext();
  }

  private async bindTo(worker: Worker): Promise<void> {
    this.workerId = worker.id;
    this.worker = worker;
    await this.ctx.bind(this);
  }

  private fail(code: ErrorCode, message: string, closeCode: number): void {
    this.send(errorMsg(code, message));
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
