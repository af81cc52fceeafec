// Picks the WorkerProvider from config: the one place that knows every provider.
import type { HodeiConfig } from '../config.js';
import { ConfigError } from '../errors/errors.js';
import type { Logger } from '../observability/logger.js';
import { LocalProcessProvider } from './local/local-provider.js';
import type { WorkerProvider } from './provider.js';

export function createProvider(cfg: HodeiConfig, logger: Logger): WorkerProvider {
  switch (cfg.provider) {
    case 'local':
      return new LocalProcessProvider({ logger });
    case 'kubernetes':
      throw new ConfigError('provider', "'kubernetes' is not available in this build yet; use 'local'");
  }
}
