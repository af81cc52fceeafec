// A real local provider whose provisioning can be made to fail or to never start a worker, by a
// job label: `hodei-test/provision=fail|hang`. Lets tests reach "the job never ran" and "cancelled
// before it started" through the real control plane.
import type { Logger } from '../../src/observability/logger.js';
import { LocalProcessProvider } from '../../src/providers/local/local-provider.js';
import type { ProvisionRequest, WorkerProvider } from '../../src/providers/provider.js';

export const PROVISION_LABEL = 'hodei-test/provision';

export function scriptedLocalProvider(logger: Logger): WorkerProvider {
  const inner = new LocalProcessProvider({ logger });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'provision') {
        return async (req: ProvisionRequest) => {
          const mode = req.labels[PROVISION_LABEL];
          if (mode === 'fail') throw new Error('scripted provisioning failure');
          if (mode === 'hang') return { handle: `hang-${req.workerId}` };
          return target.provision(req);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
