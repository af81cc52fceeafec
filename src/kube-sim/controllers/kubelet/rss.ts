// Memory accounting of real container processes. A container is its leader process, everything
// in the leader's process group and every descendant (the agent starts jobs in their own groups):
// what a cgroup would hold on a node. Sampled from /proc.
import { readdirSync, readFileSync } from 'node:fs';

const PAGE = 4096;

export interface ProcInfo { pid: number; ppid: number; pgrp: number; rss: number }

/** Every process on the machine (one /proc scan). */
export function scanProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return out; }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${e}/stat`, 'latin1'); } catch { continue; }
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp ...; rss is field 24.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rss = Number(rest[21]) * PAGE;
    out.push({ pid: Number(e), ppid: Number(rest[1]), pgrp: Number(rest[2]), rss: Number.isFinite(rss) ? rss : 0 });
  }
  return out;
}

/** The processes of the container led by `leader`: its process group plus all descendants. */
export function containerProcs(procs: readonly ProcInfo[], leader: number): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) { const l = children.get(p.ppid); if (l) l.push(p); else children.set(p.ppid, [p]); }
  const members = new Map<number, ProcInfo>();
  const stack = procs.filter((p) => p.pid === leader || p.pgrp === leader);
  while (stack.length) {
    const p = stack.pop();
    if (!p || members.has(p.pid)) continue;
    members.set(p.pid, p);
    for (const c of children.get(p.pid) ?? []) stack.push(c);
  }
  return [...members.values()];
}

export function containerRss(leader: number, procs: readonly ProcInfo[] = scanProcs()): number {
  return containerProcs(procs, leader).reduce((n, p) => n + p.rss, 0);
}

/** Send a signal to every process of a container (ESRCH ignored). */
export function signalContainer(leader: number, signal: NodeJS.Signals): void {
  const pids = containerProcs(scanProcs(), leader).map((p) => p.pid);
  try { process.kill(-leader, signal); } catch { /* group gone */ }
  for (const pid of pids) { try { process.kill(pid, signal); } catch { /* already gone */ } }
}

/** Calls `onExceeded` once when a watched container's RSS passes its limit. One timer for all. */
export class MemoryWatch {
  private readonly watched = new Map<number, { limit: number; onExceeded: (rss: number) => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 250) {}

  add(leader: number, limitBytes: number, onExceeded: (rss: number) => void): () => void {
    this.watched.set(leader, { limit: limitBytes, onExceeded });
    if (!this.timer) { this.timer = setInterval(() => this.sample(), this.intervalMs); this.timer.unref(); }
    return () => this.remove(leader);
  }

  private remove(leader: number): void {
    this.watched.delete(leader);
    if (this.watched.size === 0 && this.timer) { clearInterval(this.timer); this.timer = undefined; }
  }

  sample(): void {
    if (this.watched.size === 0) return;
    const procs = scanProcs();
    for (const [leader, w] of [...this.watched]) {
      const rss = containerRss(leader, procs);
      if (rss > w.limit) { this.remove(leader); w.onExceeded(rss); }
    }
  }

  close(): void {
    this.watched.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
