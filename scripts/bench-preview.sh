#!/usr/bin/env bash
# Save → page served, `iopsite serve` side by side with `hugo server`, on the generated corpus (issue 17).
#
# For each size, both servers run on the same corpus (generic and hugo flavors of one seed). Each save is timed
# from the write to the first answer that holds the change, polling the page every millisecond or so: for a text
# edit (a sentence appended to one page) the page itself, for a title edit the section's page, which lists every
# page of the section by title. The same method for both tools, so it includes what each needs to notice the save,
# rebuild and answer. Median of SAVES saves, 0.5 s apart; the servers' resident memory (VmRSS) at the end.
#
# Usage: [NAV=none|section] scripts/bench-preview.sh [SAVES] [SIZES…]   (default 7 saves, sizes 1000 10000, no
# navigation: the corpus of issue 17's figures; NAV=section lists every page of its section on each page, so a title
# edit changes a tenth of the site). Needs python3 and hugo.
set -euo pipefail
cd "$(dirname "$0")/.."
SAVES="${1:-7}"
shift || true
SIZES=("${@:-1000 10000}")
NAV="${NAV:-none}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet
BIN="$PWD/target/release/iopsite"

echo "save → page served, navigation: $NAV, median of $SAVES saves (release build, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for N in ${SIZES[@]}; do
  python3 ../shared/bench/gen_corpus.py --pages "$N" --out "$WORK/g$N" --flavor generic --nav "$NAV" >/dev/null 2>&1
  python3 ../shared/bench/gen_corpus.py --pages "$N" --out "$WORK/h$N" --flavor hugo --nav "$NAV" >/dev/null 2>&1
  PAGE="$(cd "$WORK/g$N" && find content -name '*.md' ! -name '_index.md' | sort | sed -n 1p)"
  python3 - "$BIN" "$WORK/g$N" "$WORK/h$N" "$PAGE" "$SAVES" "$N" <<'PY'
import re, socket, statistics, subprocess, sys, threading, time, urllib.request
binary, generic, hugo_site, page, saves, n = sys.argv[1:7]
saves = int(saves)
url_path = "/" + page[len("content/"):-len(".md")] + "/"
section_path = url_path.rsplit("/", 2)[0] + "/"

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def get(url):
    try:
        return urllib.request.urlopen(url, timeout=30).read().decode()
    except Exception:
        return ""

def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

def wait_for(url, text, limit=120):
    start = time.perf_counter()
    while text not in get(url):
        if time.perf_counter() - start > limit:
            raise SystemExit(f"{url} never showed {text!r}")
        time.sleep(0.001)
    return time.perf_counter()

def run(name, command, cwd, ready, site):
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    server = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    threading.Thread(target=lambda: [lines.append(l) for l in server.stdout], daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + url_path, "</html>", 600)
        path = f"{site}/{page}"
        text_times, title_times = [], []
        for i in range(saves):
            time.sleep(0.5)
            marker = f"Marker{i}x{port}"
            start = time.perf_counter()
            with open(path, "a") as f:
                f.write(f"\n{marker} is a sentence added by the benchmark.\n")
            text_times.append((wait_for(base + url_path, marker) - start) * 1000)
        for i in range(saves):
            time.sleep(0.5)
            marker = f"Title{i}x{port}"
            body = open(path).read()
            body = re.sub(r'^title = ".*"$', f'title = "{marker}"', body, count=1, flags=re.M)
            start = time.perf_counter()
            with open(path, "w") as f:
                f.write(body)
            title_times.append((wait_for(base + section_path, marker) - start) * 1000)
        memory = rss_mb(server.pid)
        def show(times):
            times = sorted(times)
            return f"median {statistics.median(times):.0f} ms (min {times[0]:.0f}, max {times[-1]:.0f})"
        print(f"{n} pages, {name}: text edit {show(text_times)}; title edit {show(title_times)}; RSS {memory:.0f} MB",
              flush=True)
    finally:
        server.terminate()
        server.wait(30)

run("iopsite serve", [binary, "serve", "--port", "{port}"], generic, "Serving", generic)
run("hugo server", ["hugo", "server", "--port", "{port}", "--bind", "127.0.0.1",
                    "--baseURL", "http://127.0.0.1:{port}/", "--appendPort=false"], hugo_site, "Web Server", hugo_site)
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
