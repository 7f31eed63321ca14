// Keyboard use on every page: the first Tab reaches the skip link (shown on screen), further Tabs reach the main
// navigation before anything in the page's main content, every stop shows where the focus is, and the skip link
// takes the focus to the main content.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open } from '../lib/browser.mjs';
import { servedInBrowser } from '../lib/harness.mjs';
import { pagePaths } from '../lib/site.mjs';

/** Tabs allowed between the skip link and the main navigation (logo link, call button, crisis link, …). */
const MAX_TABS = 8;

let paths;
const live = servedInBrowser(async ({ server }) => {
  paths = await pagePaths(server.url);
});

/** Press Tab and describe where the focus went. */
async function tab(page) {
  await page.keyboard.press('Tab');
  return page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
    return {
      what: `<${el.tagName.toLowerCase()}> “${el.textContent.trim().replace(/\s+/g, ' ')}”`,
      href: el.getAttribute('href'),
      inNav: Boolean(el.closest('nav.main-nav')),
      inMain: Boolean(el.closest('main')),
      visible: el.matches(':focus-visible') && ring && rect.width > 0 && rect.height > 0 && rect.top >= 0 && rect.bottom <= innerHeight,
    };
  });
}

test('on every page, Tab reaches the skip link, then the main navigation, with the focus visible', async (t) => {
  for (const path of paths) {
    await t.test(path, async () => {
      const { context, page } = await open(live.browser, live.server.url, live.server.url + path);
      try {
        const first = await tab(page);
        // In the page's language: English, or Spanish under /es/.
        const skip = path.startsWith('/es/') ? /ir al contenido principal/i : /skip to main content/i;
        assert.match(first.what, skip, 'the first Tab stop is the skip link');
        assert.equal(first.href, '#main');
        assert.ok(first.visible, `the focused skip link is on screen with a focus ring: ${JSON.stringify(first)}`);
        let stop = first;
        for (let count = 0; count < MAX_TABS && !stop.inNav; count += 1) {
          stop = await tab(page);
          assert.ok(!stop.inMain, `${stop.what} in <main> is reached before the main navigation`);
          assert.ok(stop.visible, `${stop.what} shows no focus ring`);
        }
        assert.ok(stop.inNav, `the main navigation is not reached within ${MAX_TABS} Tabs after the skip link`);
      } finally {
        await context.close();
      }
    });
  }
});

test('the skip link moves the focus to the main content', async () => {
  const { context, page } = await open(live.browser, live.server.url, `${live.server.url}/what-to-expect/therapy/`);
  try {
    await tab(page);
    await page.keyboard.press('Enter');
    const next = await tab(page);
    assert.ok(next.inMain, `after the skip link, Tab goes into <main>, not to ${next.what}`);
  } finally {
    await context.close();
  }
});
