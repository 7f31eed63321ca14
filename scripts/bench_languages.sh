#!/usr/bin/env bash
# Build time with a second language: the shared 10,000-page corpus (../shared/bench/gen_corpus.py) alone, and with a
# Spanish copy of every page (20,000 pages: scripts/add_spanish.py), for iopsite and Hugo side by side. Results and
# method: BENCHMARKS.md ("Two languages").
#
#   scripts/bench_languages.sh               # 10,000 pages, without and with the section nav
#   PAGES=1000 RUNS=3 NAVS=nonav scripts/bench_languages.sh
#
# Same method as scripts/bench.sh: corpora on /dev/shm when it exists, release build, commands timed alternately by
# hyperfine (one warm-up round, then RUNS rounds), /usr/bin/time for CPU and peak memory; medians reported.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
pages="${PAGES:-10000}"
runs="${RUNS:-5}"
navs="${NAVS:-nonav nav}"
corpus_script="${CORPUS_SCRIPT:-$repo/../shared/bench/gen_corpus.py}"
work="${BENCH_DIR:-/dev/shm/iopsite-bench-languages}"
[ -d /dev/shm ] && [ -w /dev/shm ] || work="${BENCH_DIR:-${TMPDIR:-/tmp}/iopsite-bench-languages}"
mkdir -p "$work/corpus" "$work/out" "$work/raw"
for tool in hugo hyperfine python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install $tool)" >&2; exit 1; }
done

(cd "$repo" && cargo build --release --quiet --bin iopsite)
iopsite="$repo/target/release/iopsite"

for nav in $navs; do
    flag=()
    [ "$nav" = nonav ] && flag=(--nav none)
    for flavor in generic hugo; do
        one="$work/corpus/$flavor-$pages-$nav-en"
        two="$work/corpus/$flavor-$pages-$nav-en-es"
        [ -d "$one" ] || python3 "$corpus_script" --pages "$pages" --out "$one" --flavor "$flavor" "${flag[@]}" 2>/dev/null
        if [ ! -d "$two" ]; then
            cp -r "$one" "$two"
            python3 "$repo/scripts/add_spanish.py" --flavor "$flavor" "$two" >/dev/null
        fi
    done
done

results="$work/results.md"
{
    echo "| corpus | command | pages | runs | median wall s | median CPU s | median peak RSS MiB |"
    echo "|---|---|---|---|---|---|---|"
} >"$results"
for nav in $navs; do
    label="$pages-$nav"
    names=(iopsite-en iopsite-en-es hugo-en hugo-en-es)
    cmds=(
        "$iopsite build --root $work/corpus/generic-$label-en --output $work/out/iopsite-en"
        "$iopsite build --root $work/corpus/generic-$label-en-es --output $work/out/iopsite-en-es"
        "hugo --quiet -s $work/corpus/hugo-$label-en -d $work/out/hugo-en"
        "hugo --quiet -s $work/corpus/hugo-$label-en-es -d $work/out/hugo-en-es"
    )
    args=()
    for i in "${!names[@]}"; do
        rm -f "$work/raw/$label-${names[$i]}.time"
        args+=(-n "${names[$i]}" "/usr/bin/time -f '%U %S %M' -a -o $work/raw/$label-${names[$i]}.time ${cmds[$i]}")
    done
    echo "== $label"
    for round in $(seq 0 "$runs"); do
        hyperfine -N --style none --runs 1 --export-json "$work/raw/$label-$round.json" "${args[@]}" >/dev/null
    done
    python3 - "$work/raw" "$label" "$runs" "$pages" "$results" "${names[@]}" <<'PY'
import json, statistics, sys
raw, label, runs, pages, results, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6:]
walls = {name: [] for name in names}
for round in range(1, runs + 1):
    for result in json.load(open(f"{raw}/{label}-{round}.json"))["results"]:
        walls[result["command"]].extend(result["times"])
with open(results, "a") as out:
    for name in names:
        lines = [l.split() for l in open(f"{raw}/{label}-{name}.time") if l[:1].isdigit()][1:]
        cpu = statistics.median(float(u) + float(s) for u, s, _ in lines)
        rss = statistics.median(int(m) for *_, m in lines) / 1024
        n = pages * (2 if name.endswith("-es") else 1)
        line = f"| {label} | {name} | {n} | {len(walls[name])} | {statistics.median(walls[name]):.3f} | {cpu:.3f} | {rss:.1f} |"
        print(line)
        out.write(line + "\n")
PY
done
echo
cat "$results"
echo "machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MiB; iopsite $(cd "$repo" && git rev-parse --short HEAD); $(hugo version | cut -d' ' -f1-2)"
