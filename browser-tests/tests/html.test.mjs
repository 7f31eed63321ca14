// Every built page of the IOP site passes the Nu HTML Checker (vnu.jar from npm `vnu-jar`, run with the system's
// Java) with no errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import { build, copySite } from '../lib/site.mjs';

const vnu = createRequire(import.meta.url).resolve('vnu-jar/build/dist/vnu.jar');

function htmlFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.html'))
    .map((name) => join(dir, name));
}

test('every built page passes the Nu HTML Checker', () => {
  const root = copySite();
  try {
    const files = htmlFiles(build(root));
    assert.ok(files.length >= 13, `the build made ${files.length} pages`);
    const run = spawnSync('java', ['-jar', vnu, '--errors-only', '--format', 'json', ...files], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.error, undefined, `java could not run vnu.jar: ${run.error}`);
    // vnu writes its JSON report to stderr.
    const report = JSON.parse(run.stderr || '{"messages":[]}');
    const errors = report.messages
      .filter((m) => m.type === 'error' || m.type === 'non-document-error')
      .map((m) => `${m.url.replace(`file:${root}/public/`, '')}:${m.lastLine}: ${m.message}`);
    assert.deepEqual(errors, [], 'Nu HTML Checker errors');
    assert.equal(run.status, 0, run.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
