// hodei slo [--json] [--check]: SLO targets, current SLIs over the window, budgets and burn rates.
import type { Command } from 'commander';
import type { SloReport } from '../observability/slo-engine.js';
import { SECONDS_SLOS as SECONDS } from '../providers/kubernetes/slo-config.js';
import { addClientOptions, clientFrom, type ClientFlags } from './common.js';
import { renderOne, table } from './output.js';

const RATIO_MIN = new Set(['worker_creation_success_rate']);

function value(slo: string, v: number): string {
  return SECONDS.has(slo) ? `${v.toFixed(2)} s` : `${(v * 100).toFixed(2)}%`;
}

export function formatSloReport(r: SloReport): string {
  const window = r.windowSeconds % 3600 === 0 ? `${r.windowSeconds / 3600}h` : `${Math.round(r.windowSeconds / 60)}m`;
  const head = `SLOs over the last ${window} (evaluated ${r.evaluatedAt}): ${r.compliant ? 'all met' : `${r.violations.length} VIOLATED`}\n\n`;
  const rows = r.slos.map((s) => [
    s.slo, `${RATIO_MIN.has(s.slo) ? '≥' : '≤'} ${value(s.slo, s.target)}${SECONDS.has(s.slo) ? ' (P95)' : ''}`,
    s.total === 0 ? 'no data' : value(s.slo, s.current), s.compliant ? 'ok' : 'VIOLATED',
    `${(s.errorBudgetRemaining * 100).toFixed(1)}%`, s.burnRate.toFixed(2), `${s.bad}/${s.total}`,
  ]);
  const t = table(['SLO', 'TARGET', 'CURRENT', 'STATUS', 'BUDGET LEFT', 'BURN RATE', 'BAD/TOTAL'], rows);
  const w = r.slis;
  const counts = `\nWorkers in window: ${w.workersCreatedLastHour} created, ${w.workersFailedLastHour} failed; schedule ticks missed: ${w.scheduleTicksMissed}\n`;
  const v = r.violations.length ? `\nViolations:\n${r.violations.map((x) => `  - ${x.message}`).join('\n')}\n` : '';
  return head + t + counts + v;
}

export function registerSloCommand(program: Command): void {
  addClientOptions(program.command('slo').description('SLO compliance, error budgets and burn rates over the rolling window')
    .option('--check', 'exit with code 1 when any SLO is violated'), ['table', 'json', 'yaml'])
    .action(async (flags: ClientFlags & { check?: boolean }) => {
      const r = await clientFrom(flags).getJson<SloReport>('/v1/slo');
      process.stdout.write(renderOne(flags, r, () => formatSloReport(r)));
      if (flags.check && !r.compliant) process.exitCode = 1;
    });
}
