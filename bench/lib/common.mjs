// Shared pieces of the benchmarks: progress lines, percentiles, interleaved rounds, the table.
import { performance } from 'node:perf_hooks';

export const QUICK = process.argv.includes('--quick') || /^(1|true|yes)$/i.test(process.env.HODEI_BENCH_QUICK ?? '');

/** Progress goes to stderr, so stdout carries only the table. */
export function progress(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export const median = (xs) => percentile(xs, 50);
export const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(d)));

/** Runs `lanes` workers pulling from 0..n-1. */
export async function lanes(n, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, async () => {
    while (next < n) await fn(next++);
  }));
}

/** Polls `cond` until true or `timeoutMs`; throws naming `what` on timeout. */
export async function waitFor(cond, what, timeoutMs = 120_000, everyMs = 20) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Interleaved rounds: every round runs each subject once, the order rotating each round so no
 * subject always runs first (or last, on a warmer machine). Returns subject → [round results].
 */
export async function interleaved(subjects, rounds, runOne) {
  const out = Object.fromEntries(subjects.map((s) => [s, []]));
  for (let r = 0; r < rounds; r++) {
    const order = subjects.map((_, i) => subjects[(i + r) % subjects.length]);
    for (const s of order) {
      progress(`  round ${r + 1}/${rounds}: ${s}`);
      out[s].push(await runOne(s, r));
    }
  }
  return out;
}

/** Prints rows as an aligned table (columns from the first row's keys, plus any later ones). */
export function table(title, rows) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals) => vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [`## ${title}`, line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c])))), ''].join('\n');
}

/** Stops what a benchmark started, last first, even when one of them throws. */
export class Cleanup {
  #fns = [];
  add(fn) { this.#fns.push(fn); }
  async run() {
    for (const fn of this.#fns.reverse()) {
      try { await fn(); } catch (err) { progress(`cleanup: ${err.message}`); }
    }
    this.#fns = [];
  }
}
