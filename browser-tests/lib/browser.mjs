// Chromium from the system (Debian's `chromium`), driven by playwright-core: no browser is downloaded.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA; axe leaves `target-size` (2.5.8) off unless asked. */
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  rules: { 'target-size': { enabled: true } },
  resultTypes: ['violations'],
};

/** The flags the project runs headless Chromium with. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Launch Chromium ($CHROME_PATH, else /usr/bin/chromium). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: FLAGS,
    timeout: 60_000,
  });
}

/**
 * Open `url` in a new page of its own context, recording console errors, uncaught exceptions and every request to
 * another origin than `origin`.
 */
export async function open(browser, origin, url, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = { console: [], foreign: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.console.push(message.text());
  });
  page.on('pageerror', (error) => problems.console.push(String(error)));
  page.on('request', (request) => {
    const target = request.url();
    if (!target.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(target)) problems.foreign.push(target);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  return { context, page, problems, response };
}

/** axe-core's violations on the open page, one line each. Evaluated over CDP, so the page's CSP does not block it. */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate((options) => window.axe.run(document, options).then((r) => r.violations), AXE_OPTIONS);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
