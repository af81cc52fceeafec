// HPA behaviour: rate policies per period and min/max, with the real ScalingLimited reasons.
import { describe, expect, it } from 'vitest';
import { limitReplicas, type Behavior } from './hpa-behavior.js';

const now = 1_000_000;

describe('limitReplicas', () => {
  it('without policies only min/max limit', () => {
    expect(limitReplicas(50, 1, 1, 10, undefined, [], now)).toMatchObject({ replicas: 10, reason: 'TooManyReplicas', limited: true });
    expect(limitReplicas(0, 5, 2, 10, undefined, [], now)).toMatchObject({ replicas: 2, reason: 'TooFewReplicas', limited: true });
    expect(limitReplicas(7, 5, 2, 10, undefined, [], now)).toMatchObject({ replicas: 7, reason: 'DesiredWithinRange', limited: false });
  });

  it('scale-up policies: the most permissive (Max) of pods and percent per period', () => {
    const b: Behavior = { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] } };
    expect(limitReplicas(50, 2, 1, 100, b, [], now)).toMatchObject({ replicas: 6, reason: 'ScaleUpLimit', limited: true });
    expect(limitReplicas(50, 10, 1, 100, b, [], now)).toMatchObject({ replicas: 20, reason: 'ScaleUpLimit' });
    // 6 were added 5 s ago from 2: the period started at 2, so at most 2 + 4 = 6 → no more now.
    expect(limitReplicas(50, 8, 1, 100, b, [{ at: now - 5000, change: 6 }], now).replicas).toBe(8);
    expect(limitReplicas(50, 8, 1, 100, { scaleUp: { ...b.scaleUp, selectPolicy: 'Min' } }, [], now).replicas).toBe(12);
  });

  it('scale-down policies and Disabled', () => {
    const b: Behavior = { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
    expect(limitReplicas(1, 5, 1, 10, b, [], now)).toMatchObject({ replicas: 4, reason: 'ScaleDownLimit', limited: true });
    expect(limitReplicas(1, 5, 1, 10, { scaleDown: { selectPolicy: 'Disabled' } }, [], now).replicas).toBe(5);
  });
});
