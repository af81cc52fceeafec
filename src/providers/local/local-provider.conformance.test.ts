// The shared WorkerProvider conformance suite, for the local (child process) provider.
import * as vitest from 'vitest';
import { silentLogger } from '../../observability/logger.js';
import { runProviderConformance } from '../../../test/support/provider-conformance.js';
import { LocalProcessProvider } from './local-provider.js';

runProviderConformance(vitest, {
  name: 'local',
  create: () => new LocalProcessProvider({ logger: silentLogger() }),
  createBroken: () => new LocalProcessProvider({ logger: silentLogger(), cliCommand: ['/nonexistent/hodei'] }),
  failureReasons: ['ProvisioningFailed'],
  // The contract is about a worker per job (it ends, list() drops it): the local default is a warm
  // pool of reused agents (test/e2e/pooled.test.ts covers that), so ephemeral agents are asked for.
  config: { workerMode: 'ephemeral' },
});
