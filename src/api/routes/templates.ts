// /v1/templates: named job templates with parameters, versioned on every save (old versions stay
// readable). Jobs are made from them by POST /v1/jobs {template, params} and by schedules.
import type { FastifyInstance } from 'fastify';
import { jobSubmissionSchema, QUEUE_NAME_PATTERN } from '../../jobs/spec-schema.js';
import type { TemplateService } from '../../templates/service.js';
import type { TemplateSpec } from '../../store/store.js';
import { errorSchema } from '../schemas.js';

const name = { type: 'string', pattern: QUEUE_NAME_PATTERN, description: 'a template name (lowercase letters, digits, - _ ., at most 63)' } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name } } as const;
const versionParams = { type: 'object', required: ['name', 'version'], properties: { name, version: { type: 'integer', minimum: 1, maximum: 1_000_000 } } } as const;

export const PARAM_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';
const parameter = {
  type: 'object', additionalProperties: false, required: ['name'],
  properties: {
    name: { type: 'string', pattern: PARAM_NAME_PATTERN, description: 'a parameter name ([A-Za-z_][A-Za-z0-9_]*, at most 63)' },
    default: { type: 'string', maxLength: 4096 },
    required: { type: 'boolean' },
    pattern: { type: 'string', minLength: 1, maxLength: 256, description: 'a regular expression the whole value must match' },
    description: { type: 'string', maxLength: 1024 },
  },
} as const;

// The template's job: a job submission without secrets (they would be stored in the template),
// runAt, dependsOn or key (per run); label values may hold {{param}} (checked once rendered).
const { secrets: _s, runAt: _r, dependsOn: _d, key: _k, labels, ...jobProperties } = jobSubmissionSchema.properties;
const templateJob = {
  type: 'object', additionalProperties: false, required: ['command'],
  properties: { ...jobProperties, labels: { ...labels, additionalProperties: { type: 'string', maxLength: 1024 } } },
} as const;

const createBody = {
  type: 'object', additionalProperties: false, required: ['name', 'job'],
  properties: {
    name, job: templateJob, description: { type: 'string', maxLength: 1024 },
    parameters: { type: 'array', items: parameter, maxItems: 64, default: [] },
  },
} as const;

const view = {
  type: 'object',
  properties: {
    name: { type: 'string' }, version: { type: 'integer' }, description: { type: 'string' }, createdAt: { type: 'string' },
    job: { type: 'object', additionalProperties: true }, parameters: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema };

export function templateRoutes(app: FastifyInstance, templates: TemplateService): void {
  app.get('/v1/templates', {
    schema: { summary: 'List templates (their latest versions)', tags: ['templates'], response: { 200: { type: 'object', properties: { templates: { type: 'array', items: view } } }, ...errors } },
  }, async () => ({ templates: await templates.list() }));

  app.post<{ Body: TemplateSpec & { name: string } }>('/v1/templates', {
    schema: { summary: 'Save a template: version 1 for a new name, else the next version', tags: ['templates'], body: createBody, response: { 201: view, ...errors } },
  }, async (req, reply) => {
    const { name: n, ...spec } = req.body;
    const t = await templates.save(n, spec);
    return reply.status(201).header('location', `/v1/templates/${t.name}/versions/${t.version}`).send(t);
  });

  app.get<{ Params: { name: string } }>('/v1/templates/:name', {
    schema: { summary: 'Get the latest version of a template', tags: ['templates'], params: nameParams, response: { 200: view, ...errors } },
  }, (req) => templates.get(req.params.name));

  app.get<{ Params: { name: string } }>('/v1/templates/:name/versions', {
    schema: { summary: 'Every version of a template, newest first', tags: ['templates'], params: nameParams, response: { 200: { type: 'object', properties: { versions: { type: 'array', items: view } } }, ...errors } },
  }, async (req) => ({ versions: await templates.versions(req.params.name) }));

  app.get<{ Params: { name: string; version: number } }>('/v1/templates/:name/versions/:version', {
    schema: { summary: 'Get one version of a template', tags: ['templates'], params: versionParams, response: { 200: view, ...errors } },
  }, (req) => templates.get(req.params.name, req.params.version));

  app.delete<{ Params: { name: string } }>('/v1/templates/:name', {
    schema: { summary: 'Delete a template with all its versions (jobs made from it stay)', tags: ['templates'], params: nameParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await templates.delete(req.params.name);
    return reply.status(204).send();
  });
}
