// hodei templates list|get|versions|create|delete over /v1/templates, and the template flags of
// `hodei run` and `hodei schedules create` (--template --param --template-version).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../errors/errors.js';
import type { TemplateParameter, TemplateRecord } from '../store/store.js';
import { addClientOptions, age, clientFrom, parseInteger, parseKeyValue, type ClientFlags } from './common.js';
import { printOne, table } from './output.js';

export interface TemplateRunFlags { template?: string; param?: Record<string, string>; templateVersion?: number }

export function addTemplateRunOptions(cmd: Command): Command {
  return cmd
    .option('--template <name>', 'make the job from this template (instead of a command)')
    .option('--param <name=value>', 'a parameter of the template (repeatable)', parseKeyValue('--param'))
    .option('--template-version <n>', 'that version of the template (default: the latest)', parseInteger('--template-version', 1));
}

/** The body fields of a submission by template; refuses a command beside --template. */
export function templateFields(f: TemplateRunFlags, command: string | undefined): Record<string, unknown> {
  if (f.template === undefined) {
    if (f.param || f.templateVersion !== undefined) throw new ValidationError('--param and --template-version need --template');
    if (command === undefined) throw new ValidationError('give a command (after --) or --template');
    return {};
  }
  if (command !== undefined) throw new ValidationError('give a command or --template, not both');
  return { template: f.template, ...(f.param ? { params: f.param } : {}), ...(f.templateVersion !== undefined ? { templateVersion: f.templateVersion } : {}) };
}

const paramText = (p: TemplateParameter): string =>
  `${p.name}${p.required ? '*' : ''}${p.default !== undefined ? `=${p.default}` : ''}`;

export function formatTemplates(list: TemplateRecord[]): string {
  if (list.length === 0) return 'no templates\n';
  return table(['NAME', 'VERSION', 'PARAMETERS', 'SAVED', 'COMMAND'], list.map((t) => [
    t.name, String(t.version), t.parameters.map(paramText).join(' ') || '-', `${age(t.createdAt)} ago`, [t.job.command, ...t.job.args].join(' ').slice(0, 60),
  ]));
}

/** `--param name` (required) or `--param name=default`. */
function parameterFlag(value: string, prev: TemplateParameter[] = []): TemplateParameter[] {
  const i = value.indexOf('=');
  return [...prev, i < 0 ? { name: value, required: true } : { name: value.slice(0, i), default: value.slice(i + 1) }];
}

const path = (name: string): string => `/v1/templates/${encodeURIComponent(name)}`;

export function registerTemplatesCommand(program: Command): void {
  const cmd = program.command('templates').description('job templates with parameters; every save is a new version');
  addClientOptions(cmd.command('list').description('templates (latest versions)'))
    .action(async (flags: ClientFlags) => {
      const r = await clientFrom(flags).getJson<{ templates: TemplateRecord[] }>('/v1/templates');
      printOne(flags, r, () => formatTemplates(r.templates));
    });
  addClientOptions(cmd.command('get').description('one template (the latest version, or --version)').argument('<name>')
    .option('--version <n>', 'that version', parseInteger('--version', 1)))
    .action(async (name: string, flags: ClientFlags & { version?: number }) => {
      const t = await clientFrom(flags).getJson<TemplateRecord>(flags.version ? `${path(name)}/versions/${flags.version}` : path(name));
      printOne(flags, t, () => formatTemplates([t]));
    });
  addClientOptions(cmd.command('versions').description('every version of a template, newest first').argument('<name>'))
    .action(async (name: string, flags: ClientFlags) => {
      const r = await clientFrom(flags).getJson<{ versions: TemplateRecord[] }>(`${path(name)}/versions`);
      printOne(flags, r, () => formatTemplates(r.versions));
    });
  addClientOptions(cmd.command('create')
    .description('save a template (a new version when the name exists): hodei templates create NAME --param db -- pg_dump "{{db}}", or -f FILE')
    .argument('<name>').argument('[command]').argument('[args...]')
    .option('-f, --file <file>', 'a JSON file with {job, parameters, description}')
    .option('--param <name[=default]>', 'a parameter: required without a default (repeatable)', parameterFlag)
    .option('--description <text>', 'what the template is for'))
    .action(async (name: string, command: string | undefined, args: string[], flags: ClientFlags & { file?: string; param?: TemplateParameter[]; description?: string }) => {
      let body: Record<string, unknown>;
      if (flags.file) {
        if (command !== undefined) throw new ValidationError('give a command or --file, not both');
        body = { ...(JSON.parse(readFileSync(flags.file, 'utf8')) as Record<string, unknown>), name };
      } else {
        if (command === undefined) throw new ValidationError('give the job\'s command (after --) or --file');
        body = { name, job: { command, args }, parameters: flags.param ?? [] };
      }
      if (flags.description) body.description = flags.description;
      const t = await clientFrom(flags).send<TemplateRecord>('POST', '/v1/templates', body);
      printOne(flags, t, () => `template ${t.name} version ${t.version} saved\n`);
    });
  addClientOptions(cmd.command('delete').description('delete a template with all its versions (its jobs stay)').argument('<name>'))
    .action(async (name: string, flags: ClientFlags) => {
      await clientFrom(flags).send('DELETE', path(name));
      printOne(flags, { deleted: name }, () => `template ${name} deleted\n`);
    });
}
