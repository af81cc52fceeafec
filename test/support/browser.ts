// Headless Debian Chromium driven by playwright-core (no browser download: `npx playwright install`
// cannot reach its CDN here). The flags keep Chromium from calling home, so every request the page
// makes is one the page itself asked for. Also: axe-core's serious/critical violations of a page.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HODEI_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions', '--no-default-browser-check',
];

export interface TestBrowser {
  context: BrowserContext;
  /** Every URL any page of the context requested, in order. */
  requests: string[];
  close: () => Promise<void>;
}

/** A fresh browser with its own new profile directory, pages of the given viewport. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install -y chromium; npm test installs it as root)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'hodei-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  return {
    context, requests,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface A11yViolation { id: string; impact: string; help: string; nodes: string[] }

/** axe-core (WCAG 2.x A and AA rules) on the page as it is now: only serious and critical findings. */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}
