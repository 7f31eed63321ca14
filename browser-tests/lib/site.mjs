// The site under test and the iopsite binary: a fresh copy of the IOP site in a temporary folder (so tests may edit
// it), built or served by the real binary. Bounded waits everywhere, so nothing hangs.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the IOP site lives there). */
export const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The iopsite binary: $IOPSITE_BIN, else the debug build `cargo test` made. */
export const binary = process.env.IOPSITE_BIN || join(repo, 'target', 'debug', 'iopsite');

/** Copy the IOP site (config, content, themes, static, templates) into a new temporary folder. */
export function copySite() {
  const root = mkdtempSync(join(tmpdir(), 'iopsite-browser-'));
  for (const part of ['config.toml', 'content', 'themes', 'static', 'templates']) {
    const from = join(repo, part);
    if (existsSync(from)) cpSync(from, join(root, part), { recursive: true });
  }
  return root;
}

/** Build a site folder into `root/public` with `iopsite build`; returns the output folder. */
export function build(root) {
  const output = join(root, 'public');
  const run = spawnSync(binary, ['build', '--root', root, '--output', output], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`iopsite build failed (${run.status}):\n${run.stderr}${run.error ?? ''}`);
  return output;
}

/**
 * Start the real server on a copy of the site. The command comes from $IOPSITE_SERVE_COMMAND (words separated by
 * spaces; `{root}` is replaced by the site folder), else `iopsite serve --port 0 --root {root}`. The address is read
 * from the line `Serving http://127.0.0.1:PORT/` on its stdout.
 */
export async function serve(root = copySite()) {
  const template = process.env.IOPSITE_SERVE_COMMAND || `${binary} serve --port 0 --root {root}`;
  const [command, ...args] = template.split(' ').filter(Boolean).map((word) => word.replaceAll('{root}', root));
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Serving http://…" line within 30 s:\n${output}`)), 30_000);
    const done = (result, error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result);
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => { output += text; });
    child.stdout.on('data', (text) => {
      output += text;
      const match = output.match(/^Serving (http:\/\/127\.0\.0\.1:\d+)\/$/m);
      if (match) done(match[1]);
    });
    child.on('error', (error) => done(null, error));
    child.on('exit', (code) => done(null, new Error(`the server exited (${code}) before serving:\n${output}`)));
  });
  return {
    root,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every page of a served site: the paths in its sitemap, and the 404 page. */
export async function pagePaths(url) {
  const response = await fetch(`${url}/sitemap.xml`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /sitemap.xml: ${response.status}`);
  const xml = await response.text();
  const paths = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname);
  if (paths.length === 0) throw new Error('the sitemap lists no pages');
  return [...paths, '/404.html'];
}
