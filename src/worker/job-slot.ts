// The job an agent holds, from job.assign until the control plane acknowledges its result. It owns
// everything that must survive a lost connection: unacknowledged log batches and the result.
import type { AssignedJob, JobResult } from '../gateway/backend.js';
import type { JobRef, WorkerMessage } from '../gateway/protocol.js';
import { LogBatcher, type LogBatch } from './log-batcher.js';
import { startJob, type RunningJob } from './job-runner.js';
import type { AgentLog, Redactor } from './redact.js';

export interface JobSlotDeps {
  /** Writes to the current authenticated connection; false when there is none (resent later). */
  send(msg: WorkerMessage): boolean;
  log: AgentLog;
  redactor: Redactor;
  baseEnv: NodeJS.ProcessEnv;
  killGraceMs?: number;
  logBatchBytes?: number;
  logFlushMs?: number;
  logWindow?: number;
  /** Also gets the job's output, redacted (the agent's own stdout/stderr in a pod). */
  echo?: (stream: 'stdout' | 'stderr', data: string) => void;
}

export class JobSlot {
  readonly ref: JobRef;
  private readonly batcher: LogBatcher;
  private runner: RunningJob | null = null;
  /** Set once the process is over and all its output is batched. */
  private final: JobResult | null = null;
  /** The gateway handles messages in order, so any ack for this job means job.started was handled. */
  private startConfirmed = false;
  /** Settles when the process is over (whatever happens to the connection). */
  readonly done: Promise<JobResult>;

  constructor(readonly job: AssignedJob, private readonly deps: JobSlotDeps) {
    this.ref = { jobId: job.jobId, attempt: job.attempt };
    const refMsg = this.ref;
    this.batcher = new LogBatcher({
      maxBatchBytes: deps.logBatchBytes,
      flushMs: deps.logFlushMs,
      window: deps.logWindow,
      onBatch: (b) => void deps.send(this.logsMessage(b)),
      onPause: () => {
        this.runner?.pauseOutput();
        deps.log.debug({ ...refMsg }, 'log window full; pausing job output');
      },
      onResume: () => this.runner?.resumeOutput(),
    });
    deps.redactor.setJobSecrets(job.secretNames.flatMap((n) => (job.env[n] !== undefined ? [job.env[n] ?? ''] : [])));
    this.done = this.start();
  }

  get finished(): boolean {
    return this.final !== null;
  }

  /** How the job ended (null while it runs). */
  get result(): JobResult | null {
    return this.final;
  }

  /** Stops the job (timeout or cancel path); the result follows when the process group is gone. */
  cancel(reason: string): void {
    if (!this.runner || this.final) return;
    this.deps.log.info({ ...this.ref, reason }, 'cancelling job');
    this.batcher.system(`hodei: job cancelled (${this.deps.redactor.redact(reason)})`);
    this.runner.stop('cancelled', `cancelled: ${reason}`);
  }

  /** Stops the job because the agent itself must stop; reported as `interrupted` so it is retried. */
  interrupt(reason: string): void {
    if (!this.runner || this.final) return;
    this.deps.log.info({ ...this.ref, reason }, 'interrupting job');
    this.batcher.system(`hodei: job interrupted (${this.deps.redactor.redact(reason)})`);
    this.runner.stop('interrupted', `interrupted: ${reason}`);
  }

  /** The agent must go at once (a second SIGTERM): the job's whole process group is killed now. */
  kill(reason: string): void {
    if (!this.runner || this.final) return;
    this.interrupt(reason);
    this.runner.kill();
  }

  onLogsAck(seq: number): void {
    this.startConfirmed = true;
    this.batcher.ack(seq);
  }

  /** After a reconnect: everything the control plane may not have, in the original order. */
  resend(): void {
    const { send } = this.deps;
    if (!this.startConfirmed) send({ type: 'job.started', ...this.ref });
    for (const b of this.batcher.pending) send(this.logsMessage(b));
    if (this.final) send({ type: 'job.result', ...this.ref, result: this.final });
  }

  dispose(): void {
    this.batcher.dispose();
    this.deps.redactor.setJobSecrets([]);
  }

  private async start(): Promise<JobResult> {
    const { job, deps } = this;
    const args = job.args.map((a) => deps.redactor.redact(a));
    deps.log.info({ ...this.ref, command: job.command, args, workingDir: job.workingDir,
      timeoutSeconds: job.timeoutSeconds }, 'starting job');
    deps.send({ type: 'job.started', ...this.ref });
    this.runner = startJob(job, {
      baseEnv: deps.baseEnv,
      killGraceMs: deps.killGraceMs,
      onOutput: (stream, chunk) => {
        this.batcher.push(stream, chunk);
        deps.echo?.(stream, deps.redactor.redact(chunk.toString('utf8')));
      },
    });
    const raw = await this.runner.result;
    // A spawn error's message quotes the command, which may carry a secret.
    const result: JobResult = raw.message === undefined ? raw : { ...raw, message: deps.redactor.redact(raw.message) };
    if (result.outcome === 'timed_out' || result.outcome === 'error') this.batcher.system(`hodei: ${result.message ?? result.outcome}`);
    this.batcher.end();
    this.final = result;
    const level = result.outcome === 'error' ? 'warn' : 'info';
    deps.log[level]({ ...this.ref, outcome: result.outcome, exitCode: result.exitCode, signal: result.signal,
      message: result.message }, 'job finished');
    deps.send({ type: 'job.result', ...this.ref, result });
    return result;
  }

  private logsMessage(b: LogBatch): WorkerMessage {
    return { type: 'job.logs', ...this.ref, seq: b.seq, entries: b.entries };
  }
}
