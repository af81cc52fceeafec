// kubectl-shaped output for every read command: `-o table|wide|json|yaml|name`, `--json` (alias of
// `-o json`), `--no-headers`. One module so every command (and new ones) render the same way.
import { InvalidArgumentError, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputFlags {
  output?: OutputFormat;
  json?: boolean;
  /** commander's `--no-headers` sets this to false. */
  headers?: boolean;
}

/** A column of a list view; `wide` columns appear only with `-o wide`. */
export interface Column<T> {
  header: string;
  value(item: T): string;
  wide?: boolean;
}

/** How a kind of object is shown: its columns and the `-o name` form (`job/<id>`). */
export interface ListView<T> {
  columns: Array<Column<T>>;
  name(item: T): string;
}

/** Adds -o/--output, --json and --no-headers to a read command. */
export function addOutputOptions(cmd: Command, formats: readonly string[] = OUTPUT_FORMATS): Command {
  const parse = (v: string): string => {
    if (!formats.includes(v)) throw new InvalidArgumentError(`-o must be one of ${formats.join(', ')}, got '${v}'`);
    return v;
  };
  return cmd
    .option('-o, --output <format>', `output format: ${formats.join('|')}`, parse)
    .option('--json', 'same as -o json')
    .option('--no-headers', 'table output without the header line');
}

/** The format asked for: `--json` wins as an alias, then `-o`, else `fallback`. */
export function formatOf(flags: OutputFlags, fallback: OutputFormat = 'table'): OutputFormat {
  return flags.json ? 'json' : flags.output ?? fallback;
}

export const toJson = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Machine formats of any document; null for table/wide/name (the caller renders those). */
export function renderDocument(format: string, doc: unknown): string | null {
  if (format === 'json') return toJson(doc);
  if (format === 'yaml') return toYaml(doc, { lineWidth: 0 });
  return null;
}

/** Renders a list: `doc` is the API's answer (json/yaml print it whole), `items` the rows. */
export function renderList<T>(flags: OutputFlags, doc: unknown, items: readonly T[], view: ListView<T>): string {
  const format = formatOf(flags);
  const machine = renderDocument(format, doc);
  if (machine !== null) return machine;
  if (format === 'name') return items.map((i) => view.name(i) + '\n').join('');
  return renderRows(items, view, { wide: format === 'wide', headers: flags.headers !== false });
}

/** renderList, but a table of nothing is one line saying so (`no queues`) instead of a bare header. */
export function renderListOr<T>(none: string, flags: OutputFlags, doc: unknown, items: readonly T[], view: ListView<T>): string {
  const format = formatOf(flags);
  return items.length === 0 && (format === 'table' || format === 'wide') ? `${none}\n` : renderList(flags, doc, items, view);
}

/** Table rows of a view, as `--watch` prints them one change at a time. */
export function renderRows<T>(items: readonly T[], view: ListView<T>, o: { wide: boolean; headers: boolean }): string {
  const cols = view.columns.filter((c) => o.wide || !c.wide);
  const rows = items.map((i) => cols.map((c) => c.value(i)));
  return table(cols.map((c) => c.header), rows, o.headers);
}

/** Renders one object: json/yaml print it, name its name, table/wide the command's own text. */
export function renderOne(flags: OutputFlags, doc: unknown, human: (wide: boolean) => string, name?: () => string): string {
  const format = formatOf(flags);
  const machine = renderDocument(format, doc);
  if (machine !== null) return machine;
  if (format === 'name' && name) return name() + '\n';
  return human(format === 'wide');
}

/** Writes one document in the chosen format; `human` renders the table/wide form. */
export function printOne(flags: OutputFlags, doc: unknown, human: (wide: boolean) => string): void {
  process.stdout.write(renderOne(flags, doc, human));
}

/** Fixed-width table for human output. */
export function table(headers: string[], rows: string[][], withHeaders = true): string {
  const widths = headers.map((h, i) => Math.max(withHeaders ? h.length : 0, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const lines = [...(withHeaders ? [line(headers)] : []), ...rows.map(line)];
  return lines.length ? lines.join('\n') + '\n' : '';
}
