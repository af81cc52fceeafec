// `hodei incident --since 2h`: a Markdown timeline to start the post-mortem the observability guide
// asks for — SLO violations and recoveries, failures by reason, health changes, related events.
import type { Diagnosis } from './analyze.js';
import type { EventJson, Snapshot } from './snapshot.js';

/** Event types that belong on an incident timeline. */
export const INCIDENT_EVENT_TYPES = [
  'slo.violated', 'slo.recovered', 'health.changed', 'worker.failed', 'network_policy.violation',
  'hpa.scale_up', 'hpa.scale_down', 'namespace.deleted', 'api.request.failed',
] as const;

function describe(e: EventJson): string {
  const d = e.details;
  const s = (k: string): string => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : '');
  switch (e.event_type) {
    case 'slo.violated': return `**SLO violated** — ${s('message')}`;
    case 'slo.recovered': return `SLO recovered — ${s('slo')} (${s('message')})`;
    case 'health.changed': return `Health ${s('probe')}: ${s('from')} → **${s('to')}**${Array.isArray(d.failing) && d.failing.length ? ` (${(d.failing as string[]).join('; ')})` : ''}`;
    case 'worker.failed': return `Worker ${e.worker_id ?? '?'} failed: ${s('reason')}${s('message') ? ` — ${s('message')}` : ''}${s('job_id') ? ` (job ${s('job_id')})` : ''}`;
    case 'network_policy.violation': return `Network policy violation (${s('source')}): ${s('destination')}${s('port') ? `:${s('port')}` : ''}${s('job_id') ? ` (job ${s('job_id')})` : ''}`;
    case 'hpa.scale_up': case 'hpa.scale_down': return `Pool ${s('pool')} scaled ${s('from')} → ${s('to')}`;
    default: return `${e.event_type} ${JSON.stringify(d).slice(0, 160)}`;
  }
}

/** API failures are collapsed per minute so a storm is one line, not a thousand. */
function timeline(events: EventJson[]): Array<{ at: string; text: string }> {
  const rows: Array<{ at: string; text: string }> = [];
  type Storm = { minute: string; count: number; codes: Map<string, number> };
  let storm = null as Storm | null; // reassigned inside flush(): keep TypeScript from narrowing it to null
  const flush = (): void => {
    if (!storm) return;
    const codes = [...storm.codes].map(([c, n]) => `${c}×${n}`).join(', ');
    rows.push({ at: `${storm.minute}:00Z`, text: `${storm.count} Kubernetes API request failures (${codes})` });
    storm = null;
  };
  for (const e of events) {
    if (e.event_type === 'api.request.failed') {
      const minute = e.timestamp.slice(0, 16);
      if (storm?.minute !== minute) { flush(); storm = { minute, count: 0, codes: new Map() }; }
      storm.count++;
      const code = String(e.details.code ?? 'none');
      storm.codes.set(code, (storm.codes.get(code) ?? 0) + 1);
      continue;
    }
    flush();
    rows.push({ at: e.timestamp, text: describe(e) });
  }
  flush();
  return rows;
}

export function renderIncident(s: Snapshot, d: Diagnosis, since: string): string {
  const count = (t: string): number => s.events.filter((e) => e.event_type === t).length;
  const rows = timeline(s.events);
  return [
    `# Incident timeline (since ${since}, until ${s.at.toISOString()})`,
    '',
    '## Summary',
    '',
    `- SLO violations: ${count('slo.violated')}, recoveries: ${count('slo.recovered')}`,
    `- Worker failures: ${d.failed}${d.failuresByReason.length ? ` (${d.failuresByReason.map((f) => `${f.reason} ${f.count}`).join(', ')})` : ''}`,
    `- Health changes: ${count('health.changed')}; readiness now: ${d.readiness.status}`,
    `- Kubernetes API request failures: ${count('api.request.failed')}; network policy violations: ${count('network_policy.violation')}`,
    '',
    '## Timeline',
    '',
    ...(rows.length ? ['| time (UTC) | what happened |', '|---|---|', ...rows.map((r) => `| ${r.at} | ${r.text.replaceAll('|', '\\|')} |`)] : ['Nothing recorded in this window.']),
    '',
    '## Failures by reason',
    '',
    ...(d.failuresByReason.length ? d.failuresByReason.map((f) => `- ${f.reason}: ${f.count}`) : ['- none']),
    '',
    '## Likely causes (from `hodei diagnose`)',
    '',
    ...(d.causes.length ? d.causes.map((c) => `- ${c}`) : ['- no known problem pattern found']),
    '',
    '## Post-mortem',
    '',
    '- **Impact:** ',
    '- **Root cause:** ',
    '- **Corrective action:** ',
    '- **Follow-ups (alerts, runbooks, SLO targets):** ',
    '',
  ].join('\n');
}
