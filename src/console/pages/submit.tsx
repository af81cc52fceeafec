// Submit: a form for POST /v1/jobs. Validation is the API's own (the same JSON Schema every client
// meets): the form sends what was typed and shows each field the API names next to that field.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, post, type FieldError } from '../api.js';
import { navigate } from '../hooks.js';
import type { Job } from '../types.js';

interface Form {
  command: string; args: string; image: string; cpu: string; memory: string;
  timeout: string; retries: string; labels: string; env: string;
}
const EMPTY: Form = { command: '', args: '', image: '', cpu: '', memory: '', timeout: '', retries: '0', labels: '', env: '' };

/** Form control → the API field names it covers (the API names e.g. `resources.cpu`, `labels`). */
const FIELDS: Record<keyof Form, string> = {
  command: 'command', args: 'args', image: 'image', cpu: 'resources.cpu', memory: 'resources.memory',
  timeout: 'timeoutSeconds', retries: 'retries', labels: 'labels', env: 'env',
};

const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);
/** `key=value` per line; a line without `=` is sent as a key with an empty value for the API to judge. */
const pairs = (s: string): Record<string, string> => Object.fromEntries(lines(s).map((l) => {
  const i = l.indexOf('=');
  return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
}));
/** A whole number is sent as a number; anything else as typed, so the API names the field and rule. */
const integer = (s: string): number | string => (/^-?\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim());

function toSubmission(f: Form): Record<string, unknown> {
  const body: Record<string, unknown> = { command: f.command.trim(), args: lines(f.args) };
  if (f.image.trim()) body.image = f.image.trim();
  const resources: Record<string, string> = {};
  if (f.cpu.trim()) resources.cpu = f.cpu.trim();
  if (f.memory.trim()) resources.memory = f.memory.trim();
  if (Object.keys(resources).length) body.resources = resources;
  if (f.timeout.trim()) body.timeoutSeconds = integer(f.timeout);
  if (f.retries.trim()) body.retries = integer(f.retries);
  if (f.labels.trim()) body.labels = pairs(f.labels);
  if (f.env.trim()) body.env = pairs(f.env);
  return body;
}

/** Which control an API field error belongs to (`labels.team`, `args[2]` → labels, args). */
function controlOf(field: string): keyof Form | undefined {
  const base = field.replace(/^body\./, '');
  return (Object.keys(FIELDS) as Array<keyof Form>).find((k) => base === FIELDS[k] || base.startsWith(`${FIELDS[k]}.`) || base.startsWith(`${FIELDS[k]}[`));
}

export function Submit() {
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string[]>>>({});
  const [general, setGeneral] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const onSubmit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setGeneral(undefined);
    try {
      const job = await post<Job>('/v1/jobs', toSubmission(form));
      setErrors({});
      navigate(`/jobs/${job.id}`);
    } catch (err) {
      const byControl: Partial<Record<keyof Form, string[]>> = {};
      const unplaced: FieldError[] = [];
      for (const f of err instanceof ApiError ? err.fields : []) {
        const c = controlOf(f.field);
        if (c) (byControl[c] ??= []).push(`${f.field}: ${f.rule}`);
        else unplaced.push(f);
      }
      setErrors(byControl);
      setGeneral(`${err instanceof ApiError ? `${err.code}: ` : ''}${(err as Error).message}${unplaced.length ? ` (${unplaced.map((f) => f.field).join(', ')})` : ''}`);
      // Move focus to the first field the API named, so a keyboard user lands on it.
      const first = (Object.keys(FIELDS) as Array<keyof Form>).find((k) => byControl[k]);
      if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof Form, label: string, input: (p: InputProps) => ComponentChildren, hint?: string) => {
    const errs = errors[name];
    const ids = [hint ? `${name}-hint` : '', errs ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div class={`field${errs ? ' invalid' : ''}`} data-field={name}>
        <label for={`f-${name}`}>{label}</label>
        {input({ id: `f-${name}`, name, value: form[name], 'aria-invalid': errs ? 'true' : undefined, 'aria-describedby': ids,
          onInput: (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }) })}
        {hint && <p id={`${name}-hint`} class="hint">{hint}</p>}
        {errs && <p id={`${name}-error`} class="field-error">{errs.join('; ')}</p>}
      </div>
    );
  };

  return (
    <>
      <h1>Submit a job</h1>
      <form ref={formRef} class="submit" noValidate onSubmit={(e) => void onSubmit(e)} aria-describedby={general ? 'submit-error' : undefined}>
        {general && <p id="submit-error" class="error" role="alert">{general}</p>}
        <div class="grid two">
          {field('command', 'Command (required)', (p) => <input type="text" {...p} placeholder="sh" autoComplete="off" />)}
          {field('image', 'Image', (p) => <input type="text" {...p} placeholder="busybox:1.36" autoComplete="off" />, 'Container image; the local provider ignores it.')}
        </div>
        {field('args', 'Arguments', (p) => <textarea rows={3} {...p} placeholder={'-c\necho hello'} />, 'One argument per line.')}
        <div class="grid four">
          {field('cpu', 'CPU', (p) => <input type="text" {...p} placeholder="500m" autoComplete="off" />, 'e.g. 500m or 2')}
          {field('memory', 'Memory', (p) => <input type="text" {...p} placeholder="256Mi" autoComplete="off" />, 'e.g. 256Mi or 1Gi')}
          {field('timeout', 'Timeout (seconds)', (p) => <input type="text" inputMode="numeric" {...p} placeholder="none" autoComplete="off" />)}
          {field('retries', 'Retries', (p) => <input type="text" inputMode="numeric" {...p} autoComplete="off" />, '0–20')}
        </div>
        <div class="grid two">
          {field('labels', 'Labels', (p) => <textarea rows={3} {...p} placeholder="team=data" />, 'key=value, one per line.')}
          {field('env', 'Environment', (p) => <textarea rows={3} {...p} placeholder="GREETING=hello" />, 'NAME=value, one per line. Not for secrets: use the CLI’s --secret.')}
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Submitting…' : 'Submit job'}</button>
          <button type="button" onClick={() => { setForm(EMPTY); setErrors({}); setGeneral(undefined); }}>Clear</button>
        </div>
      </form>
    </>
  );
}

interface InputProps {
  id: string; name: string; value: string; 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined;
  onInput: (e: Event) => void;
}
