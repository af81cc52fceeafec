import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderList, renderOne, table, type ListView } from './output.js';

interface Row { id: string; state: string; extra: string }
const view: ListView<Row> = {
  name: (r) => `thing/${r.id}`,
  columns: [{ header: 'ID', value: (r) => r.id }, { header: 'STATE', value: (r) => r.state }, { header: 'EXTRA', value: (r) => r.extra, wide: true }],
};
const rows: Row[] = [{ id: 'a', state: 'ok', extra: 'x' }, { id: 'bb', state: 'failed', extra: 'y' }];
const doc = { things: rows };

describe('renderList', () => {
  it('table, wide, no headers, name, json, yaml', () => {
    expect(renderList({}, doc, rows, view)).toBe('ID  STATE\na   ok\nbb  failed\n');
    expect(renderList({ output: 'wide' }, doc, rows, view)).toBe('ID  STATE   EXTRA\na   ok      x\nbb  failed  y\n');
    expect(renderList({ headers: false }, doc, rows, view)).toBe('a   ok\nbb  failed\n');
    expect(renderList({ output: 'name' }, doc, rows, view)).toBe('thing/a\nthing/bb\n');
    expect(JSON.parse(renderList({ json: true }, doc, rows, view))).toEqual(doc);
    expect(parseYaml(renderList({ output: 'yaml' }, doc, rows, view))).toEqual(doc);
  });

  it('an empty list prints nothing without headers', () => {
    expect(renderList({ headers: false }, { things: [] }, [], view)).toBe('');
    expect(table(['A'], [])).toBe('A\n');
  });
});

describe('renderOne', () => {
  it('prints the human text for table and the document otherwise', () => {
    expect(renderOne({}, { a: 1 }, () => 'human\n')).toBe('human\n');
    expect(renderOne({ output: 'yaml' }, { a: 1 }, () => 'human\n')).toBe('a: 1\n');
    expect(renderOne({ output: 'name' }, { a: 1 }, () => 'human\n', () => 'thing/a')).toBe('thing/a\n');
  });
});
