// The staff inbox's page script: opens age-encrypted inquiries in the browser with the staff member's own
// private key, which never leaves this tab. Built into ../../src/serve/staff/staff.js by `npm run build`;
// the DOM contract it relies on is written down in ../README.md.
//
// Rules this file keeps:
// - The private key (an `AGE-SECRET-KEY-1…` line) is never sent anywhere, never logged, and only kept in
//   sessionStorage (or, where that is refused, in a variable of this page).
// - Decrypted values are attacker-controlled text (anyone can fill in the contact form), so they reach the
//   page only through textContent, never through innerHTML or any other HTML parser.
// - The pages have a strict CSP (script-src 'self'): no inline handlers, no eval, no new Function.

import { Decrypter, armor, identityToRecipient } from "age-encryption";

// sessionStorage belongs to one tab: it is gone when the tab (or the browser) is closed and is never shared
// with other tabs or sent to the server, unlike localStorage (kept on disk indefinitely) or cookies.
const STORAGE_KEY = "iopsite-identity";

// A key file from `iopsite keygen` or `age-keygen` is a few hundred bytes; anything far bigger is not one,
// and is not read at all.
const KEY_FILE_MAX_BYTES = 64 * 1024;

const NOT_A_KEY_FILE =
  "This file is not an iopsite key file. Choose the file that `iopsite keygen` made (it starts with # created).";
const WRONG_KEY = "This key does not open these inquiries. Choose the key file that belongs to this website.";

// ---------------------------------------------------------------------------------------------------------
// The pure parts (no DOM), exposed as globalThis.iopsiteStaff for the tests.

/**
 * The private key in the text of a key file: the first line that starts with `AGE-SECRET-KEY-1` (comment
 * lines start with `#`), without surrounding whitespace; null when there is none.
 * @param {string} text
 * @returns {string | null}
 */
function identityFromFile(text) {
  if (typeof text !== "string") return null;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line.startsWith("AGE-SECRET-KEY-1")) return line;
  }
  return null;
}

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decrypt one armored age file with `identity` and check that it is the inquiry the page says it is.
 * Throws when the text is damaged or truncated, was locked with another key, is not one JSON object, or its
 * id or time differ from the expected ones (a record moved or swapped on the server).
 * @param {string} identity an `AGE-SECRET-KEY-1…` string
 * @param {string} armored `-----BEGIN AGE ENCRYPTED FILE-----` text
 * @param {string} expectedId
 * @param {string} expectedTime
 * @returns {Promise<object>}
 */
async function decryptRecord(identity, armored, expectedId, expectedTime) {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  const sealed = armor.decode(String(armored).trim());
  const text = await decrypter.decrypt(sealed, "text");
  const record = JSON.parse(text);
  if (!isPlainObject(record)) throw new Error("the inquiry is not a JSON object");
  if (typeof record.id !== "string" || record.id !== expectedId) {
    throw new Error("the inquiry's id is not the one expected");
  }
  if (typeof record.time !== "string" || record.time !== expectedTime) {
    throw new Error("the inquiry's time is not the one expected");
  }
  return record;
}

const NOT_GIVEN = "Not given";

function isMissing(value) {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

// A free-text value as text; anything that is not a string (a tampered record) is shown as its JSON text.
function text(value) {
  if (isMissing(value)) return NOT_GIVEN;
  return typeof value === "string" ? value : JSON.stringify(value);
}

// A choice, by its label; an unknown value is shown as it is (as text), a missing one as `missing`.
function choice(value, labels, missing) {
  if (isMissing(value)) return missing;
  if (typeof value === "string" && Object.prototype.hasOwnProperty.call(labels, value)) return labels[value];
  return text(value);
}

const PREFERRED = { call: "Call", text: "Text", email: "Email" };
const VOICEMAIL = {
  no: "No voicemail",
  generic: "Only a generic message that does not name us",
  yes: "Yes, may name us",
};
const FOR_WHOM = { self: "Themselves", other: "Someone else" };

/** The label of the message row, whose <dd> keeps line breaks (class `message`). */
const MESSAGE = "Message";

/**
 * The rows to show for a decrypted inquiry, in order: [label, value] pairs of plain strings, to be put in
 * the page with textContent only.
 * @param {object} record
 * @returns {Array<[string, string]>}
 */
function fields(record) {
  const r = isPlainObject(record) ? record : {};
  return [
    ["Name", text(r.name)],
    ["Phone", text(r.phone)],
    ["Email", text(r.email)],
    ["Prefers", choice(r.preferred, PREFERRED, "Not said")],
    ["Safe times to contact", text(r.safe_times)],
    // The form counts no answer as no (the server stores "no"); a missing value is read the same, safe, way.
    ["Voicemail", choice(r.voicemail, VOICEMAIL, VOICEMAIL.no)],
    ["For", choice(r.for_whom, FOR_WHOM, "Not said")],
    [MESSAGE, text(r.message)],
    ["Consent", r.consent === true ? "Yes" : r.consent === false ? "No" : NOT_GIVEN],
  ];
}

globalThis.iopsiteStaff = Object.freeze({ identityFromFile, decryptRecord, fields });

// ---------------------------------------------------------------------------------------------------------
// The page.

// Where sessionStorage is refused (storage turned off, some private modes), the key lives only in this
// variable, so it is gone with the page.
let memoryIdentity = null;

function loadIdentity() {
  try {
    const stored = window.sessionStorage.getItem(STORAGE_KEY);
    if (stored) return stored;
  } catch (_) {
    // storage refused: fall back to memory
  }
  return memoryIdentity;
}

function storeIdentity(identity) {
  memoryIdentity = identity;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, identity);
    memoryIdentity = null;
  } catch (_) {
    // storage refused: the key stays in memory for this page only
  }
}

