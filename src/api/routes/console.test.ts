import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from './console.js';

function builtConsole(): string {
  const root = mkdtempSync(join(tmpdir(), 'hodei-console-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Hodei</title>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'favicon.svg'), '<svg/>');
  return root;
}

describe('console routes', () => {
  it('serve the page under a strict CSP, and hashed assets as immutable', async () => {
    const app = Fastify();
    await consoleRoutes(app, builtConsole());
    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['cache-control']).toContain('max-age=0');
    const asset = await app.inject('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/favicon.svg')).statusCode).toBe(200);
    expect((await app.inject('/assets/nope.js')).statusCode).toBe(404);
    expect((await app.inject('/assets/..%2f..%2fetc%2fpasswd')).statusCode).toBeGreaterThanOrEqual(400);
    await app.close();
  });

  it('say how to build the console when it is missing', async () => {
    const app = Fastify();
    await consoleRoutes(app, mkdtempSync(join(tmpdir(), 'hodei-console-empty-')));
    const page = await app.inject('/');
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    expect((await app.inject('/assets/index-abc123.js')).statusCode).toBe(503);
    await app.close();
  });
});
