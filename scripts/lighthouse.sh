#!/usr/bin/env bash
# Lighthouse (npm lighthouse, pinned in browser-tests/) on the home and contact pages of the IOP site, served by
# `iopsite serve --no-watch` on a free port; prints the four category scores of each page and its largest
# contentful paint (LCP). A third page, /photo/, is added to the copy of the site: its content starts with a
# 12-megapixel phone-like photo (4000 × 3000 JPEG from examples/make_photos.rs, or PHOTO=path/to.jpg) shown by
# markdown as a member of staff would add it, so its largest element is the photo's responsive copy (issue 12).
# Needs: `npm ci --ignore-scripts` in browser-tests/, Chromium (CHROME_PATH, default /usr/bin/chromium).
# The goal: 100 for accessibility, best practices and SEO, at least 98 for performance. Record results in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${IOPSITE_BIN:-target/debug/iopsite}
[ -x "$bin" ] || cargo build --quiet
# The photo maker of the binary's profile when it is there (the debug one takes a while for one photo).
maker="$(dirname "$bin")/examples/make_photos"
[ -x "$maker" ] || maker=target/debug/examples/make_photos
[ -n "${PHOTO:-}" ] || [ -x "$maker" ] || cargo build --quiet --example make_photos
lighthouse=browser-tests/node_modules/.bin/lighthouse
[ -x "$lighthouse" ] || { echo "run: (cd browser-tests && npm ci --ignore-scripts)" >&2; exit 1; }
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/site"
for part in config.toml content themes static templates; do
  [ -e "$part" ] && cp -R "$part" "$work/site/"
done
mkdir "$work/site/content/photo"
if [ -n "${PHOTO:-}" ]; then
  cp "$PHOTO" "$work/site/content/photo/street.jpg"
else
  "$maker" "$work/photos" 1 12 >/dev/null
  mv "$work/photos/photo-01.jpg" "$work/site/content/photo/street.jpg"
fi
cat >"$work/site/content/photo/index.md" <<'PAGE'
+++
title = "Finding us"
description = "What the street in front of the center looks like."
date = 2026-11-26
+++

![The street in front of the center, with the buildings and trees next to it](street.jpg)

The photo above shows the street in front of the center. (A benchmark page: the photo is generated.)
PAGE

"$bin" serve --no-watch --port 0 --root "$work/site" >"$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 600); do
  url=$(sed -n 's|^Serving \(http://127\.0\.0\.1:[0-9]*\)/$|\1|p' "$work/serve.log")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "iopsite serve printed no address:" >&2; cat "$work/serve.log" >&2; exit 1; }

flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
echo "Lighthouse $("$lighthouse" --version), $("$CHROME_PATH" --version 2>/dev/null | head -1), mobile (default) settings"
for page in / /contact/ /photo/; do
  "$lighthouse" "$url$page" --quiet --chrome-flags="$flags" \
    --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$work/report.json"
  node -e '
    const report = require(process.argv[1]);
    const score = (id) => String(Math.round(report.categories[id].score * 100)).padStart(3);
    const lcp = (report.audits["largest-contentful-paint"].numericValue / 1000).toFixed(1);
    console.log(`${process.argv[2].padEnd(10)} performance ${score("performance")}  accessibility ${score("accessibility")}  best-practices ${score("best-practices")}  seo ${score("seo")}  LCP ${lcp} s`);
    // What cost points.
    for (const [id, category] of Object.entries(report.categories)) {
      for (const ref of category.auditRefs) {
        const audit = report.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          console.log(`           ${id}: ${ref.id} ${audit.score} ${audit.displayValue || ""}`);
        }
      }
    }
  ' "$work/report.json" "$page"
done
