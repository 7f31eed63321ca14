// Tests the BUILT bundle, ../src/serve/staff/staff.js, as the browser gets it: run in this context (it sets
// globalThis.iopsiteStaff and, with no `document` here, touches no page), with inquiries sealed by the same
// age-encryption package. Run with `npm test` (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { Encrypter, armor, generateIdentity, identityToRecipient } from "age-encryption";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const bundlePath = join(root, "..", "src", "serve", "staff", "staff.js");
const bundle = readFileSync(bundlePath, "utf8");

vm.runInThisContext(bundle, { filename: bundlePath });
const staff = globalThis.iopsiteStaff;

async function seal(recipient, value) {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const plain = typeof value === "string" ? value : JSON.stringify(value);
  return armor.encode(await encrypter.encrypt(plain));
}

function inquiry(overrides = {}) {
  return {
    id: "7f3a9c",
    time: "2026-11-30T23:58:00Z",
    name: "Sam Rivera",
    phone: "555-0100",
    email: "sam@example.org",
    preferred: "text",
    safe_times: "Weekdays after 6pm",
    voicemail: "generic",
    for_whom: "other",
    message: "First line\nSecond line",
    consent: true,
    ...overrides,
  };
}

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);

test("the bundle sets globalThis.iopsiteStaff with the three functions", () => {
  assert.equal(typeof staff, "object");
  for (const name of ["identityFromFile", "decryptRecord", "fields"]) {
    assert.equal(typeof staff[name], "function", name);
  }
});

test("decryptRecord returns the inquiry", async () => {
  const record = inquiry();
  const armored = await seal(recipient, record);
  assert.ok(armored.startsWith("-----BEGIN AGE ENCRYPTED FILE-----"));
  assert.deepEqual(await staff.decryptRecord(identity, armored, record.id, record.time), record);
  // As a <pre>'s textContent may have it: surrounding whitespace and CRLF line ends.
  const crlf = `\n  ${armored.replace(/\n/g, "\r\n")}\n`;
  assert.deepEqual(await staff.decryptRecord(identity, crlf, record.id, record.time), record);
});

test("decryptRecord throws for another key", async () => {
  const record = inquiry();
  const armored = await seal(recipient, record);
  const other = await generateIdentity();
  await assert.rejects(staff.decryptRecord(other, armored, record.id, record.time));
});

test("decryptRecord throws for a truncated or damaged text", async () => {
  const record = inquiry({ message: "x".repeat(70000) }); // more than one 64 KiB chunk
  const armored = await seal(recipient, record);
  const lines = armored.trimEnd().split("\n");
  // Lines cut out of the middle, with the END line kept.
  const truncated = [...lines.slice(0, Math.floor(lines.length / 2)), lines.at(-1)].join("\n");
  await assert.rejects(staff.decryptRecord(identity, truncated, record.id, record.time));
  // Cut off with no END line.
  await assert.rejects(staff.decryptRecord(identity, armored.slice(0, armored.length / 2), record.id, record.time));
  // One character of the ciphertext changed.
  const middle = Math.floor(lines.length / 2);
  const line = lines[middle];
  const flipped = line[10] === "A" ? "B" : "A";
  lines[middle] = line.slice(0, 10) + flipped + line.slice(11);
  await assert.rejects(staff.decryptRecord(identity, lines.join("\n"), record.id, record.time));
  await assert.rejects(staff.decryptRecord(identity, "", record.id, record.time));
  await assert.rejects(staff.decryptRecord(identity, "not age at all", record.id, record.time));
});

test("decryptRecord throws when the id or time is not the expected one", async () => {
  const record = inquiry();
  const armored = await seal(recipient, record);
  await assert.rejects(staff.decryptRecord(identity, armored, "another-id", record.time), /id/);
  await assert.rejects(staff.decryptRecord(identity, armored, record.id, "2026-12-01T00:00:00Z"), /time/);
  const noId = inquiry();
  delete noId.id;
  await assert.rejects(staff.decryptRecord(identity, await seal(recipient, noId), "", record.time));
});

test("decryptRecord throws when the clear text is not one JSON object", async () => {
  for (const plain of ["not json", "[1,2]", "null", '"7f3a9c"']) {
    await assert.rejects(staff.decryptRecord(identity, await seal(recipient, plain), "7f3a9c", "2026-11-30T23:58:00Z"));
  }
});

test("identityFromFile finds the key among the comment lines", () => {
  const fromIopsite = `# created: 2026-11-30T23:58:00Z\n# public key: ${recipient}\n# iopsite: the private key for the contact form's inquiries. Keep it off the web server.\n${identity}\n`;
  assert.equal(staff.identityFromFile(fromIopsite), identity);
  const fromWindows = fromIopsite.replace(/\n/g, "\r\n");
  assert.equal(staff.identityFromFile(fromWindows), identity);
  assert.equal(staff.identityFromFile(`  ${identity}  `), identity);
});

test("identityFromFile returns null for other text", () => {
  assert.equal(staff.identityFromFile(""), null);
  assert.equal(staff.identityFromFile(`# created: 2026-11-30T23:58:00Z\n# public key: ${recipient}\n`), null);
  assert.equal(staff.identityFromFile(recipient), null);
  assert.equal(staff.identityFromFile("Dear admissions,\nplease call me.\n"), null);
  assert.equal(staff.identityFromFile(`# ${identity}\n`), null, "a commented-out key is not a key");
  assert.equal(staff.identityFromFile("AGE-SECRET-KEY-PQ-1ABC\n"), null, "only X25519 keys");
  assert.equal(staff.identityFromFile(undefined), null);
});

