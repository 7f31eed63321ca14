#!/usr/bin/env bash
# Articles workload (issue 16): the generated corpus with two tags on every page (from 50), ten pages a pager on every
# section and every tag, built by `iopsite build` and by Hugo side by side. Results and method: BENCHMARKS.md.
#
#   scripts/bench-taxonomies.sh              # 10,000 pages, no nav
#   SIZES="1000 10000" RUNS=5 scripts/bench-taxonomies.sh
#
# Settings (environment) as in scripts/bench.sh: SIZES (default "10000"), RUNS (default 3, after one warm-up),
# BENCH_DIR, CORPUS_SCRIPT. The corpus is made by ../shared/bench/gen_corpus.py (--nav none) and then tagged and
# paginated by scripts/add_tags.py, the same tags on the same pages for both tools.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
sizes="${SIZES:-10000}"
runs="${RUNS:-3}"
corpus_script="${CORPUS_SCRIPT:-$repo/../shared/bench/gen_corpus.py}"

# shellcheck source=scripts/bench-lib.sh
source "$repo/scripts/bench-lib.sh"
bench_setup iopsite-bench-tags

echo "== building iopsite (release)"
(cd "$repo" && cargo build --release --quiet --bin iopsite)
iopsite="$repo/target/release/iopsite"

echo "== corpora"
for n in $sizes; do
    for flavor in generic hugo; do
        dir="$work/corpus/$flavor-$n-tags"
        [ -d "$dir" ] && continue
        log="$(python3 "$corpus_script" --pages "$n" --out "$dir" --flavor "$flavor" --nav none 2>&1)" || {
            echo "$log" >&2
            exit 1
        }
        python3 "$repo/scripts/add_tags.py" --flavor "$flavor" "$dir"
    done
done

results="$work/results.md"
{
    echo "| corpus | command | runs | median wall s | median CPU s (user+sys) | median peak RSS MiB | iopsite wall / this wall |"
    echo "|---|---|---|---|---|---|---|"
} >"$results"
for n in $sizes; do
    series "$n-tags" \
        "iopsite=$iopsite build --root $work/corpus/generic-$n-tags --output $work/out/iopsite-$n-tags" \
        "hugo=hugo --quiet -s $work/corpus/hugo-$n-tags -d $work/out/hugo-$n-tags"
    # The same work done? Count what each wrote.
    for tool in iopsite hugo; do
        out="$work/out/$tool-$n-tags"
        echo "   $tool: $(find "$out" -name index.html | wc -l) pages, $(ls "$out/tags" | grep -vc '\.') tag folders, $(find "$out/tags" -path '*/page/*' -name index.html | wc -l) tag pager pages"
    done
done

echo
echo "== results (also in $results)"
cat "$results"
echo
echo "machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MiB memory; $(rustc --version)"
echo "iopsite $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet || echo ' (with local changes)'); $(hugo version | cut -d' ' -f1-2)"
