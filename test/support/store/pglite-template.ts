// A migrated PGlite data dir, built once and cached under the OS temp dir: initdb in wasm costs
// ≈ 5 s, copying the result ≈ 0.1 s. The cache key covers the migrations and the PGlite version,
// so a changed migration or an upgraded PGlite builds a new template.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadMigrations } from '../../../src/store/migrate.js';
import { openPgliteStore } from '../../../src/store/pglite.js';

function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return String((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version);
}

function templateKey(): string {
  const h = createHash('sha256').update(pgliteVersion());
  for (const m of loadMigrations()) h.update(`\0${m.version}\0${m.name}\0${m.sql}`);
  return h.digest('hex').slice(0, 16);
}

const READY = 'hodei-template-ready';

/** Path of the cached, migrated template (built on first call; safe across processes). */
export async function ensurePgliteTemplate(): Promise<string> {
  const dir = join(tmpdir(), `hodei-pglite-template-${templateKey()}`);
  if (existsSync(join(dir, READY))) return dir;
  // Build beside it and rename into place, so no process ever copies a half-built template.
  const building = mkdtempSync(`${dir}.building-`);
  try {
    const store = await openPgliteStore(building);
    await store.close();
    writeFileSync(join(building, READY), new Date().toISOString());
    // A dir without the marker is a leftover of an interrupted build.
    if (existsSync(dir) && !existsSync(join(dir, READY))) rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(dir, READY))) throw err; // else another process won the race
  }
  return dir;
}

/** Copies the template into a new folder under `parent` and returns the copy's path. */
export function copyPgliteTemplate(template: string, parent: string = tmpdir()): string {
  const target = mkdtempSync(join(parent, 'hodei-pglite-'));
  cpSync(template, target, { recursive: true });
  return target;
}
