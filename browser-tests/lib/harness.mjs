// What every browser test file starts with: the real `iopsite serve` on a copy of the site, and Chromium, started
// before the file's tests and stopped after them.
import { after, before } from 'node:test';

import { launch } from './browser.mjs';
import { serve } from './site.mjs';

/**
 * Register the hooks; the returned object has `server` and `browser` once the tests run. `ready(live)`, if given,
 * runs once both are up (node:test does not wait for one top-level `before` hook before starting the next).
 */
export function servedInBrowser(ready = async () => {}) {
  const live = { server: undefined, browser: undefined };
  before(async () => {
    live.server = await serve();
    live.browser = await launch();
    await ready(live);
  });
  after(async () => {
    await live.browser?.close();
    await live.server?.stop();
  });
  return live;
}
