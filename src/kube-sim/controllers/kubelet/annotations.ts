// Per-pod knobs of simulated containers, set as pod annotations (documented in docs/kube-sim.md).
import type { Pod } from '../pod-types.js';

export const ANNOTATIONS = {
  /** Exit code of the pod's simulated main containers. */
  exitCode: 'sim.hodei.io/exit-code',
  /** How long simulated main containers run (also makes restartPolicy Always pods exit). */
  runSeconds: 'sim.hodei.io/run-seconds',
  /** "true": main containers are OOMKilled (exit 137) after run-seconds (default 0), real agent processes included. */
  oom: 'sim.hodei.io/oom',
  /** CPU usage reported for the pod to the HPA controller (quantity, e.g. "250m"). */
  cpuUsage: 'sim.hodei.io/cpu-usage',
  /** Memory usage reported for the pod to the HPA controller (quantity). */
  memoryUsage: 'sim.hodei.io/memory-usage',
} as const;

export interface SimBehaviour {
  exitCode: number;
  /** Infinity = until killed. */
  runMs: number;
  oom: boolean;
  /** run-seconds given explicitly (an OOM of a real process waits for it). */
  runSet: boolean;
}

export function simBehaviour(pod: Pod, defaults: { runSeconds: number; exitCode: number }): SimBehaviour {
  const a = pod.metadata.annotations ?? {};
  const num = (k: string): number | undefined => { const v = a[k]; const n = v === undefined ? NaN : Number(v); return Number.isFinite(n) ? n : undefined; };
  const run = num(ANNOTATIONS.runSeconds);
  const restartAlways = (pod.spec.restartPolicy ?? 'Always') === 'Always';
  const oom = a[ANNOTATIONS.oom] === 'true';
  return {
    exitCode: num(ANNOTATIONS.exitCode) ?? defaults.exitCode,
    runMs: run !== undefined ? run * 1000 : restartAlways && !oom ? Infinity : defaults.runSeconds * 1000,
    oom,
    runSet: run !== undefined,
  };
}
