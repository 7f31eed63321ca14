// Every page of the IOP site, served by `iopsite serve`, in Chromium at 320 and 1280 px wide: zero axe-core
// violations (WCAG 2.0/2.1/2.2 A and AA, with `target-size` turned on), no console error, no request to any other
// host, and no horizontal scrolling.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axeViolations, open } from '../lib/browser.mjs';
import { servedInBrowser } from '../lib/harness.mjs';
import { pagePaths } from '../lib/site.mjs';

const WIDTHS = [320, 1280];

let paths;
const live = servedInBrowser(async ({ server }) => {
  paths = await pagePaths(server.url);
});

test('the sitemap lists the pages of the content brief', () => {
  for (const path of ['/', '/what-is-an-iop/', '/benefits/', '/what-to-expect/', '/faq/', '/contact/', '/privacy/']) {
    assert.ok(paths.includes(path), `${path} in ${paths.join(' ')}`);
  }
});

test('the sitemap lists the Spanish pages too', () => {
  for (const path of ['/es/', '/es/que-es-un-iop/', '/es/beneficios/', '/es/que-pasa/', '/es/preguntas/', '/es/contacto/', '/es/privacidad/']) {
    assert.ok(paths.includes(path), `${path} in ${paths.join(' ')}`);
  }
});

test('every page passes axe, logs no error, loads nothing from elsewhere and does not scroll sideways', async (t) => {
  for (const path of paths) {
    for (const width of WIDTHS) {
      await t.test(`${path} at ${width} px`, async () => {
        const { context, page, problems, response } = await open(live.browser, live.server.url, live.server.url + path, { width, height: 800 });
        try {
          assert.equal(response.status(), 200, `GET ${path}`);
          // The page says its language (Spanish under /es/), and its switcher names the other one in that language.
          const lang = path.startsWith('/es/') ? 'es' : 'en';
          assert.equal(await page.evaluate(() => document.documentElement.lang), lang, 'html lang');
          const other = await page.evaluate(() => [...document.querySelectorAll('nav.languages a')].map((a) => [a.lang, a.textContent]));
          assert.deepEqual(other.map(([l]) => l), [lang === 'es' ? 'en' : 'es'], 'the language switcher');
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
