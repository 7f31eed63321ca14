#!/usr/bin/env bash
# Live-reload latency of `iopsite serve`: from saving one page to the browser being told to reload.
#
# For each site (the IOP site in this repository, and a generated 1,000-page corpus), starts the release binary on a
# free port, parks a live-reload poll exactly as the browser script does, saves one page (appends a sentence), and
# times until the poll is answered. That span holds the file-system event, the batching window, the full rebuild,
# the swap of the output folder and the answer. Median of several saves, with a quiet pause between them.
#
# Usage: scripts/bench-serve.sh [SAVES]   (default 9). Needs python3. Writes only under a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
SAVES="${1:-9}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet
BIN="$PWD/target/release/iopsite"

mkdir -p "$WORK/iop"
cp -r config.toml content themes "$WORK/iop/"
for extra in static templates; do [ -d "$extra" ] && cp -r "$extra" "$WORK/iop/"; done
python3 ../shared/bench/gen_corpus.py --pages 1000 --out "$WORK/corpus" --flavor generic >/dev/null 2>&1

measure() { # NAME SITE PAGE
  python3 - "$BIN" "$2" "$3" "$SAVES" "$1" <<'PY'
import json, re, statistics, subprocess, sys, threading, time, urllib.request
binary, site, page, saves, name = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
server = subprocess.Popen([binary, "serve", "--port", "0"], cwd=site, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
try:
    base = server.stdout.readline().split()[1]
    builds = []   # the rebuild times serve prints ("…: rebuilt N pages in X ms")
    def read_output():
        for line in server.stdout:
            found = re.search(r"rebuilt \d+ pages? in (\d+) ms", line)
            if found:
                builds.append(int(found.group(1)))
    threading.Thread(target=read_output, daemon=True).start()
    def state():
        html = urllib.request.urlopen(base, timeout=60).read().decode()
        return (re.search(r'data-server="([^"]+)"', html).group(1),
                int(re.search(r'data-generation="(\d+)"', html).group(1)))
    run, generation = state()   # waits for the first build
    times = []
    for i in range(saves):
        time.sleep(0.5)           # let the previous build and the disk settle
        answer = {}
        def poll():
            url = f"{base}__iopsite/events?server={run}&since={generation}"
            answer["event"] = json.loads(urllib.request.urlopen(url, timeout=60).read())
            answer["at"] = time.perf_counter()
        waiter = threading.Thread(target=poll)
        waiter.start()
        time.sleep(0.2)           # the poll is parked on the server before the save
        start = time.perf_counter()
        with open(f"{site}/{page}", "a") as f:
            f.write(f"\nA sentence added by the benchmark, save {i}.\n")
        waiter.join(60)
        event = answer["event"]
        assert event["action"] == "reload", event
        generation = event["generation"]
        times.append((answer["at"] - start) * 1000)
    time.sleep(0.2)
    times.sort()
    print(f"{name}: median {statistics.median(times):.0f} ms, min {times[0]:.0f} ms, max {times[-1]:.0f} ms"
          f" over {saves} saves ({', '.join(f'{t:.0f}' for t in times)}); of which the rebuild itself:"
          f" median {statistics.median(builds):.0f} ms")
finally:
    server.terminate()
    server.wait(30)
PY
}

# The machine may be shared: the load average goes with the figures.
echo "iopsite serve: save → reload event latency (release build, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
measure "IOP site (12 pages)" "$WORK/iop" "content/benefits.md"
measure "generated corpus (1,000 pages)" "$WORK/corpus" "$(cd "$WORK/corpus" && find content -name '*.md' ! -name '_index.md' | sort | head -1)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
