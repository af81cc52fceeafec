// The processes a worker agent leaves behind. The agent runs each job in a process group (and
// session) of its own, so signalling the agent's group alone would leave a frozen or killed agent's
// job behind; and once the agent is dead its job is re-parented to init, out of reach of a tree walk.
// Node has no prctl(PR_SET_PDEATHSIG), so the provider finds them itself: every process it started
// for a worker inherits HODEI_WORKER_ID=<id> in its environment (the agent's, passed on to jobs).
import { readdirSync, readFileSync } from 'node:fs';

function pids(): number[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return []; // no /proc (not Linux): nothing to find
  }
}

/** Parent pid of every process, from /proc (Linux). Empty where /proc is unavailable. */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const pid of pids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 4 is the ppid; the command name (field 2) may contain spaces, so parse after ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(pid, ppid);
    } catch {
      // exited meanwhile
    }
  }
  return parents;
}

/** Every descendant pid of `root` (not including it). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentMap()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop() ?? -1) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** Pids whose environment holds `name=value` exactly (processes of other users are unreadable: skipped). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const out: number[] = [];
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (env.includes(needle)) out.push(pid);
    } catch {
      // exited meanwhile, or not ours
    }
  }
  return out;
}
