// The built bundle on a real page in the system's Chromium (never downloaded: CHROME_PATH, or chromium on
// the PATH; skipped when there is none), driven over the DevTools protocol on a pipe. The pages are served
// from 127.0.0.1 with the strict CSP the server uses, plus Trusted Types, so any HTML parsing of a string
// would throw. Checks the DOM contract of README.md: key panel, wrong files, wrong key, records shown with
// textContent, per-record errors, Forget key, data-forget, sign-out forms and the idle reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Encrypter, armor, generateIdentity, identityToRecipient } from "age-encryption";

const here = dirname(fileURLToPath(import.meta.url));
const bundle = readFileSync(join(here, "..", "..", "src", "serve", "staff", "staff.js"));

function findChromium() {
  for (const candidate of [process.env.CHROME_PATH, "chromium", "chromium-browser", "google-chrome"]) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch (_) {
      // not this one
    }
  }
  return null;
}
const chromium = findChromium();

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

async function seal(recipient, value) {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(JSON.stringify(value)));
}

const HOSTILE = "<img src=x onerror=alert(1)>";
let dir, server, origin, browser, cdp;
let identity, otherIdentity, records;

function page({ idle = 900, forget = false, sealed = true } = {}) {
  const articles = sealed
    ? records
        .map(
          ({ id, time, armored }) =>
            `<article class="sealed" data-id="${escape(id)}" data-time="${escape(time)}"><h2>Inquiry ${escape(id)}</h2>` +
            `<pre class="sealed-age" hidden>\n${escape(armored)}</pre><dl class="sealed-fields"></dl>` +
            `<p class="sealed-error" role="alert" hidden></p></article>`,
        )
        .join("\n")
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inbox</title>
<script src="/staff.js" defer></script></head>
<body data-idle-seconds="${idle}"${forget ? " data-forget" : ""}>
<form data-sign-out method="post" action="/signout"><button>Sign out</button></form>
<div id="key-panel" hidden><label for="key-file">Your key file</label><input type="file" id="key-file">
<p id="key-error" role="alert"></p></div>
<button type="button" id="forget-key" hidden>Forget key</button>
${articles}
</body></html>`;
}

before(async () => {
  if (!chromium) return;
  dir = mkdtempSync(join(tmpdir(), "iopsite-staff-page-"));
  identity = await generateIdentity();
  otherIdentity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const good = {
    id: "a1", time: "2026-11-30T23:58:00Z", name: HOSTILE, phone: "555-0100", email: "",
    preferred: "call", safe_times: "Mornings", voicemail: "no", for_whom: "self",
    message: "Line one\nLine two", consent: true,
  };
  records = [
    { id: "a1", time: good.time, armored: await seal(recipient, good) },
    // locked with another key
    { id: "b2", time: good.time, armored: await seal(await identityToRecipient(otherIdentity), { ...good, id: "b2" }) },
    // moved: the page says c3, the record says a1
    { id: "c3", time: good.time, armored: await seal(recipient, good) },
  ];
  writeFileSync(join(dir, "key.txt"), `# created: 2026-11-30T23:58:00Z\n# public key: ${recipient}\n${identity}\n`);
  writeFileSync(join(dir, "other-key.txt"), `# created: 2026-11-30T23:58:00Z\n${otherIdentity}\n`);
  writeFileSync(join(dir, "letter.txt"), "Dear admissions,\nplease call me.\n");

  server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const headers = {
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; require-trusted-types-for 'script'",
      "cache-control": "no-store",
    };
    if (url.pathname === "/staff.js") {
      res.writeHead(200, { ...headers, "content-type": "text/javascript" }).end(bundle);
    } else if (url.pathname === "/signout") {
      res.writeHead(303, { ...headers, location: "/signed-out" }).end();
    } else if (url.pathname === "/signed-out") {
      res.writeHead(200, { ...headers, "content-type": "text/html" }).end(page({ forget: true, sealed: false }));
    } else if (url.pathname === "/signin") {
      res.writeHead(200, { ...headers, "content-type": "text/html" }).end(page({ forget: true, sealed: false }));
    } else if (url.pathname === "/inbox") {
      const idle = Number(url.searchParams.get("idle") ?? 900);
      res.writeHead(200, { ...headers, "content-type": "text/html" }).end(page({ idle }));
    } else {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;

  browser = spawn(
    chromium,
    ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe",
      `--user-data-dir=${join(dir, "profile")}`, "about:blank"],
    { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
  );
  cdp = connect(browser.stdio[3], browser.stdio[4]);
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
  cdp.sessionId = sessionId;
  await cdp.send("Page.enable");
  await cdp.send("Runtime.enable");
  await cdp.send("Log.enable");
});

