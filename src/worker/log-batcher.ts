// Turns a job's stdout/stderr chunks into numbered batches, flushed by size or after a short
// delay, and keeps every batch until the control plane acknowledges it. When too many batches are
// unacknowledged (a slow store, or no connection at all) it asks for the child's output to be
// paused: the pipes fill and the job blocks on write instead of the agent buffering without bound.
import { StringDecoder } from 'node:string_decoder';
import type { LogEntry } from '../store/store.js';

export interface LogBatch {
  seq: number;
  entries: LogEntry[];
}

export interface LogBatcherOptions {
  /** Flush when a batch holds this many bytes. @defaultValue 65536 */
  maxBatchBytes?: number;
  /** Flush a non-empty batch after this delay. @defaultValue 100 */
  flushMs?: number;
  /** Unacknowledged batches allowed before output is paused. @defaultValue 16 */
  window?: number;
  onBatch(batch: LogBatch): void;
  onPause(): void;
  onResume(): void;
}

export class LogBatcher {
  private readonly maxBytes: number;
  private readonly flushMs: number;
  private readonly window: number;
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private entries: LogEntry[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextSeq = 1;
  private readonly unacked: LogBatch[] = [];
  private paused = false;

  constructor(private readonly opts: LogBatcherOptions) {
    this.maxBytes = opts.maxBatchBytes ?? 64 * 1024;
    this.flushMs = opts.flushMs ?? 100;
    this.window = opts.window ?? 16;
  }

  /** Batches sent (or to be sent) and not yet acknowledged, oldest first: resent after a reconnect. */
  get pending(): readonly LogBatch[] {
    return this.unacked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      const room = Math.max(1, this.maxBytes - this.bytes);
      const part = rest.subarray(0, room);
      rest = rest.subarray(part.length);
      this.append(stream, this.decoders[stream].write(part), part.length);
    }
  }

  /** A line from the agent itself about the job (timeout, cancel), stored with the job's logs. */
  system(text: string): void {
    this.append('system', text.endsWith('\n') ? text : text + '\n', Buffer.byteLength(text));
  }

  /** Emits what is buffered (including partial characters left in the decoders) as a last batch. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const tail = this.decoders[stream].end();
      if (tail) this.append(stream, tail, Buffer.byteLength(tail));
    }
    this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.entries.length === 0) return;
    const batch: LogBatch = { seq: this.nextSeq++, entries: this.entries };
    this.entries = [];
    this.bytes = 0;
    this.unacked.push(batch);
    if (!this.paused && this.unacked.length >= this.window) {
      this.paused = true;
      this.opts.onPause();
    }
    this.opts.onBatch(batch);
  }

  /** The control plane stored every batch up to seq. */
  ack(seq: number): void {
    while (this.unacked.length > 0 && (this.unacked[0]?.seq ?? Infinity) <= seq) this.unacked.shift();
    if (this.paused && this.unacked.length < this.window) {
      this.paused = false;
      this.opts.onResume();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private append(stream: LogEntry['stream'], text: string, bytes: number): void {
    if (text.length > 0) {
      const last = this.entries[this.entries.length - 1];
      // Consecutive output of one stream is one entry: fewer, larger rows in the store.
      if (last && last.stream === stream) last.data += text;
      else this.entries.push({ stream, data: text });
    }
    this.bytes += bytes;
    if (this.bytes >= this.maxBytes) this.flush();
    else if (this.timer === null && this.bytes > 0) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }
}
