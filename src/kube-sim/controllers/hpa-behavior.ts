// HPA scaling behaviour (autoscaling/v2 spec.behavior): stabilisation windows and rate-limiting
// policies, combined with min/max as the real controller's normalizeDesiredReplicasWithBehaviors.
// Rate policies apply only when the HPA sets them: the real defaults (4 pods or 100 % per 15 s up)
// would make simulated pools slow to follow, which the sim is not meant to measure.

export interface ScalingPolicy { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }
export interface ScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: 'Max' | 'Min' | 'Disabled'; policies?: ScalingPolicy[] }
export interface Behavior { scaleUp?: ScalingRules; scaleDown?: ScalingRules }

/** A rescale done by the controller (change > 0: up), for the rate policies' periods. */
export interface ScaleEvent { at: number; change: number }

export interface Limited { replicas: number; reason: string; message: string; limited: boolean }

function periodStart(events: ScaleEvent[], current: number, now: number, periodSeconds: number, up: boolean): number {
  const inPeriod = events.filter((e) => e.at > now - periodSeconds * 1000 && (up ? e.change > 0 : e.change < 0));
  return current - inPeriod.reduce((n, e) => n + e.change, 0);
}

function upLimit(rules: ScalingRules | undefined, events: ScaleEvent[], current: number, now: number): number {
  if (!rules?.policies?.length && rules?.selectPolicy !== 'Disabled') return Infinity;
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = (rules.policies ?? []).map((p) => {
    const start = periodStart(events, current, now, p.periodSeconds, true);
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits);
}

function downLimit(rules: ScalingRules | undefined, events: ScaleEvent[], current: number, now: number): number {
  if (!rules?.policies?.length && rules?.selectPolicy !== 'Disabled') return -Infinity;
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = (rules.policies ?? []).map((p) => {
    const start = periodStart(events, current, now, p.periodSeconds, false);
    return p.type === 'Pods' ? start - p.value : Math.ceil(start * (1 - p.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.max(...limits) : Math.min(...limits);
}

/** Apply rate policies and min/max to a (stabilised) recommendation. */
export function limitReplicas(desired: number, current: number, min: number, max: number, behavior: Behavior | undefined, events: ScaleEvent[], now: number): Limited {
  if (desired > current) {
    const rate = Math.max(current, upLimit(behavior?.scaleUp, events, current, now));
    const [allowed, reason, message] = max > rate
      ? [rate, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (desired > allowed) return { replicas: allowed, reason, message, limited: true };
  } else if (desired < current) {
    const rate = Math.min(current, downLimit(behavior?.scaleDown, events, current, now));
    const [allowed, reason, message] = min < rate
      ? [rate, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
      : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (desired < allowed) return { replicas: allowed, reason, message, limited: true };
  }
  if (desired > max) return { replicas: max, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count', limited: true };
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count', limited: true };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range', limited: false };
}
