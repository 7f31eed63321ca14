// The contact form in a real live.browser, no JavaScript involved: filled in and sent by clicking, the thank-you page
// appears and the inquiry is stored; sent empty, each error appears next to its field (and in the summary), nothing
// is stored, and the page with the errors still passes axe.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { axeViolations, open } from '../lib/browser.mjs';
import { servedInBrowser } from '../lib/harness.mjs';

const live = servedInBrowser();

/** The stored inquiries (the IOP site keeps them in data/submissions.jsonl, one JSON object per line). */
function stored() {
  const file = join(live.server.root, 'data', 'submissions.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

test('a filled-in form sent by clicking shows the thank-you page and is stored', async () => {
  const { context, page, problems } = await open(live.browser, live.server.url, `${live.server.url}/contact/`);
  try {
    const before = stored().length;
    await page.getByLabel('Your name or a nickname').fill('Sam Test');
    await page.getByLabel('Email address').fill('sam@example.org');
    await page.getByLabel('An email').check();
    await page.getByLabel(/I agree that/).check();
    await Promise.all([page.waitForURL(`${live.server.url}/contact/thanks/`), page.getByRole('button', { name: 'Send message' }).click()]);
    assert.match(await page.locator('h1').innerText(), /thank you/i);
    const after = stored();
    assert.equal(after.length, before + 1, 'one inquiry stored');
    const inquiry = after.at(-1);
    // Stored in the clear when no recipient key is set (the IOP site's placeholder), else sealed with age.
    if (inquiry.age === undefined) {
      assert.equal(inquiry.name, 'Sam Test');
      assert.equal(inquiry.email, 'sam@example.org');
    } else {
      assert.match(inquiry.age, /BEGIN AGE ENCRYPTED FILE/);
    }
    assert.deepEqual(problems.console, [], 'console errors');
    assert.deepEqual(problems.foreign, [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});

test('an empty form sent by clicking shows each error next to its field and stores nothing', async () => {
  const { context, page, problems } = await open(live.browser, live.server.url, `${live.server.url}/contact/`);
  try {
    const before = stored().length;
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Send message' }).click()]);
    await page.locator('.form-errors').waitFor();
    for (const field of ['name', 'consent']) {
      const input = page.locator(`#f-${field}`);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', `${field} is marked invalid`);
      assert.match(await input.getAttribute('aria-describedby'), new RegExp(`\\be-${field}\\b`), `${field} points to its error`);
      const sameField = await page.evaluate((name) => {
        const error = document.getElementById(`e-${name}`);
        return Boolean(error) && error.closest('.field') === document.getElementById(`f-${name}`).closest('.field');
      }, field);
      assert.ok(sameField, `the error for ${field} is in the same field as its input`);
    }
    const reach = await page.locator('#e-phone, #e-email').count();
    assert.ok(reach >= 1, 'the phone-or-email question shows its error');
    const summary = await page.locator('.form-errors li a').count();
    assert.ok(summary >= 3, `the summary links to each error (${summary})`);
    assert.equal(stored().length, before, 'nothing stored');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], 'axe-core violations on the page with errors');
    // The browser reports the 422 answer itself as a failed resource load; anything else is a real error.
    assert.deepEqual(problems.console.filter((m) => !/status of 422/.test(m)), [], 'console errors');
  } finally {
    await context.close();
  }
});

test('the Spanish form, sent by clicking, answers in Spanish: errors, then the Spanish thank-you page', async () => {
  const { context, page, problems } = await open(live.browser, live.server.url, `${live.server.url}/es/contacto/`);
  try {
    const before = stored().length;
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Enviar mensaje' }).click()]);
    await page.locator('.form-errors').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    assert.match(await page.locator('#e-name').innerText(), /Escriba su nombre o un apodo/);
    assert.match(await page.title(), /^Error: Contáctenos \|/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core violations on the Spanish page with errors');
    assert.equal(stored().length, before, 'nothing stored');
    await page.getByLabel('Su nombre o un apodo').fill('Ana Prueba');
    await page.getByLabel('Número de teléfono').fill('555 555 0100');
    await page.getByLabel(/Acepto que/).check();
    await Promise.all([page.waitForURL(`${live.server.url}/es/contacto/gracias/`), page.getByRole('button', { name: 'Enviar mensaje' }).click()]);
    assert.match(await page.locator('h1').innerText(), /Gracias/);
    assert.equal(stored().length, before + 1, 'one inquiry stored');
    assert.deepEqual(problems.console.filter((m) => !/status of 422/.test(m)), [], 'console errors');
    assert.deepEqual(problems.foreign, [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
