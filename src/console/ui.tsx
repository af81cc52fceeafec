// Shared pieces: status badges (text + colour, never colour alone), times, errors, tables that scroll.
import type { ComponentChildren } from 'preact';
import { ApiError } from './api.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

const JOB_TONE: Record<string, Tone> = {
  succeeded: 'ok', failed: 'bad', timed_out: 'bad', cancelled: 'muted',
  queued: 'info', provisioning: 'info', assigned: 'info', running: 'warn',
};
const WORKER_TONE: Record<string, Tone> = { ready: 'ok', busy: 'warn', provisioning: 'info', draining: 'info', terminated: 'muted', failed: 'bad' };
const HEALTH_TONE: Record<string, Tone> = { Healthy: 'ok', Degraded: 'warn', Unhealthy: 'bad' };

export function Badge({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

export const JobState = ({ state }: { state: string }) => <Badge tone={JOB_TONE[state] ?? 'muted'}>{state}</Badge>;
export const WorkerState = ({ state }: { state: string }) => <Badge tone={WORKER_TONE[state] ?? 'muted'}>{state}</Badge>;
export const Health = ({ status }: { status: string }) => <Badge tone={HEALTH_TONE[status] ?? 'muted'}>{status}</Badge>;

/** Local time with the full ISO timestamp as a tooltip and machine-readable value. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">–</span>;
  const d = new Date(at);
  return <time dateTime={at} title={at}>{d.toLocaleString(undefined, { hour12: false })}</time>;
}

export function duration(fromIso: string | null | undefined, toIso: string | null | undefined): string {
  if (!fromIso || !toIso) return '–';
  return ms(Date.parse(toIso) - Date.parse(fromIso));
}

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(v / 60_000)} min ${Math.round((v % 60_000) / 1000)} s`;
}

export const pct = (v: number, digits = 2): string => `${(v * 100).toFixed(digits)}%`;

export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = error instanceof ApiError ? `${error.code}: ` : '';
  return <p class="error" role="alert">{code}{error.message}</p>;
}

/** A table in a focusable region, so it scrolls sideways with the keyboard on a narrow screen. */
export function TableBox({ label, children }: { label: string; children: ComponentChildren }) {
  return <div class="table-box" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted" aria-busy="true">Loading {what}…</p>;
}

export const shortId = (id: string | null | undefined): string => (id ? (id.length > 13 ? `${id.slice(0, 8)}…` : id) : '–');