test("fields gives plain-English labels and values, in order", () => {
  assert.deepEqual(staff.fields(inquiry()), [
    ["Name", "Sam Rivera"],
    ["Phone", "555-0100"],
    ["Email", "sam@example.org"],
    ["Prefers", "Text"],
    ["Safe times to contact", "Weekdays after 6pm"],
    ["Voicemail", "Only a generic message that does not name us"],
    ["For", "Someone else"],
    ["Message", "First line\nSecond line"],
    ["Consent", "Yes"],
  ]);
});

test("fields maps every choice", () => {
  const value = (record, label) => staff.fields(record).find(([l]) => l === label)[1];
  assert.equal(value(inquiry({ preferred: "call" }), "Prefers"), "Call");
  assert.equal(value(inquiry({ preferred: "text" }), "Prefers"), "Text");
  assert.equal(value(inquiry({ preferred: "email" }), "Prefers"), "Email");
  assert.equal(value(inquiry({ preferred: null }), "Prefers"), "Not said");
  assert.equal(value(inquiry({ voicemail: "no" }), "Voicemail"), "No voicemail");
  assert.equal(value(inquiry({ voicemail: "generic" }), "Voicemail"), "Only a generic message that does not name us");
  assert.equal(value(inquiry({ voicemail: "yes" }), "Voicemail"), "Yes, may name us");
  assert.equal(value(inquiry({ for_whom: "self" }), "For"), "Themselves");
  assert.equal(value(inquiry({ for_whom: "other" }), "For"), "Someone else");
  assert.equal(value(inquiry({ for_whom: null }), "For"), "Not said");
  assert.equal(value(inquiry({ consent: true }), "Consent"), "Yes");
});

test("fields shows empty values as Not given", () => {
  const rows = staff.fields(inquiry({ name: "", phone: "   ", email: null, safe_times: "", message: "" }));
  for (const label of ["Name", "Phone", "Email", "Safe times to contact", "Message"]) {
    assert.equal(rows.find(([l]) => l === label)[1], "Not given", label);
  }
});

test("fields returns attacker-controlled text verbatim, as plain strings", () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const rows = staff.fields(
    inquiry({ name: hostile, message: `<script>alert(1)</script>\n&amp;`, preferred: "<b>fax</b>", voicemail: "__proto__" }),
  );
  for (const [label, value] of rows) {
    assert.equal(typeof label, "string");
    assert.equal(typeof value, "string");
  }
  assert.equal(rows[0][1], hostile);
  assert.equal(rows.find(([l]) => l === "Message")[1], "<script>alert(1)</script>\n&amp;");
  assert.equal(rows.find(([l]) => l === "Prefers")[1], "<b>fax</b>", "an unknown choice is shown as text");
  assert.equal(rows.find(([l]) => l === "Voicemail")[1], "__proto__");
  // Not a string at all (a tampered record): shown as JSON text, never as an object.
  assert.equal(staff.fields(inquiry({ name: { toString: 1 } }))[0][1], '{"toString":1}');
});

test("the page code never parses HTML or evaluates strings", () => {
  for (const banned of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "Function("]) {
    assert.ok(!bundle.includes(banned), `the bundle contains ${banned}`);
  }
});

test("the bundle names no other host", () => {
  assert.doesNotMatch(bundle, /https?:\/\//i, "no URL at all: nothing to fetch, no link in licence text");
  assert.doesNotMatch(bundle, /sourceMappingURL/);
  for (const api of ["fetch(", "XMLHttpRequest", "sendBeacon", "WebSocket", "EventSource", "localStorage", "console."]) {
    assert.ok(!bundle.includes(api), `the bundle uses ${api}`);
  }
  // Inert domain-like text that is documented in README.md: the age format's own labels
  // ("age-encryption.org/v1", ...) and the noble/scure licence comments' "(paulmillr.com)".
  const domains = new Set(bundle.match(/\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|io|dev)\b/gi) ?? []);
  assert.deepEqual([...domains].sort(), ["age-encryption.org", "paulmillr.com"]);
});

test("the bundle's banner names the pinned versions and how it is built", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const head = bundle.slice(0, bundle.indexOf("*/"));
  assert.ok(head.includes(`age-encryption ${pkg.devDependencies["age-encryption"]}`), head);
  assert.ok(head.includes(`esbuild ${pkg.devDependencies.esbuild}`), head);
  assert.ok(head.includes("built by `cd staff-ui && npm ci && npm run build`; do not edit"), head);
  for (const version of Object.values(pkg.devDependencies)) assert.match(version, /^\d+\.\d+\.\d+$/, "exact pins only");
});

test("the committed bundle is what the sources build to", () => {
  const dir = mkdtempSync(join(tmpdir(), "iopsite-staff-"));
  try {
    const fresh = join(dir, "staff.js");
    execFileSync(process.execPath, [join(root, "build.mjs"), fresh], { stdio: "pipe" });
    assert.ok(readFileSync(fresh, "utf8") === bundle, "run `npm run build` in staff-ui and commit the bundle");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
