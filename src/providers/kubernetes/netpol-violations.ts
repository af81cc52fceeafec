// Runtime network-policy denials are watched in the worker namespace whether or not Hodei manages
// the policies: a cluster operator's own deny-egress policy refusing a job's connection is a
// violation an SRE needs named (metric, event, `hodei diagnose`) all the same.
import { EventEmitter } from 'node:events';
import { apiMessage } from './api-errors.js';
import type { NetpolEventMap } from './network-policy.js';
import { ViolationWatcher } from './netpol-watch.js';
import type { ExtensionContext, ProviderExtension } from './kubernetes-provider.js';

export class NetpolViolationWatch implements ProviderExtension {
  readonly name = 'network-policy-violations';
  readonly events = new EventEmitter<NetpolEventMap>();
  private watcher: ViolationWatcher | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  async start(ctx: ExtensionContext): Promise<void> {
    await this.startWatcher(ctx);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.watcher?.stop();
  }

  /** Best effort: without access to Events, workers still run (retried every 30 s). */
  private async startWatcher(ctx: ExtensionContext): Promise<void> {
    const w = new ViolationWatcher({
      client: ctx.client, core: ctx.core, namespace: ctx.options.namespace, logger: ctx.logger,
      onViolation: (v) => this.events.emit('violation', v),
    });
    try {
      await w.start();
      this.watcher = w;
    } catch (err) {
      ctx.logger.warn({ err: apiMessage(err) }, 'cannot watch NetworkPolicyViolation events; retrying in 30 s');
      if (!this.stopped) this.retry = setTimeout(() => void this.startWatcher(ctx), 30_000).unref();
    }
  }
}
