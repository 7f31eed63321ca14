#!/usr/bin/env bash
# Build speed: `iopsite build` against Hugo on the same generated corpus, side by side, plus the raw bound
# (examples/bound.rs: read, pulldown-cmark, write; no templates). Results and method: BENCHMARKS.md.
#
#   scripts/bench.sh                  # 1,000 and 10,000 pages, with and without nav
#   SIZES="1000" RUNS=10 scripts/bench.sh
#
# Settings (environment): SIZES (default "1000 10000"), RUNS (timed runs per command, default 5; one warm-up run
# comes first), BENCH_DIR (where corpora and outputs go; default a folder in /dev/shm when it exists, which is a
# tmpfs, so the disk is out of the measurement, else in $TMPDIR or /tmp), CORPUS_SCRIPT (default
# ../shared/bench/gen_corpus.py beside this repository).
#
# Wall time comes from hyperfine; `/usr/bin/time` around each run records its CPU time (user + sys) and peak RSS,
# so one alternating series gives wall, CPU and memory together. Reported: medians of the timed runs.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
sizes="${SIZES:-1000 10000}"
runs="${RUNS:-5}"
corpus_script="${CORPUS_SCRIPT:-$repo/../shared/bench/gen_corpus.py}"

# shellcheck source=scripts/bench-lib.sh
source "$repo/scripts/bench-lib.sh"
bench_setup iopsite-bench

echo "== building iopsite and the bound (release)"
(cd "$repo" && cargo build --release --quiet --bin iopsite --example bound)
iopsite="$repo/target/release/iopsite"
bound="$repo/target/release/examples/bound"

echo "== corpora"
for n in $sizes; do
    for nav in nav nonav; do
        flag=()
        [ "$nav" = nonav ] && flag=(--nav none)
        for flavor in generic hugo; do
            dir="$work/corpus/$flavor-$n-$nav"
            [ -d "$dir" ] && continue
            # Quiet unless it fails: it reports every corpus on stderr.
            log="$(python3 "$corpus_script" --pages "$n" --out "$dir" --flavor "$flavor" "${flag[@]}" 2>&1)" || {
                echo "$log" >&2
                exit 1
            }
        done
    done
done

results="$work/results.md"
{
    echo "| corpus | command | runs | median wall s | median CPU s (user+sys) | median peak RSS MiB | iopsite wall / this wall |"
    echo "|---|---|---|---|---|---|---|"
} >"$results"
for n in $sizes; do
    for nav in nonav nav; do
        series "$n-$nav" \
            "iopsite=$iopsite build --root $work/corpus/generic-$n-$nav --output $work/out/iopsite-$n-$nav" \
            "hugo=hugo --quiet -s $work/corpus/hugo-$n-$nav -d $work/out/hugo-$n-$nav"
    done
    # The bound has no templates, so the nav makes no difference to it: it runs on the corpus without nav.
    series "$n-bound" \
        "bound-serial=$bound $work/corpus/generic-$n-nonav/content $work/out/bound-serial-$n serial" \
        "bound-rayon=$bound $work/corpus/generic-$n-nonav/content $work/out/bound-rayon-$n rayon" \
        "iopsite=$iopsite build --root $work/corpus/generic-$n-nonav --output $work/out/iopsite-$n-nonav"
done
# Scaling: the smallest and the largest size side by side, so that the machine's load is the same for both.
small="${sizes%% *}"
large="${sizes##* }"
if [ "$small" != "$large" ]; then
    series "scaling-nonav" \
        "iopsite-$small=$iopsite build --root $work/corpus/generic-$small-nonav --output $work/out/iopsite-$small-nonav" \
        "iopsite=$iopsite build --root $work/corpus/generic-$large-nonav --output $work/out/iopsite-$large-nonav"
fi

echo
echo "== results (also in $results)"
cat "$results"
echo
echo "machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MiB memory; $(rustc --version)"
echo "iopsite $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet || echo ' (with local changes)'); $(hugo version | cut -d' ' -f1-2)"
