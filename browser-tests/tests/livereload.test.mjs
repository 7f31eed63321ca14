// Live reload: a page open in the browser changes by itself after its markdown file is saved.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launch, open } from '../lib/browser.mjs';
import { serve } from '../lib/site.mjs';

let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a page changes by itself after its markdown is saved', async () => {
  const { context, page, problems } = await open(browser, server.url, `${server.url}/privacy/`);
  try {
    const marker = `Saved at ${Date.now()}.`;
    assert.ok(!(await page.locator('main').innerText()).includes(marker));
    appendFileSync(join(server.root, 'content', 'privacy.md'), `\n${marker}\n`);
    await page.waitForFunction((text) => document.querySelector('main').innerText.includes(text), marker, {
      timeout: 30_000,
    });
    assert.deepEqual(problems.console, [], 'console errors');
    assert.deepEqual(problems.foreign, [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
