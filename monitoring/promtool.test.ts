// The generated rule files parse (promtool check rules) and behave (promtool test rules): every
// alert has a test where it fires and one where it stays silent, including zero traffic.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PATHS } from './src/generate.js';
import { isAlert, type RuleGroup } from './src/rules/types.js';
import { ROOT, listDir, readYaml, rulesOf, tool } from '../test/support/monitoring/tools.js';

const RULE_FILES = [PATHS.alerts, PATHS.sloRules];
const TEST_FILES = listDir('monitoring/prometheus/tests', '.test.yaml');

interface PromtoolTests { tests: { name?: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }

describe('prometheus rules', () => {
  it('every rule file passes promtool check rules (PromQL parses, names valid)', () => {
    // The PrometheusRule's groups are checked as a plain rule file too.
    const pr = readYaml<{ spec: { groups: RuleGroup[] } }>(PATHS.prometheusRule);
    const fromOperator = join(mkdtempSync(join(tmpdir(), 'hodei-rules-')), 'prometheusrule-groups.yaml');
    writeFileSync(fromOperator, stringify({ groups: pr.spec.groups }));
    const r = tool('promtool', ['check', 'rules', ...RULE_FILES, fromOperator]);
    expect(r.out).not.toMatch(/FAILED/);
    expect(r.code, r.out).toBe(0);
  });

  it.each(TEST_FILES)('promtool test rules %s', (file) => {
    const r = tool('promtool', ['test', 'rules', file]);
    expect(r.code, r.out).toBe(0);
  });

  it('every alert has a firing test and a silent test, and is silent on zero traffic', () => {
    const alerts = RULE_FILES.flatMap((f) => rulesOf(readYaml<{ groups: RuleGroup[] }>(f).groups)).filter(isAlert).map((a) => a.alert);
    const cases = TEST_FILES.flatMap((f) => readYaml<PromtoolTests>(f).tests);
    const fires = new Set(cases.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const silent = new Set(cases.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname)));
    const zero = cases.find((t) => t.name === 'Every alert is silent on zero traffic');
    const zeroSilent = new Set((zero?.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname));
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const a of alerts) {
      expect(fires.has(a), `${a} has no test where it fires`).toBe(true);
      expect(silent.has(a), `${a} has no test where it stays silent`).toBe(true);
      expect(zeroSilent.has(a), `${a} is not checked on zero traffic`).toBe(true);
    }
  });

  it('promtool test rules reports a wrong expectation (the tests can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hodei-rules-'));
    const file = join(dir, 'wrong.test.yaml');
    writeFileSync(file, stringify({
      rule_files: [join(ROOT, PATHS.alerts)],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: [{ series: 'up{job="hodei",namespace="ns",instance="i"}', values: '0x20' }],
        alert_rule_test: [{ eval_time: '15m', alertname: 'HodeiTargetDown', exp_alerts: [] }] }],
    }));
    const r = tool('promtool', ['test', 'rules', file]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/HodeiTargetDown/);
  });
});
