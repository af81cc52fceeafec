// Name and label validation with the API server's exact wording (apimachinery validation).
import { cause, type StatusCause } from '../store/index.js';

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123Label(field: string, v: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (v.length > 63) out.push(cause.invalid(field, v, 'must be no more than 63 characters'));
  if (!LABEL_RE.test(v)) {
    out.push(cause.invalid(field, v, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  }
  return out;
}

export function dns1123Subdomain(field: string, v: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (v.length > 253) out.push(cause.invalid(field, v, 'must be no more than 253 characters'));
  if (!SUBDOMAIN_RE.test(v)) {
    out.push(cause.invalid(field, v, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  }
  return out;
}

/** Label keys (optional DNS prefix + qualified name) and values. */
export function labels(field: string, m: unknown): StatusCause[] {
  if (m === undefined || m === null) return [];
  if (typeof m !== 'object' || Array.isArray(m)) return [cause.invalid(field, m, 'must be a map of string to string')];
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    const slash = k.indexOf('/');
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    const prefix = slash >= 0 ? k.slice(0, slash) : '';
    if ((prefix && !SUBDOMAIN_RE.test(prefix)) || name.length > 63 || !QUALIFIED_NAME_RE.test(name)) {
      out.push(cause.invalid(field, k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE_RE.test(v)) {
      out.push(cause.invalid(field, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }
  }
  return out;
}
