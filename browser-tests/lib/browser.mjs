// Chromium from the system (Debian's `chromium`), driven by playwright-core: no browser is downloaded.
import { chromium } from 'playwright-core';

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
