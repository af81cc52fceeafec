// The example Alertmanager config is valid and routes every Hodei alert's team/severity to a
// real receiver: critical and high page, warning tickets.
import { describe, expect, it } from 'vitest';
import { PATHS } from './src/generate.js';
import { isAlert, type RuleGroup } from './src/rules/types.js';
import { readYaml, rulesOf, tool } from '../test/support/monitoring/tools.js';

const CONFIG = 'monitoring/alertmanager/alertmanager.yaml';
const route = (labels: Record<string, string>): string =>
  tool('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]).out
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Warning')).join(',');

describe('alertmanager example', () => {
  it('passes amtool check-config', () => {
    const r = tool('amtool', ['check-config', CONFIG]);
    expect(r.code, r.out).toBe(0);
  });

  it('routes critical/high to the pager and warning to tickets', () => {
    const alerts = [PATHS.alerts, PATHS.sloRules].flatMap((f) => rulesOf(readYaml<{ groups: RuleGroup[] }>(f).groups)).filter(isAlert);
    for (const a of alerts) {
      const expected = a.labels.severity === 'warning' ? 'platform-tickets' : 'platform-pager';
      expect(route({ alertname: a.alert, ...a.labels }), a.alert).toBe(expected);
    }
    expect(route({ alertname: 'Other', severity: 'critical', team: 'someone-else' })).toBe('default-tickets');
  });
});
