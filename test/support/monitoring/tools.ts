// Test helpers: run a system tool (promtool, amtool, kubectl) and read generated assets.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../../monitoring/src/cli.js';
import type { Rule, RuleGroup } from '../../../monitoring/src/rules/types.js';

export const ROOT = repoRoot();

export interface ToolResult { code: number | null; out: string }

/** Runs a tool; a missing binary fails with the install hint instead of a bare ENOENT. */
export function tool(bin: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): ToolResult {
  const r = spawnSync(bin, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${bin} is not installed: npm test installs it (scripts/system-packages.mjs), or apt-get install it`);
  }
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const readYaml = <T>(path: string): T => parse(read(path)) as T;
export const listDir = (dir: string, suffix: string): string[] =>
  readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(suffix)).sort().map((f) => `${dir}/${f}`);

export const rulesOf = (groups: RuleGroup[]): Rule[] => groups.flatMap((g) => g.rules);

/** Like tool(), without blocking the event loop (needed when the other end runs in this process). */
export function toolAsync(bin: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}
