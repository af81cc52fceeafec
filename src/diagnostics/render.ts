// One screen of text for `hodei diagnose`.
import type { Diagnosis } from './analyze.js';

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const kv = (o: Record<string, number>): string => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

export function renderDiagnosis(d: Diagnosis): string {
  const lines = [
    `Worker creation (last ${d.windowMinutes} m): ${d.created} created, ${d.failed} failed, ${d.creationRatePerMinute.toFixed(2)}/min`,
    `Pods by state:      ${kv(d.podsByState)}`,
    `Pending reasons:    ${kv(d.pendingByReason)}`,
    `Failures by reason: ${d.failuresByReason.map((f) => `${f.reason} ${f.count}`).join(', ') || 'none'}`,
    `API error rate:     ${pct(d.api.rate)} (${d.api.errors} of ${d.api.requests} requests since start)`,
    `Readiness:          ${d.readiness.status}`,
    ...d.readiness.failing.map((c) => `  [${c.status === 'Degraded' ? '~' : '-'}] ${c.name}: ${c.message}`),
    `SLOs:               ${d.slo.length ? '' : 'no SLO data'}`,
    ...d.slo.map((s) => `  ${s.compliant ? 'ok  ' : 'VIOL'} ${s.slo.padEnd(28)} current ${fmt(s.slo, s.current)}  target ${fmt(s.slo, s.target)}  burn ${s.burnRate.toFixed(2)}x`),
    '',
    d.causes.length ? 'Likely causes:' : 'Likely causes: no known problem pattern found.',
    ...d.causes.map((c) => `  - ${c}`),
  ];
  return lines.join('\n') + '\n';
}

function fmt(slo: string, v: number): string {
  return slo.endsWith('_rate') ? pct(v) : `${v.toFixed(2)} s`;
}
