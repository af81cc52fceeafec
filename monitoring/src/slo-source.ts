// SLO targets of a deployment: the `slo:` section of a Hodei config file, resolved exactly as the
// control plane resolves it (loadConfig + KubernetesSLOs.from), so generated assets and GET /v1/slo
// judge the same targets.
import { loadConfig } from '../../src/config.js';
import { KubernetesSLOs } from '../../src/providers/kubernetes/slo.js';
import type { SloTargets } from '../../src/providers/kubernetes/slo-config.js';

export function slosFromConfigFile(file: string): SloTargets {
  const { windowSeconds: _window, ...targets } = loadConfig({ file, env: {} }).slo ?? {};
  return KubernetesSLOs.from(targets);
}
