// The worker agent (`hodei worker`): one WebSocket to the control plane, registered once with a
// one-time token and resumed with a session token after any disconnect, running one job at a time.
// A job keeps running while the connection is down; its logs and result are delivered on resume.
import { constants as osConstants, hostname as osHostname } from 'node:os';
import type { JobResult } from '../gateway/backend.js';
import { WebSocket, type RawData } from 'ws';
import { silentLogger, type Logger } from '../observability/logger.js';
import {
  CLOSE, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, encode, rawDataToString, type ServerMessage, type WorkerMessage,
} from '../gateway/protocol.js';
import { parseServerMessage } from '../gateway/validate.js';
import { backoffDelay } from '../util/backoff.js';
import { JobSlot } from './job-slot.js';
import { Redactor, redactingLog, type AgentLog } from './redact.js';
import { VERSION } from '../version.js';
import { jobBaseEnv, workerUrl } from './config.js';

export { workerUrl } from './config.js';

/**
 * Process exit codes of `hodei worker`. An agent that ran exactly one job (an ephemeral worker)
 * exits with that job's status instead of `ok` (see jobExitStatus), so its pod or process tells the
 * job's story: `Error` (or `OOMKilled`) when the job failed, and `podRetention: onFailure` keeps it.
 */
export const AGENT_EXIT = {
  ok: 0,
  /** Registration or resume refused (invalid or replayed token, unsupported protocol). */
  refused: 1,
  /** The control plane was unreachable for longer than connectTimeoutMs. */
  unreachable: 2,
  /** Stopped by the caller's AbortSignal (SIGTERM). */
  aborted: 143,
} as const;

export interface AgentOptions {
  /** Control-plane base URL (http/https/ws/wss); the path defaults to /v1/workers/connect. */
  serverUrl: string;
  /** One-time registration token. Never logged. */
  token: string;
  logger?: Logger;
  /** Give up after this long without a connection. @defaultValue 60000 */
  connectTimeoutMs?: number;
  /** First reconnect delay; doubles per attempt, with jitter. @defaultValue 250 */
  reconnectBaseMs?: number;
  /** @defaultValue 5000 */
  reconnectMaxMs?: number;
  /** SIGTERM → SIGKILL grace when a job is timed out or cancelled. @defaultValue 2000 */
  killGraceMs?: number;
  /** @defaultValue 65536 */
  logBatchBytes?: number;
  /** @defaultValue 100 */
  logFlushMs?: number;
  /** Unacknowledged log batches before the job's output is paused. @defaultValue 16 */
  logWindow?: number;
  /** Environment jobs inherit beneath their own env. @defaultValue process.env without HODEI_WORKER_TOKEN */
  baseEnv?: NodeJS.ProcessEnv;
  agentVersion?: string;
  hostname?: string;
  /**
   * Abort to stop: a running job is interrupted (SIGTERM to its process group, SIGKILL after
   * killGraceMs) and reported if the control plane is there, then the agent exits 143. With no
   * connection it exits as soon as the job's processes are gone.
   */
  signal?: AbortSignal;
  /** Abort to stop at once (a second SIGTERM): the job's process group is killed (SIGKILL) and the agent exits 143. */
  forceSignal?: AbortSignal;
  /** Also writes the job's output here (redacted), e.g. the agent's stdout/stderr so `kubectl logs` shows it. */
  echoJobOutput?: (stream: 'stdout' | 'stderr', data: string) => void;
}

/** The shell-style exit status of a job: its exit code, 128+n when killed by signal n, 124 on timeout. */
export function jobExitStatus(r: JobResult): number {
  if (r.outcome === 'timed_out') return 124;
  if (r.exitCode !== null && r.exitCode !== undefined) return r.exitCode;
  const n = r.signal ? (osConstants.signals as Record<string, number | undefined>)[r.signal] : undefined;
  if (n !== undefined) return 128 + n;
  return r.outcome === 'exited' ? 0 : r.outcome === 'cancelled' || r.outcome === 'interrupted' ? 143 : 1;
}

/** Runs the agent until it is told to shut down or gives up; resolves with the process exit code. */
export function runAgent(opts: AgentOptions): Promise<number> {
  return new Agent(opts).run();
}

/** Time to wait for `registered`/`resumed` after the socket opens. */
const AUTH_TIMEOUT_MS = 10_000;
const FATAL_CODES = new Set(['TOKEN_INVALID', 'SESSION_INVALID', 'UNSUPPORTED_PROTOCOL']);

class Agent {
  private readonly url: string;
  private readonly log: AgentLog;
  private readonly redactor = new Redactor();
  private ws: WebSocket | null = null;
  private authed = false;
  private session: { workerId: string; sessionToken: string } | null = null;
  private heartbeatMs = 10_000;
  /** The pending reconnect, or the abort deadline: at most one of each is ever pending. */
  private reconnectTimer: NodeJS.Timeout | null = null;
  private abortTimer: NodeJS.Timeout | null = null;
  private slot: JobSlot | null = null;
  /** Exit code to use once no job is held (set by shutdown or abort). */
  private exitWhenIdle: number | null = null;
  private disconnectedSince = Date.now();
  /** Results of the jobs this agent ran (acknowledged): one job → the agent exits with its status. */
  private readonly results: JobResult[] = [];
  private attempt = 0;
  private done = false;
  private resolveExit!: (code: number) => void;

