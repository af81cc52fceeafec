// The extension interface of the Kubernetes provider: something started with it (network policies,
// worker pools) that shares its client, namespaces and typed events. In its own file so extensions
// and the provider both import it without importing each other.
import type { EventEmitter } from 'node:events';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../observability/logger.js';
import type { ProvisionRequest } from '../provider.js';
import type { KubeClient } from './client/client.js';
import type { KubernetesOptions } from './config.js';
import type { KubernetesProviderEventMap } from './events.js';
import type { NamespaceManager } from './pods/namespace.js';
import type { FailureReason } from './vocabulary.js';

/** Something started with the provider: network policies (issue 4 item 4), worker pools + HPA (item 5). */
export interface ProviderExtension {
  readonly name: string;
  start(ctx: ExtensionContext): Promise<void>;
  stop?(): Promise<void>;
  /** Checked before anything is created for a worker; a refusal fails the worker with its reason. */
  admit?(req: ProvisionRequest): Promise<{ reason: FailureReason; message: string } | null>;
}

export interface ExtensionContext {
  client: KubeClient;
  core: CoreV1Api;
  options: KubernetesOptions;
  namespaces: NamespaceManager;
  events: EventEmitter<KubernetesProviderEventMap>;
  logger: Logger;
}
