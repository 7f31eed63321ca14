# Sourced by the benchmark scripts: `need` installs a missing tool with apt, `bench_setup NAME` installs what every
# benchmark uses and makes its folder, and `series` times commands side by side.

need() { # need COMMAND PACKAGE: install the Debian package when the command is missing
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "== installing $2 (apt)"
        apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
    fi
}

# bench_setup NAME: Hugo, hyperfine, GNU time and python3, then $work: $BENCH_DIR, else /dev/shm/NAME when /dev/shm
# is writable (a tmpfs: the disk is out of the measurement), else $TMPDIR or /tmp; with corpus/, out/ and raw/.
bench_setup() {
    need hugo hugo
    need hyperfine hyperfine
    [ -x /usr/bin/time ] || need /usr/bin/time time
    need python3 python3
    if [ -n "${BENCH_DIR:-}" ]; then
        work="$BENCH_DIR"
    elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
        work="/dev/shm/$1"
    else
        work="${TMPDIR:-/tmp}/$1"
    fi
    mkdir -p "$work/corpus" "$work/out" "$work/raw"
    echo "== work folder: $work ($(df --output=fstype "$work" | tail -1))"
}

# series LABEL NAME=COMMAND...: time the commands alternately. hyperfine (1.15) runs all the runs of one command
# before the next, and this machine's load drifts, so it is called once per round with every command in it: round
# 0 is the warm-up, then $runs rounds, each running every command PER_ROUND times in a row (default 1).
# PREPARE_<NAME> (a shell command), when set, runs before each run of that command, outside the time. /usr/bin/time
# records "user sys maxrss_kb" of each run (its CPU times have a 10 ms resolution). The last column compares wall
# times: with RATIO=first, each command's ÷ the first command's; else the command named iopsite's ÷ each command's.
series() {
    local label="$1" per_round="${PER_ROUND:-1}"
    shift
    local args=() names=() spec name round prepare
    for spec in "$@"; do
        name="${spec%%=*}"
        names+=("$name")
        rm -f "$work/raw/$label-$name.time"
        prepare="PREPARE_${name//-/_}"
        args+=(--prepare "${!prepare:-true}")
        args+=(-n "$name" "/usr/bin/time -f '%U %S %M' -a -o $work/raw/$label-$name.time ${spec#*=}")
    done
    echo "== $label"
    sync
    for round in $(seq 0 "$runs"); do
        hyperfine -N --style none --runs "$per_round" --export-json "$work/raw/$label-$round.json" "${args[@]}" >/dev/null
    done
    python3 - "$work/raw" "$label" "$runs" "$per_round" "${RATIO:-iopsite}" "${names[@]}" <<'EOF'
import json, statistics, sys
raw, label, runs, per_round, ratio, names = (
    sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6:])
walls = {name: [] for name in names}
for round in range(1, runs + 1):  # round 0 was the warm-up
    for result in json.load(open(f"{raw}/{label}-{round}.json"))["results"]:
        walls[result["command"]].extend(result["times"])
rows = []
for name in names:
    lines = [l.split() for l in open(f"{raw}/{label}-{name}.time") if l[:1].isdigit()][per_round:]
    cpu = statistics.median(float(u) + float(s) for u, s, _ in lines)
    rss = statistics.median(int(m) for *_, m in lines) / 1024
    rows.append((name, statistics.median(walls[name]), cpu, rss))
if ratio == "first":
    first = rows[0][1]
    compare, digits = (lambda wall: wall / first), (4, 2)
else:
    ours = next(wall for name, wall, _, _ in rows if name == "iopsite")
    compare, digits = (lambda wall: ours / wall), (3, 3)
with open(f"{raw}/../results.md", "a") as out:
    for name, wall, cpu, rss in rows:
        line = (f"| {label} | {name} | {len(walls[name])} | {wall:.{digits[0]}f} | {cpu:.{digits[1]}f} | {rss:.1f} "
                f"| {compare(wall):.2f} |")
        print(line)
        out.write(line + "\n")
EOF
}