  constructor(private readonly opts: AgentOptions) {
    this.url = workerUrl(opts.serverUrl);
    this.redactor.addFixed(opts.token);
    this.log = redactingLog((opts.logger ?? silentLogger()).child({ component: 'agent' }), this.redactor);
  }

  run(): Promise<number> {
    const exit = new Promise<number>((resolve) => { this.resolveExit = resolve; });
    const { signal } = this.opts;
    if (signal?.aborted) return Promise.resolve(AGENT_EXIT.aborted);
    signal?.addEventListener('abort', () => this.onAbort(), { once: true });
    this.opts.forceSignal?.addEventListener('abort', () => this.onForce(), { once: true });
    this.log.info({ url: this.url }, 'connecting to control plane');
    this.connect();
    return exit;
  }

  private connect(): void {
    if (this.done) return;
    const connectTimeout = this.opts.connectTimeoutMs ?? 60_000;
    const ws = new WebSocket(this.url, { maxPayload: MAX_MESSAGE_BYTES, handshakeTimeout: Math.min(10_000, connectTimeout) });
    this.ws = ws;
    let lastHeard = Date.now();
    let heartbeating = false;
    const connTimers: NodeJS.Timeout[] = [];
    ws.on('open', () => {
      this.sendRaw(ws, this.session
        ? { type: 'resume', protocolVersion: PROTOCOL_VERSION, ...this.session, job: this.slot?.ref ?? null }
        : { type: 'register', protocolVersion: PROTOCOL_VERSION, token: this.opts.token,
          agentVersion: this.opts.agentVersion ?? VERSION, pid: process.pid, hostname: this.opts.hostname ?? osHostname() });
      connTimers.push(setTimeout(() => { if (!this.authed) ws.terminate(); }, AUTH_TIMEOUT_MS));
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      lastHeard = Date.now();
      this.onMessage(ws, data, isBinary);
      if (this.authed && !heartbeating) {
        heartbeating = true;
        // Heartbeats at the gateway's interval; a control plane silent for 3 of them is presumed gone.
        connTimers.push(setInterval(() => {
          if (Date.now() - lastHeard > 3 * this.heartbeatMs) return void ws.terminate();
          this.send({ type: 'heartbeat' });
        }, this.heartbeatMs));
      }
    });
    ws.on('error', (err) => this.log.debug({ err: err.message }, 'connection error'));
    ws.on('close', (code: number) => {
      for (const t of connTimers) clearTimeout(t);
      this.onClose(ws, code);
    });
  }

  private onClose(ws: WebSocket, code: number): void {
    if (this.ws !== ws) return;
    const wasAuthed = this.authed;
    this.ws = null;
    this.authed = false;
    if (this.done) return;
    if (code === CLOSE.unauthorized || (code === CLOSE.protocol && !wasAuthed)) {
      void this.finish(AGENT_EXIT.refused, 'control plane refused this worker');
      return;
    }
    if (wasAuthed) {
      this.disconnectedSince = Date.now();
      this.attempt = 0;
      this.log.warn({ code, jobId: this.slot?.ref.jobId }, 'connection to control plane lost; reconnecting');
    }
    const connectTimeout = this.opts.connectTimeoutMs ?? 60_000;
    const remaining = this.disconnectedSince + connectTimeout - Date.now();
    if (remaining <= 0) {
      const job = this.slot && !this.slot.finished ? `; killing job ${this.slot.ref.jobId}` : '';
      void this.finish(AGENT_EXIT.unreachable, `control plane unreachable for ${connectTimeout / 1000} s (connect timeout, HODEI_WORKER_CONNECT_TIMEOUT); giving up${job}`);
      return;
    }
    const delay = backoffDelay(this.attempt++, this.opts.reconnectBaseMs ?? 250, this.opts.reconnectMaxMs ?? 5_000);
    this.reconnectTimer = setTimeout(() => this.connect(), Math.min(delay, remaining));
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const parsed = parseServerMessage(isBinary ? '' : rawDataToString(data));
    if (!parsed.ok) {
      this.log.warn({ field: parsed.error.field, rule: parsed.error.rule }, 'malformed message from control plane');
      this.sendRaw(ws, parsed.error);
      return;
    }
    this.handle(ws, parsed.message);
  }

