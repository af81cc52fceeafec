// Secret values must never reach the agent's own logs (or messages it writes about a job): every
// string passes through the redactor, which knows the current job's secret values and the tokens.
import type { Logger } from '../observability/logger.js';

export const REDACTED = '[REDACTED]';

export class Redactor {
  private values: string[] = [];
  private readonly fixed = new Set<string>();

  /** Values redacted for the life of the agent (registration and session tokens). */
  addFixed(value: string): void {
    if (value) this.fixed.add(value);
    this.rebuild([]);
  }

  /** Replaces the job-specific values (the env values named by AssignedJob.secretNames). */
  setJobSecrets(values: readonly string[]): void {
    this.rebuild(values);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }

  redactDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)]));
    }
    return value;
  }

  private rebuild(job: readonly string[]): void {
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set([...this.fixed, ...job])].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  }
}

export interface AgentLog {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** The only way the agent logs: every field and the message are redacted first. */
export function redactingLog(logger: Logger, redactor: Redactor): AgentLog {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: Record<string, unknown>, msg: string): void => {
    logger[level](redactor.redactDeep(obj) as Record<string, unknown>, redactor.redact(msg));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
