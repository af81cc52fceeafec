// The processes below a worker agent. The agent runs each job in a process group (and session) of
// its own, so signalling the agent's group alone would leave a frozen or killed agent's job behind.
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of every process, from /proc (Linux). Empty where /proc is unavailable. */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the ppid; the command name (field 2) may contain spaces, so parse after ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
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
