#!/usr/bin/env bash
# Lighthouse (npm lighthouse, pinned in browser-tests/) on the home and contact pages of the IOP site, served by
# `iopsite serve --no-watch` on a free port; prints the four category scores of each page.
# Needs: `npm ci --ignore-scripts` in browser-tests/, Chromium (CHROME_PATH, default /usr/bin/chromium).
# The goal: 100 for accessibility, best practices and SEO, at least 98 for performance. Record results in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${IOPSITE_BIN:-target/debug/iopsite}
[ -x "$bin" ] || cargo build --quiet
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
"$bin" serve --no-watch --port 0 --root "$work/site" >"$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's|^Serving \(http://127\.0\.0\.1:[0-9]*\)/$|\1|p' "$work/serve.log")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "iopsite serve printed no address:" >&2; cat "$work/serve.log" >&2; exit 1; }

flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
echo "Lighthouse $("$lighthouse" --version), $("$CHROME_PATH" --version 2>/dev/null | head -1), mobile (default) settings"
for page in / /contact/; do
  "$lighthouse" "$url$page" --quiet --chrome-flags="$flags" \
    --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$work/report.json"
  node -e '
    const report = require(process.argv[1]);
    const score = (id) => String(Math.round(report.categories[id].score * 100)).padStart(3);
    console.log(`${process.argv[2].padEnd(10)} performance ${score("performance")}  accessibility ${score("accessibility")}  best-practices ${score("best-practices")}  seo ${score("seo")}`);
  ' "$work/report.json" "$page"
done
