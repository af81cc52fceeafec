// A container's log as the runtime keeps it: timestamped lines (capped), readable whole, tailed,
// or followed until the container ends — what `kubectl logs [-f] [--tail] [--timestamps]` reads.
import type { PodLogRequest } from '../../types.js';

const MAX_BYTES = 4 * 1024 * 1024;

interface Line { ts: number; text: string }

/** RFC 3339 with nanoseconds, like the kubelet's `--timestamps` prefix. */
const nanoTs = (ms: number) => new Date(ms).toISOString().replace('Z', '000000Z');

export class ContainerLog {
  private readonly lines: Line[] = [];
  private partial = '';
  private bytes = 0;
  private dropped = 0;
  private ended = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  append(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const ts = this.now();
    for (const p of parts) this.push({ ts, text: p + '\n' });
    this.wake();
  }

  /** The container ended: flush the last partial line and release followers. */
  end(): void {
    if (this.ended) return;
    if (this.partial) { this.push({ ts: this.now(), text: this.partial }); this.partial = ''; }
    this.ended = true;
    this.wake();
  }

  get isEnded(): boolean { return this.ended; }

  text(): string {
    return this.lines.map((l) => l.text).join('') + this.partial;
  }

  private push(l: Line): void {
    this.lines.push(l);
    this.bytes += l.text.length;
    while (this.bytes > MAX_BYTES && this.lines.length > 1) { this.bytes -= this.lines.shift()?.text.length ?? 0; this.dropped++; }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private select(req: Pick<PodLogRequest, 'tailLines' | 'sinceSeconds'>): Line[] {
    let out = this.lines;
    if (req.sinceSeconds !== undefined) { const from = this.now() - req.sinceSeconds * 1000; out = out.filter((l) => l.ts >= from); }
    if (req.tailLines !== undefined) out = out.slice(Math.max(0, out.length - req.tailLines));
    return out;
  }

  /** Whole text for a plain request, an async iterable for follow=true. */
  read(req: Pick<PodLogRequest, 'follow' | 'timestamps' | 'tailLines' | 'sinceSeconds'>): string | AsyncIterable<string> {
    const fmt = (l: Line) => (req.timestamps ? `${nanoTs(l.ts)} ${l.text}` : l.text);
    const first = this.select(req);
    if (!req.follow) return first.map(fmt).join('') + (req.tailLines === undefined && !req.timestamps ? this.partial : '');
    const start = this.lines.length - first.length;
    return this.follow(start, fmt);
  }

  private async *follow(start: number, fmt: (l: Line) => string): AsyncIterable<string> {
    // Absolute line numbers: the cap may drop lines from the head while we follow.
    let next = this.dropped + start;
    for (;;) {
      const from = Math.max(0, next - this.dropped);
      if (from < this.lines.length) {
        const fresh = this.lines.slice(from);
        next = this.dropped + this.lines.length;
        yield fresh.map(fmt).join('');
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
