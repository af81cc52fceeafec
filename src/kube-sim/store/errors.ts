// metav1.Status errors with the exact reasons and message shapes kube-apiserver produces, so a
// client's error handling is exercised as against a real cluster. Thrown by the store, admission
// and the HTTP layer; the HTTP layer serialises `.status` as the response body.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly status: StatusBody;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason;
  }
}

/** `pods` or `deployments.apps`: how Kubernetes names a resource in messages. */
export function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

const details = (group: string, resource: string, name?: string): StatusDetails => {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (group) d.group = group;
  d.kind = resource;
  return d;
};

export const errors = {
  notFound: (group: string, resource: string, name: string) =>
    new StatusError(404, 'NotFound', `${qualified(group, resource)} "${name}" not found`, details(group, resource, name)),
  alreadyExists: (group: string, resource: string, name: string) =>
    new StatusError(409, 'AlreadyExists', `${qualified(group, resource)} "${name}" already exists`, details(group, resource, name)),
  conflict: (group: string, resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`, details(group, resource, name)),
  /** causes: [{field, message}] where message is e.g. 'Required value' or 'Invalid value: "x": reason'. */
  invalid: (group: string, kind: string, name: string, causes: StatusCause[]) => {
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')));
    const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    const d: StatusDetails = { ...(name ? { name } : {}), kind, causes }; // name is omitempty
    if (group) d.group = group;
    return new StatusError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, d);
  },
  forbidden: (group: string, resource: string, name: string | undefined, message: string) =>
    new StatusError(403, 'Forbidden', message, details(group, resource, name)),
  gone: (message: string) => new StatusError(410, 'Expired', message),
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  methodNotAllowed: (message = 'the server does not allow this method on the requested resource') =>
    new StatusError(405, 'MethodNotAllowed', message),
  unauthorized: () => new StatusError(401, 'Unauthorized', 'Unauthorized'),
  tooManyRequests: (retryAfterSeconds: number, message = 'Too many requests, please try again later.') =>
    new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds }),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message = 'the server is currently unable to handle the request') =>
    new StatusError(503, 'ServiceUnavailable', message),
  unsupportedMediaType: (type: string) =>
    new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got ${type}`),
};

/** Field-path causes the way Kubernetes validation words them. */
export const cause = {
  required: (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field }),
  invalid: (field: string, value: unknown, why: string): StatusCause => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
    field,
  }),
  notSupported: (field: string, value: unknown, supported: string[]): StatusCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
    field,
  }),
  forbidden: (field: string, why: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${why}`, field }),
};
