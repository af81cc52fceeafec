// Schemas shared by several routes.

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

/** Job and worker ids: UUIDs and `w-<uuid>`; bounded so a path can't be abused. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$', description: 'an id of letters, digits, ._-' } },
} as const;
