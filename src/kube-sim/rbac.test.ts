import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rbac, forbiddenMessage } from './rbac.js';
import { Faults, loadFaults } from './faults.js';

describe('Rbac', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kube-sim-rbac-')), 'policy.yaml');
  writeFileSync(file, [
    'users:',
    '  - name: ci',
    '    token: ci-token',
    '    rules:',
    '      - { verbs: ["*"], resources: ["pods", "pods/*"], namespaces: [ci] }',
    '      - { verbs: [list], resources: [nodes] }',
    '      - { verbs: [get], resources: [deployments], apiGroups: [apps], namespaces: ["*"] }',
  ].join('\n'));
  const rbac = new Rbac('admin', Rbac.load(file));

  it('authenticates bearer tokens', () => {
    expect(rbac.authenticate('Bearer ci-token')?.name).toBe('ci');
    expect(rbac.authenticate('Bearer admin')?.name).toBe('kube-sim-admin');
    expect(rbac.authenticate('Bearer nope')).toBeUndefined();
    expect(rbac.authenticate(undefined)).toBeUndefined();
  });

  it('matches verbs, resources, subresources, groups and namespaces with wildcards', () => {
    const ci = rbac.authenticate('Bearer ci-token');
    if (!ci) throw new Error('no user');
    expect(rbac.allows(ci, { verb: 'delete', group: '', resource: 'pods', namespace: 'ci' })).toBe(true);
    expect(rbac.allows(ci, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'ci' })).toBe(true);
    expect(rbac.allows(ci, { verb: 'get', group: '', resource: 'pods', namespace: 'other' })).toBe(false);
    expect(rbac.allows(ci, { verb: 'list', group: '', resource: 'nodes' })).toBe(true);
    expect(rbac.allows(ci, { verb: 'get', group: 'apps', resource: 'deployments', namespace: 'x' })).toBe(true);
    expect(rbac.allows(ci, { verb: 'get', group: '', resource: 'deployments', namespace: 'x' })).toBe(false);
    expect(rbac.allows(ci, { verb: 'list', group: '', resource: 'pods' })).toBe(false); // all namespaces needs '*'
  });

  it('words denials like the API server', () => {
    expect(forbiddenMessage('ci', { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'x', name: 'p' }))
      .toBe('pods "p" is forbidden: User "ci" cannot get resource "pods/log" in API group "" in the namespace "x"');
  });
});

describe('Faults', () => {
  it('everyNth is exact and seeded rates repeat', () => {
    const f = new Faults({ rules: [{ verbs: ['create'], error: { code: 503 }, everyNth: 20 }] });
    let hits = 0;
    for (let i = 0; i < 100; i++) if (f.decide({ verb: 'create', resource: 'pods' }).error) hits++;
    expect(hits).toBe(5);
    const run = () => {
      const g = new Faults({ seed: 9, rules: [{ error: { code: 500 }, rate: 0.1 }] });
      return Array.from({ length: 200 }, () => (g.decide({ verb: 'get', resource: 'pods' }).error ? 1 : 0)).join('');
    };
    expect(run()).toBe(run());
    expect(run()).toMatch(/1/);
  });

  it('matches resources with subresources, namespaces and count limits', () => {
    const f = new Faults(loadFaults([{ resources: ['pods/log'], namespaces: ['a'], latencyMs: 5, count: 1 }]));
    expect(f.decide({ verb: 'get', resource: 'pods', namespace: 'a' }).applied).toEqual([]);
    expect(f.decide({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'b' }).applied).toEqual([]);
    expect(f.decide({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'a' }).applied).toEqual(['latency']);
    expect(f.decide({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'a' }).applied).toEqual([]);
  });
});
