// SLO recording rules (error ratio and burn rate per SLO and window, budget remaining over the SLO
// period) and multi-window multi-burn-rate alerts (Google SRE workbook, chapter 5).
import type { MonitoringOptions } from '../options.js';
import { alertRule } from './alerts.js';
import { sliDefinitions } from './sli.js';
import type { AlertingRule, RecordingRule, RuleGroup } from './types.js';

/** The period the error budget is counted over; the burn-rate factors below assume 30 days. */
export const SLO_PERIOD = '30d';
export const SHORT_WINDOWS = ['5m', '30m', '1h', '2h', '6h'] as const;
export const LONG_WINDOWS = ['1d', '3d', SLO_PERIOD] as const;

/** [long window, short window, burn-rate factor]: page = 2 % of the budget in 1 h or 5 % in 6 h; ticket = 10 % in 3 d… */
export const PAGE_BURNS = [['1h', '5m', 14.4], ['6h', '30m', 6]] as const;
export const TICKET_BURNS = [['1d', '2h', 3], ['3d', '6h', 1]] as const;

export const errorRatioRecord = (w: string): string => `hodei:slo_error_ratio:rate${w}`;
export const burnRateRecord = (w: string): string => `hodei:slo_burn_rate:rate${w}`;
export const BUDGET_REMAINING_RECORD = 'hodei:slo_error_budget_remaining:ratio';

function windowRules(o: MonitoringOptions, windows: readonly string[]): RecordingRule[] {
  const out: RecordingRule[] = [];
  for (const sli of sliDefinitions(o.slos)) {
    for (const w of windows) {
      out.push({ record: errorRatioRecord(w), expr: sli.errorRatio(w), labels: { slo: sli.slo } });
      out.push({ record: burnRateRecord(w), expr: `${errorRatioRecord(w)}{slo="${sli.slo}"} / ${sli.budget}`, labels: { slo: sli.slo } });
    }
  }
  return out;
}

function burnExpr(burns: readonly (readonly [string, string, number])[]): string {
  return burns
    .map(([long, short, f]) => `(\n  ${burnRateRecord(long)} > ${f}\nand\n  ${burnRateRecord(short)} > ${f}\n)`)
    .join('\nor\n');
}

function burnAlerts(o: MonitoringOptions): AlertingRule[] {
  const describe = (burns: readonly (readonly [string, string, number])[]): string =>
    burns.map(([l, s, f]) => `${f}x over ${l} and ${s}`).join(' or ');
  return [
    alertRule(o, {
      alert: 'SLOErrorBudgetBurnFast', expr: burnExpr(PAGE_BURNS), for: '2m', severity: 'critical',
      summary: 'SLO {{ $labels.slo }} is burning its error budget fast',
      description: `Error budget of SLO {{ $labels.slo }} in {{ $labels.namespace }} burns at {{ $value | printf "%.1f" }}x the sustainable rate (${describe(PAGE_BURNS)}); at this pace the ${SLO_PERIOD} budget is gone within days.`,
    }),
    alertRule(o, {
      alert: 'SLOErrorBudgetBurnSlow', expr: burnExpr(TICKET_BURNS), for: '15m', severity: 'warning',
      summary: 'SLO {{ $labels.slo }} is burning its error budget',
      description: `Error budget of SLO {{ $labels.slo }} in {{ $labels.namespace }} burns at {{ $value | printf "%.2f" }}x the sustainable rate (${describe(TICKET_BURNS)}).`,
    }),
  ];
}

export function sloRuleGroups(o: MonitoringOptions): RuleGroup[] {
  const budgetRemaining: RecordingRule[] = sliDefinitions(o.slos).map((sli) => ({
    record: BUDGET_REMAINING_RECORD,
    expr: `1 - ${burnRateRecord(SLO_PERIOD)}{slo="${sli.slo}"}`,
    labels: { slo: sli.slo },
  }));
  return [
    { name: 'hodei-slo-short-windows', interval: '30s', rules: windowRules(o, SHORT_WINDOWS) },
    { name: 'hodei-slo-long-windows', interval: '5m', rules: [...windowRules(o, LONG_WINDOWS), ...budgetRemaining] },
    { name: 'hodei-slo-burn-rate-alerts', rules: burnAlerts(o) },
  ];
}
