// Live reload: a page open in the browser changes by itself after its markdown file is saved.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { open } from '../lib/browser.mjs';
import { servedInBrowser } from '../lib/harness.mjs';

const live = servedInBrowser();

test('a page changes by itself after its markdown is saved', async () => {
  const { context, page, problems } = await open(live.browser, live.server.url, `${live.server.url}/privacy/`);
  try {
    const marker = `Saved at ${Date.now()}.`;
    assert.ok(!(await page.locator('main').innerText()).includes(marker));
    appendFileSync(join(live.server.root, 'content', 'privacy.md'), `\n${marker}\n`);
    await page.waitForFunction((text) => document.querySelector('main').innerText.includes(text), marker, {
      timeout: 30_000,
    });
    assert.deepEqual(problems.console, [], 'console errors');
    assert.deepEqual(problems.foreign, [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
