// The memory sampler on real processes: a container's RSS covers its process group and the
// descendants that left it; MemoryWatch fires once the limit is passed.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { containerRss, MemoryWatch, scanProcs, containerProcs, signalContainer } from './rss.js';

const children: ChildProcess[] = [];
afterEach(() => { for (const c of children.splice(0)) if (c.pid) signalContainer(c.pid, 'SIGKILL'); });

/** A detached node process that holds `mb` MiB resident and starts a grandchild in its own group. */
function hog(mb: number): Promise<number> {
  const script = `
    const { spawn } = require('node:child_process');
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    globalThis.keep = Buffer.alloc(${mb} * 1024 * 1024, 1);
    console.log('ready'); setInterval(() => {}, 1000);`;
  const p = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(p);
  return new Promise((resolve, reject) => {
    p.stdout?.once('data', () => resolve(p.pid ?? -1));
    p.once('error', reject);
  });
}

describe('RSS sampling', () => {
  it('sums the process group and descendants in other groups', async () => {
    const pid = await hog(64);
    const procs = containerProcs(scanProcs(), pid);
    expect(procs.length).toBe(2); // the leader and its detached grandchild
    expect(containerRss(pid)).toBeGreaterThan(64 * 1024 * 1024);
  });

  it('MemoryWatch reports a container over its limit, not one under it', async () => {
    const pid = await hog(48);
    const watch = new MemoryWatch(20);
    const over = new Promise<number>((resolve) => watch.add(pid, 32 * 1024 * 1024, resolve));
    let underFired = false;
    watch.add(process.pid, 1024 ** 4, () => { underFired = true; });
    expect(await over).toBeGreaterThan(32 * 1024 * 1024);
    watch.sample();
    expect(underFired).toBe(false);
    watch.close();
  });

  it('signalContainer kills the leader and its descendants', async () => {
    const pid = await hog(1);
    const members = containerProcs(scanProcs(), pid).map((p) => p.pid);
    signalContainer(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const alive = new Set(scanProcs().filter((p) => members.includes(p.pid) && p.ppid !== 0).map((p) => p.pid));
    // Killed processes may linger as zombies until reaped; none may still be running.
    for (const m of alive) expect(readState(m)).toMatch(/^[ZX]/);
  });
});

function readState(pid: number): string {
  try { return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1] ?? 'X'; } catch { return 'X'; }
}
