// Every page of the IOP site, served by `iopsite serve`, in Chromium at 320 and 1280 px wide: zero axe-core
// violations (WCAG 2.0/2.1/2.2 A and AA, with `target-size` turned on), no console error, no request to any other
// host, and no horizontal scrolling.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { launch, open } from '../lib/browser.mjs';
import { pagePaths, serve } from '../lib/site.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA; axe leaves `target-size` (2.5.8) off unless asked. */
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  rules: { 'target-size': { enabled: true } },
  resultTypes: ['violations'],
};

const WIDTHS = [320, 1280];

let server;
let browser;
let paths;

before(async () => {
  server = await serve();
  browser = await launch();
  paths = await pagePaths(server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** axe-core's violations on the open page, one line each. Evaluated over CDP, so the page's CSP does not block it. */
async function axeViolations(page) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate((options) => window.axe.run(document, options).then((r) => r.violations), AXE_OPTIONS);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('the sitemap lists the pages of the content brief', () => {
  for (const path of ['/', '/what-is-an-iop/', '/benefits/', '/what-to-expect/', '/faq/', '/contact/', '/privacy/']) {
    assert.ok(paths.includes(path), `${path} in ${paths.join(' ')}`);
  }
});

test('every page passes axe, logs no error, loads nothing from elsewhere and does not scroll sideways', async (t) => {
  for (const path of paths) {
    for (const width of WIDTHS) {
      await t.test(`${path} at ${width} px`, async () => {
        const { context, page, problems, response } = await open(browser, server.url, server.url + path, { width, height: 800 });
        try {
          assert.equal(response.status(), 200, `GET ${path}`);
          assert.deepEqual(await axeViolations(page), [], 'axe-core violations');
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `the page is ${overflow} px wider than the ${width} px window`);
          assert.deepEqual(problems.console, [], 'console errors');
          assert.deepEqual(problems.foreign, [], 'requests to other hosts');
        } finally {
          await context.close();
        }
      });
    }
  }
});
