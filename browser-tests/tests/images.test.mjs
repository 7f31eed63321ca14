// A page whose first element is a large photo, served by `iopsite serve`, in Chromium as a 390 px wide phone at
// 3x: the image's box has its size before the image loads (no layout shift), the browser picks the copy made for
// its screen (not the original), the second image waits until it is needed, axe finds nothing, and nothing is
// requested from another host. The photo is made here: a noisy PNG, written with node's zlib.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';

import { axeViolations, launch } from '../lib/browser.mjs';
import { copySite, serve } from '../lib/site.mjs';

/** An RGB PNG of `width` × `height` with gradients and noise. */
function noisyPng(width, height) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  let seed = 1;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 16) % 32;
      rows[row + 1 + x * 3] = (x * 200 / width + noise) & 255;
      rows[row + 2 + x * 3] = (y * 200 / height + noise) & 255;
      rows[row + 3 + x * 3] = (120 + noise) & 255;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const live = {};
before(async () => {
  const root = copySite();
  mkdirSync(join(root, 'content', 'photos'), { recursive: true });
  writeFileSync(join(root, 'content', 'photos', 'hall.png'), noisyPng(2400, 1600));
  writeFileSync(join(root, 'content', 'photos', 'room.png'), noisyPng(900, 600));
  const filler = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1} of text that pushes the next picture down.`).join('\n\n');
  writeFileSync(
    join(root, 'content', 'photos', 'index.md'),
    `+++\ntitle = "Our building"\ndescription = "Pictures of the building."\n+++\n\n![The main hall, with chairs in a circle](hall.png)\n\n${filler}\n\n![A quiet room with two armchairs](room.png)\n`,
  );
  live.server = await serve(root);
  live.browser = await launch();
  // The server answers once its first build is done; making the photos' copies takes a while on a busy machine.
  const first = await fetch(`${live.server.url}/photos/`, { signal: AbortSignal.timeout(180_000) });
  assert.equal(first.status, 200);
});
after(async () => {
  await live.browser?.close();
  await live.server?.stop();
});

async function phone({ holdImages = null } = {}) {
  const context = await live.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  // Images wait (still loading, as on a slow connection) until `holdImages` resolves.
  if (holdImages) await page.route(/\.(webp|png|jpg)$/, async (route) => { await holdImages; await route.continue(); });
  return { context, page, requests };
}

test('the image has its box before it loads, so nothing moves', async () => {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const { context, page } = await phone({ holdImages: held });
  try {
    await page.goto(`${live.server.url}/photos/`, { waitUntil: 'domcontentloaded' });
    const box = await page.evaluate(() => {
      const image = document.querySelector('main img');
      const rect = image.getBoundingClientRect();
      return { width: rect.width, height: rect.height, complete: image.complete && image.naturalWidth > 0 };
    });
    assert.equal(box.complete, false, 'the image must not have loaded');
    assert.ok(box.width > 300, `width ${box.width}`);
    assert.ok(Math.abs(box.height - box.width * 2 / 3) < 2, `the box keeps the photo's 3:2 shape before loading: ${JSON.stringify(box)}`);
  } finally {
    release();
    await context.close();
  }
});

test('a phone downloads the copy made for its screen, with no layout shift, and the lower image later', async () => {
  const { context, page, requests } = await phone();
  try {
    await page.addInitScript(() => {
      window.shifts = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.hadRecentInput) continue;
          window.shifts += entry.value;
          window.shifted = (window.shifted || []).concat(entry.sources.map((s) => `${s.node?.nodeName} ${s.node?.className} ${JSON.stringify(s.previousRect)} → ${JSON.stringify(s.currentRect)}`));
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(`${live.server.url}/photos/`, { waitUntil: 'load' });
    const first = await page.evaluate(() => {
      const image = document.querySelector('main img');
      return { current: image.currentSrc, srcset: image.srcset, priority: image.getAttribute('fetchpriority') };
    });
    // 390 CSS px at 3x needs 1170 pixels: the 1200-wide copy, in WebP; never the 2400-wide original.
    assert.match(first.current, /\/processed_images\/hall-[0-9a-f]+\.webp$/, first.current);
    const chosen = first.srcset.split(', ').find((candidate) => first.current.endsWith(candidate.split(' ')[0]));
    assert.ok(chosen?.endsWith(' 1200w'), `chose ${chosen} from ${first.srcset}`);
    assert.equal(first.priority, 'high');
    assert.ok(!requests.some((url) => url.endsWith('/photos/hall.png')), 'the original was downloaded');
    assert.ok(!requests.some((url) => url.includes('room')), 'the lower image loaded before it was needed');
    await page.evaluate(() => document.querySelectorAll('main img')[1].scrollIntoView());
    await page.waitForFunction(() => document.querySelectorAll('main img')[1].complete);
    assert.ok(requests.some((url) => /\/processed_images\/room-[0-9a-f]+\.webp$/.test(url)), requests.join('\n'));
    const shifts = await page.evaluate(() => window.shifts);
    const shifted = await page.evaluate(() => window.shifted);
    assert.equal(shifts, 0, `cumulative layout shift: ${JSON.stringify(shifted)}`);
    assert.deepEqual(await axeViolations(page), [], 'axe-core violations');
    assert.deepEqual(requests.filter((url) => !url.startsWith(`${live.server.url}/`) && !/^(data|blob|about):/.test(url)), [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
