// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/area, the
// view docs/performance.md quotes. Usage: node bench/lib/profile-summary.mjs FILE [top=15]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [top]');
const top = Number(topArg ?? 15);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);

/** node_modules/<pkg>, dist/<area>, node:internal, or the V8 pseudo-frame (GC, idle, program). */
function area(url, name) {
  if (!url) return `(${name || 'native'})`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const d = /\/dist\/([^/]+(?:\/[^/]+)?)\//.exec(url) ?? /\/dist\/([^/]+)/.exec(url);
  if (d) return `hodei ${d[1]}`;
  return url.startsWith('node:') ? url.split('/').slice(0, 2).join('/') : url;
}
const byFn = new Map(), byArea = new Map();
for (const n of prof.nodes) {
  const t = dt.get(n.id) ?? 0;
  if (!t) continue;
  const { functionName, url, lineNumber } = n.callFrame;
  const fn = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + t);
}
const show = (title, m) => {
  console.log(`${title} (of ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show('self time by area', byArea);
show('self time by function', byFn);
