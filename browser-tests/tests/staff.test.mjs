// The staff inbox in real Chromium, the whole path an admissions staff member takes: sign in with password and the
// authenticator code, open the key file, read an encrypted inquiry (decrypted in the page), mark it contacted, sign
// out, and the page no longer shows it. axe finds nothing on the staff pages; the browser asks no other host for
// anything, and no request ever carries the key.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';

import { axeViolations, launch, open } from '../lib/browser.mjs';
import { binary, copySite, serve } from '../lib/site.mjs';

const PASSWORD = 'four words make a pass';
const live = {};

/** RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret, computed here independently of the server. */
function totp(base32, seconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

function run(root, args, input) {
  const result = spawnSync(binary, args, { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `iopsite ${args.join(' ')}:\n${result.stderr}`);
  return result.stdout;
}

before(async () => {
  const root = copySite();
  const keygen = run(root, ['keygen', '--out', 'key.txt']);
  const recipient = keygen.match(/recipient = "(age1[a-z0-9]+)"/)[1];
  const config = readFileSync(join(root, 'config.toml'), 'utf8').replace('recipient = ""', `recipient = "${recipient}"`);
  assert.ok(config.includes(recipient), 'the IOP site has a recipient line to fill');
  writeFileSync(join(root, 'config.toml'), config);
  const added = run(root, ['staff', 'add', 'maria', '--password-stdin'], `${PASSWORD}\n`);
  live.secret = added.match(/type this key into the app instead: ([A-Z2-7]+)/)[1];
  live.key = readFileSync(join(root, 'key.txt'), 'utf8');
  live.keyFile = join(root, 'key.txt');
  live.server = await serve(root);
  live.browser = await launch();
  const form = new URLSearchParams({
    name: 'Rosa Test', phone: '555 867 5309', email: '', preferred: 'call', safe_times: 'after six',
    voicemail: 'no', for_whom: 'other', message: 'Line one\nLine two', consent: 'yes', website: '',
  });
  const sent = await fetch(`${live.server.url}/contact`, {
    method: 'POST', body: form, redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(10_000),
  });
  assert.equal(sent.status, 303);
  const stored = readFileSync(join(root, 'data', 'submissions.jsonl'), 'utf8');
  assert.match(stored, /BEGIN AGE ENCRYPTED FILE/);
  assert.doesNotMatch(stored, /Rosa/);
  live.id = JSON.parse(stored.trim().split('\n').at(-1)).id;
});

after(async () => {
  await live.browser?.close();
  await live.server?.stop();
});

test('sign in, open the key, read and mark an encrypted inquiry, sign out', async () => {
  const { context, page, problems } = await open(live.browser, live.server.url, `${live.server.url}/staff/`);
  const bodies = [];
  page.on('request', (request) => bodies.push(request.postData() ?? ''));
  try {
    assert.deepEqual(await axeViolations(page), [], 'sign-in page');
    await page.getByLabel('Name').fill('maria');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel(/6-digit code/).fill(totp(live.secret));
    await Promise.all([page.waitForURL(`${live.server.url}/staff/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.match(await page.locator('h1').innerText(), /Inquiries/);
    assert.deepEqual(await axeViolations(page), [], 'list');

    await page.getByRole('link', { name: `Open inquiry ${live.id.slice(0, 8)}` }).click();
    await page.waitForURL(`${live.server.url}/staff/inquiry/${live.id}`);
    assert.equal(await page.locator('#key-panel').isVisible(), true, 'asks for the key');
    await page.setInputFiles('#key-file', live.keyFile);
    await page.locator(`article.sealed[data-state="open"]`).waitFor();
    const fields = await page.locator('dl.sealed-fields').innerText();
    assert.match(fields, /Rosa Test/);
    assert.match(fields, /555 867 5309/);
    assert.match(fields, /Line one\nLine two/);
    assert.equal(await page.locator('#key-panel').isVisible(), false);
    assert.deepEqual(await axeViolations(page), [], 'inquiry page');

    await page.getByRole('button', { name: 'Contacted' }).click();
    await page.waitForURL(`${live.server.url}/staff/inquiry/${live.id}`);
    assert.match(await page.locator('main').innerText(), /Status: contacted/);
    await page.locator(`article.sealed[data-state="open"]`).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /signed out/i);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('iopsite-identity')), null, 'the key is forgotten');
    await page.goto(`${live.server.url}/staff/inquiry/${live.id}`);
    assert.match(await page.locator('h1').innerText(), /Staff sign-in/);
    assert.doesNotMatch(await page.content(), /Rosa|BEGIN AGE/);

    const secret = live.key.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1'));
    for (const body of bodies) {
      assert.ok(!body.includes('AGE-SECRET-KEY') && !body.includes(secret.slice(16)), 'no request carries the key');
    }
    assert.deepEqual(problems.foreign, [], 'no request to another host');
    assert.deepEqual(problems.console, []);
  } finally {
    await context.close();
  }
});