function forgetIdentity() {
  memoryIdentity = null;
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch (_) {
    // nothing was stored
  }
}

function sealedRecords() {
  return Array.from(document.querySelectorAll("article.sealed"));
}

function armoredText(article) {
  const pre = article.querySelector("pre.sealed-age");
  return pre ? pre.textContent || "" : "";
}

// Try `identity` on every sealed record; resolves to one result per record, in page order.
function openAll(identity, articles) {
  return Promise.all(
    articles.map((article) =>
      decryptRecord(identity, armoredText(article), article.dataset.id || "", article.dataset.time || "").then(
        (record) => ({ article, record }),
        () => ({ article, record: null }),
      ),
    ),
  );
}

function show(results) {
  for (const { article, record } of results) {
    const list = article.querySelector("dl.sealed-fields");
    const error = article.querySelector("p.sealed-error");
    if (record) {
      if (list) {
        const rows = [];
        for (const [label, value] of fields(record)) {
          const dt = document.createElement("dt");
          dt.textContent = label;
          const dd = document.createElement("dd");
          dd.textContent = value;
          if (label === MESSAGE) dd.className = "message";
          rows.push(dt, dd);
        }
        list.replaceChildren(...rows);
      }
      if (error) {
        error.textContent = "";
        error.hidden = true;
      }
      article.dataset.state = "open";
    } else {
      if (list) list.replaceChildren();
      if (error) {
        const id = article.dataset.id;
        error.textContent = `${id ? `Inquiry ${id}` : "This inquiry"} could not be opened: it is damaged or was locked with another key.`;
        error.hidden = false;
      }
      article.dataset.state = "error";
    }
  }
}

function showForgetButton() {
  const button = document.getElementById("forget-key");
  if (button) button.hidden = false;
}

function reload() {
  window.location.reload();
}

// After `seconds` with no keyboard, pointer, touch or scroll activity: forget the key and reload (by then
// the server has ended the session and shows sign-in). Wall-clock time (Date.now) is used on purpose, so
// that time spent asleep or in a throttled background tab counts.
function startIdleTimer(seconds) {
  const limit = seconds * 1000;
  let last = Date.now();
  let timer = 0;
  const check = () => {
    const left = limit - (Date.now() - last);
    if (left <= 0) {
      forgetIdentity();
      reload();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(check, Math.min(left + 50, 60 * 1000));
  };
  const active = () => {
    // The check comes first, so that a tab woken after the limit does not count its first event as activity.
    if (Date.now() - last >= limit) {
      check();
      return;
    }
    last = Date.now();
  };
  const options = { capture: true, passive: true };
  for (const type of ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "scroll"]) {
    window.addEventListener(type, active, options);
  }
  document.addEventListener("visibilitychange", check);
  window.addEventListener("focus", check);
  check();
}

function setUpKeyPanel(articles) {
  const panel = document.getElementById("key-panel");
  const input = document.getElementById("key-file");
  const error = document.getElementById("key-error");
  if (!panel || !input) return;
  const say = (message) => {
    if (error) error.textContent = message;
  };
  let busy = false;
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file || busy) return;
    busy = true;
    say("");
    try {
      let identity = null;
      if (file.size <= KEY_FILE_MAX_BYTES) {
        identity = identityFromFile(await file.text());
      }
      if (identity) {
        try {
          await identityToRecipient(identity); // checks the key's checksum and length
        } catch (_) {
          identity = null;
        }
      }
      if (!identity) {
        say(NOT_A_KEY_FILE);
        return;
      }
      const results = await openAll(identity, articles);
      if (!results.some((result) => result.record)) {
        say(WRONG_KEY);
        return;
      }
      storeIdentity(identity);
      panel.hidden = true;
      show(results);
      showForgetButton();
    } catch (_) {
      say(NOT_A_KEY_FILE);
    } finally {
      // The chosen file is not kept by the page either way; clearing also lets the same file be chosen again.
      input.value = "";
      busy = false;
    }
  });
}

function start() {
  const body = document.body;
  if (!body) return;

  if (body.hasAttribute("data-forget")) forgetIdentity();

  for (const form of document.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", forgetIdentity);
  }

  const forget = document.getElementById("forget-key");
  if (forget) {
    forget.addEventListener("click", () => {
      forgetIdentity();
      reload();
    });
  }

  const idle = Number(body.dataset.idleSeconds);
  if (Number.isFinite(idle) && idle > 0) startIdleTimer(idle);

  // A page restored from the back/forward cache after the key was forgotten (signed out in this tab) must
  // not go on showing what it had opened.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && !loadIdentity() && document.querySelector('article.sealed[data-state="open"]')) {
      reload();
    }
  });

  const articles = sealedRecords();
  setUpKeyPanel(articles);
  const identity = loadIdentity();
  if (identity) {
    showForgetButton();
    if (articles.length > 0) openAll(identity, articles).then(show);
  } else if (articles.length > 0) {
    const panel = document.getElementById("key-panel");
    if (panel) panel.hidden = false;
  }
}

if (typeof document !== "undefined" && typeof window !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
}
