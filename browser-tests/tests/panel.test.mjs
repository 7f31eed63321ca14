// `check` while writing (issue 17): after a save that adds a stigmatizing word, the open page shows the suggestions
// panel by itself (closed, with the count), which opens from the keyboard and lists the word's markdown line and
// rule; axe finds nothing on the page with the panel open; the panel never covers the page's content; the fix takes
// it away; and `iopsite build` output never has it.
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { axeViolations, open } from '../lib/browser.mjs';
import { servedInBrowser } from '../lib/harness.mjs';
import { build } from '../lib/site.mjs';

const live = servedInBrowser();

/** Every HTML file below a folder. */
function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

test('the panel appears after a save with a stigmatizing word, lists its line and goes after the fix', async () => {
  const file = join(live.server.root, 'content', 'privacy.md');
  const original = readFileSync(file, 'utf8');
  const { context, page, problems } = await open(live.browser, live.server.url, `${live.server.url}/privacy/`);
  try {
    assert.equal(await page.locator('#iopsite-panel').count(), 0, 'no panel before any save');
    appendFileSync(file, '\nNo addict is turned away.\n');
    const line = readFileSync(file, 'utf8').trimEnd().split('\n').length;
    const panel = page.locator('#iopsite-panel');
    await panel.waitFor({ state: 'attached', timeout: 30_000 });

    const summary = panel.locator('summary');
    assert.match(await summary.innerText(), /^1 suggestion\b/);
    assert.equal(await panel.locator('details').getAttribute('open'), null, 'closed by default');
    assert.equal(await panel.getAttribute('aria-label'), 'Writing suggestions (preview only)');
    assert.equal(await panel.locator('li').isVisible(), false, 'the list is hidden while closed');

    // From the keyboard: the summary takes the focus and Enter opens it.
    await summary.focus();
    await page.keyboard.press('Enter');
    assert.notEqual(await panel.locator('details').getAttribute('open'), null, 'opened with Enter');
    const item = await panel.locator('li').innerText();
    assert.match(item, new RegExp(`content/privacy\\.md, line ${line}\\b`));
    assert.match(item, /person-first/);
    assert.match(item, /person with a substance use disorder/);

    // In the page's flow above the content, never on top of it.
    const layout = await page.evaluate(() => {
      const box = document.getElementById('iopsite-panel').getBoundingClientRect();
      const main = document.querySelector('main').getBoundingClientRect();
      const position = getComputedStyle(document.getElementById('iopsite-panel')).position;
      return { panelBottom: box.bottom, mainTop: main.top, position };
    });
    assert.equal(layout.position, 'static');
    assert.ok(layout.panelBottom <= layout.mainTop, `the panel ends at ${layout.panelBottom}, the content starts at ${layout.mainTop}`);

    assert.deepEqual(await axeViolations(page), [], 'axe violations with the panel open');

    writeFileSync(file, original);
    await panel.waitFor({ state: 'detached', timeout: 30_000 });
    assert.deepEqual(problems.console, [], 'console errors');
    assert.deepEqual(problems.foreign, [], 'requests to other hosts');
    assert.match(live.server.output(), /content\/privacy\.md: no suggestions left/);
  } finally {
    writeFileSync(file, original);
    await context.close();
  }
});

test('iopsite build output has no panel', () => {
  appendFileSync(join(live.server.root, 'content', 'privacy.md'), '\nNo addict is turned away.\n');
  const output = build(live.server.root);
  const withPanel = htmlFiles(output).filter((path) => readFileSync(path, 'utf8').includes('iopsite-panel'));
  assert.ok(htmlFiles(output).length > 5);
  assert.deepEqual(withPanel, []);
});