  private handle(ws: WebSocket, msg: ServerMessage): void {
    const slot = this.slot;
    const forSlot = (m: { jobId: string; attempt?: number }): boolean =>
      slot !== null && slot.ref.jobId === m.jobId && (m.attempt === undefined || slot.ref.attempt === m.attempt);
    switch (msg.type) {
      case 'registered':
        this.session = { workerId: msg.workerId, sessionToken: msg.sessionToken };
        this.redactor.addFixed(msg.sessionToken);
        this.log.info({ workerId: msg.workerId }, 'registered with control plane');
        return this.onAuthed(msg.heartbeatIntervalMs);
      case 'resumed':
        this.log.info({ workerId: msg.workerId, jobId: slot?.ref.jobId }, 'session resumed');
        this.onAuthed(msg.heartbeatIntervalMs);
        slot?.resend();
        return;
      case 'heartbeat.ack':
        return;
      case 'job.assign':
        if (slot || this.exitWhenIdle !== null) {
          this.sendRaw(ws, { type: 'error', code: 'BUSY', message: `cannot take job ${msg.job.jobId}: ${slot ? `running ${slot.ref.jobId}` : 'shutting down'}` });
          return;
        }
        this.slot = new JobSlot(msg.job, {
          send: (m) => this.send(m), log: this.log, redactor: this.redactor,
          baseEnv: this.opts.baseEnv ?? jobBaseEnv(), killGraceMs: this.opts.killGraceMs,
          logBatchBytes: this.opts.logBatchBytes, logFlushMs: this.opts.logFlushMs, logWindow: this.opts.logWindow,
          ...(this.opts.echoJobOutput ? { echo: this.opts.echoJobOutput } : {}),
        });
        return;
      case 'job.logs.ack':
        if (forSlot(msg)) slot?.onLogsAck(msg.seq);
        return;
      case 'job.result.ack':
        if (!forSlot(msg) || !slot?.finished) return;
        if (slot.result) this.results.push(slot.result);
        slot.dispose();
        this.slot = null;
        if (this.exitWhenIdle !== null) void this.finish(this.exitWhenIdle, 'job reported; exiting');
        return;
      case 'job.cancel':
        if (forSlot(msg)) slot?.cancel(msg.reason ?? 'cancelled by the control plane');
        return;
      case 'shutdown':
        this.log.info({ reason: msg.reason, jobId: slot?.ref.jobId }, 'shutdown requested');
        this.exitWhenIdle ??= this.results.length === 1 && this.results[0] ? jobExitStatus(this.results[0]) : AGENT_EXIT.ok;
        if (!slot) void this.finish(this.exitWhenIdle, 'shutting down');
        return;
      case 'error':
        if (FATAL_CODES.has(msg.code)) {
          void this.finish(AGENT_EXIT.refused, `control plane refused this worker: ${msg.code}: ${msg.message}`);
        } else {
          this.log.warn({ code: msg.code, message: msg.message, field: msg.field }, 'control plane reported an error');
        }
    }
  }

  private onAuthed(heartbeatIntervalMs: number): void {
    this.authed = true;
    this.heartbeatMs = heartbeatIntervalMs;
    this.attempt = 0;
  }

  private onAbort(): void {
    const slot = this.slot;
    this.log.info({ jobId: slot?.ref.jobId, connected: this.authed }, 'stop requested');
    this.exitWhenIdle = AGENT_EXIT.aborted;
    if (!slot) return void this.finish(AGENT_EXIT.aborted, 'stopped');
    slot.interrupt('worker agent is stopping');
    // Report the result if the control plane is there; do not wait for it for long.
    this.abortTimer = setTimeout(() => void this.finish(AGENT_EXIT.aborted, 'stopped'), (this.opts.killGraceMs ?? 2_000) + 3_000);
    // With no control plane to report to, go as soon as the job's processes are gone: a control
    // plane that died must not keep its agents waiting on SIGTERM.
    void slot.done.then(() => {
      if (!this.authed) void this.finish(AGENT_EXIT.aborted, 'stopped while the control plane is unreachable; the interrupted job was not reported');
    });
  }

  private onForce(): void {
    this.log.warn({ jobId: this.slot?.ref.jobId }, 'stop requested again: killing the job now');
    this.exitWhenIdle = AGENT_EXIT.aborted;
    this.slot?.kill('worker agent is stopping now');
    void this.finish(AGENT_EXIT.aborted, 'stopped at once');
  }

  /** Writes to the authenticated connection; false (message to be resent on resume) otherwise. */
  private send(msg: WorkerMessage): boolean {
    const ws = this.ws;
    if (!ws || !this.authed || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encode(msg));
    return true;
  }

  private sendRaw(ws: WebSocket, msg: WorkerMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(encode(msg));
  }

  private async finish(code: number, why: string): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (code === AGENT_EXIT.ok) this.log.info({ exitCode: code }, why);
    else this.log.error({ exitCode: code }, why);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.abortTimer) clearTimeout(this.abortTimer);
    const slot = this.slot;
    if (slot && !slot.finished) {
      // Never leave the job's processes behind when the agent goes away.
      slot.cancel('worker agent is exiting');
      const grace = (this.opts.killGraceMs ?? 2_000) + 3_000;
      await Promise.race([slot.done, new Promise((r) => setTimeout(r, grace).unref())]);
      slot.kill('worker agent is exiting');
    }
    slot?.dispose();
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      // Let the close handshake finish (flushing what was sent) before the process may exit.
      const closed = new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        setTimeout(resolve, 1_000).unref();
      });
      ws.close(CLOSE.normal, 'agent exiting');
      await closed;
    }
    this.resolveExit(code);
  }
}