after(async () => {
  if (browser && browser.exitCode === null) {
    const exited = new Promise((resolve) => browser.once("exit", resolve));
    cdp.send("Browser.close", {}, false).catch(() => {});
    const timer = setTimeout(() => browser.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (server) server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A minimal DevTools protocol client over --remote-debugging-pipe (NUL-separated JSON messages).
function connect(input, output) {
  let next = 1;
  const waiting = new Map();
  const problems = [];
  let buffer = "";
  output.on("data", (chunk) => {
    buffer += chunk.toString("utf8");
    let end;
    while ((end = buffer.indexOf("\0")) >= 0) {
      const message = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (message.id && waiting.has(message.id)) {
        const { resolve, reject } = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error) reject(new Error(message.error.message));
        else resolve(message.result);
      } else if (message.method === "Runtime.exceptionThrown") {
        problems.push(message.params.exceptionDetails.exception?.description ?? "exception");
      } else if (message.method === "Runtime.consoleAPICalled") {
        problems.push(`console.${message.params.type}`);
      } else if (message.method === "Log.entryAdded" && message.params.entry.level === "error") {
        problems.push(message.params.entry.text);
      }
    }
  });
  const client = {
    sessionId: undefined,
    problems,
    send(method, params = {}, inSession = true) {
      const id = next++;
      const message = { id, method, params };
      if (inSession && client.sessionId) message.sessionId = client.sessionId;
      input.write(JSON.stringify(message) + "\0");
      return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
  };
  return client;
}

async function evaluate(expression) {
  const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
    expression, awaitPromise: true, returnByValue: true,
  });
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  return result.value;
}

async function until(expression, what, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await evaluate(expression).catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function open(path) {
  await cdp.send("Page.navigate", { url: origin + path });
  await until(`document.readyState === "complete" && location.pathname === ${JSON.stringify(new URL(origin + path).pathname)}`, path);
}

async function choose(file) {
  const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
  const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "#key-file" });
  await cdp.send("DOM.setFileInputFiles", { nodeId, files: [join(dir, file)] });
}

const stored = `sessionStorage.getItem("iopsite-identity")`;
const state = `JSON.stringify({
  panel: !document.getElementById("key-panel").hidden,
  forget: !document.getElementById("forget-key").hidden,
  error: document.getElementById("key-error").textContent,
  input: document.getElementById("key-file").value,
  states: [...document.querySelectorAll("article.sealed")].map((a) => a.dataset.state || ""),
})`;

// In CI (CI=true) Chromium is installed by .ci/run, so a missing one fails the test instead of skipping it.
test("the staff page in Chromium keeps the DOM contract", { skip: chromium || process.env.CI ? false : "no Chromium on this machine" }, async () => {
  await open("/inbox");
  assert.equal(await evaluate(stored), null);
  assert.deepEqual(JSON.parse(await evaluate(state)), { panel: true, forget: false, error: "", input: "", states: ["", "", ""] });

  await choose("letter.txt");
  await until(`document.getElementById("key-error").textContent.length > 0`, "the not-a-key message");
  assert.equal(
    await evaluate(`document.getElementById("key-error").textContent`),
    "This file is not an iopsite key file. Choose the file that `iopsite keygen` made (it starts with # created).",
  );

  await choose("other-key.txt"); // opens only b2, which is locked with that key: it does open something
  await until(`document.getElementById("key-panel").hidden`, "the panel hidden");
  assert.equal(await evaluate(stored), otherIdentity);
  assert.deepEqual(JSON.parse(await evaluate(state)).states, ["error", "open", "error"]);

  // Forget key: gone from storage, the page reloads and asks again.
  await evaluate(`window.before = 1; document.getElementById("forget-key").click()`);
  await until(`window.before === undefined && document.readyState === "complete"`, "the reload");
  assert.equal(await evaluate(stored), null);
  assert.equal(JSON.parse(await evaluate(state)).panel, true);

  // A key that opens none of these records is refused and not kept: mimic one by a fresh identity file.
  const lone = await generateIdentity();
  writeFileSync(join(dir, "lone.txt"), `# created: now\n${lone}\n`);
  await choose("lone.txt");
  await until(`document.getElementById("key-error").textContent.startsWith("This key")`, "the wrong-key message");
  assert.equal(
    await evaluate(`document.getElementById("key-error").textContent`),
    "This key does not open these inquiries. Choose the key file that belongs to this website.",
  );
  assert.equal(await evaluate(stored), null);
  assert.equal(JSON.parse(await evaluate(state)).panel, true);

  await choose("key.txt");
  await until(`document.getElementById("key-panel").hidden`, "the panel hidden");
  assert.deepEqual(JSON.parse(await evaluate(state)), { panel: false, forget: true, error: "", input: "", states: ["open", "error", "error"] });
  assert.equal(await evaluate(stored), identity);
  const rows = await evaluate(
    `[...document.querySelectorAll('article[data-id="a1"] dl > *')].map((e) => [e.tagName, e.textContent, e.className])`,
  );
  assert.deepEqual(rows, [
    ["DT", "Name", ""], ["DD", HOSTILE, ""],
    ["DT", "Phone", ""], ["DD", "555-0100", ""],
    ["DT", "Email", ""], ["DD", "Not given", ""],
    ["DT", "Prefers", ""], ["DD", "Call", ""],
    ["DT", "Safe times to contact", ""], ["DD", "Mornings", ""],
    ["DT", "Voicemail", ""], ["DD", "No voicemail", ""],
    ["DT", "For", ""], ["DD", "Themselves", ""],
    ["DT", "Message", ""], ["DD", "Line one\nLine two", "message"],
    ["DT", "Consent", ""], ["DD", "Yes", ""],
  ]);
  assert.equal(await evaluate(`document.querySelectorAll("img").length`), 0, "the hostile name stayed text");
  assert.deepEqual(
    await evaluate(`[...document.querySelectorAll("p.sealed-error")].map((p) => [p.hidden, p.textContent])`),
    [
      [true, ""],
      [false, "Inquiry b2 could not be opened: it is damaged or was locked with another key."],
      [false, "Inquiry c3 could not be opened: it is damaged or was locked with another key."],
    ],
  );

  // Another page in the same tab opens the records with the stored key, without asking.
  await open("/inbox");
  await until(`document.querySelector('article[data-id="a1"]').dataset.state === "open"`, "the record opened");
  assert.deepEqual(JSON.parse(await evaluate(state)), { panel: false, forget: true, error: "", input: "", states: ["open", "error", "error"] });

  // A page with data-forget removes the key at once.
  await open("/signin");
  assert.equal(await evaluate(stored), null);

  // A sign-out form removes it before it is sent.
  await open("/inbox");
  await choose("key.txt");
  await until(`document.getElementById("key-panel").hidden`, "the panel hidden");
  await evaluate(`document.querySelector("form[data-sign-out]").requestSubmit()`);
  await until(`location.pathname === "/signed-out" && document.readyState === "complete"`, "the signed-out page");
  assert.equal(await evaluate(stored), null);

  // Idle: after data-idle-seconds with no activity the key is forgotten and the page reloads.
  await open("/inbox?idle=2");
  await choose("key.txt");
  await until(`document.getElementById("key-panel").hidden`, "the panel hidden");
  await evaluate(`window.before = 1`);
  await until(`window.before === undefined && document.readyState === "complete"`, "the idle reload", 6000);
  assert.equal(await evaluate(stored), null);
  assert.equal(JSON.parse(await evaluate(state)).panel, true);

  assert.deepEqual(cdp.problems, [], "no exception, console output or CSP violation");
});
