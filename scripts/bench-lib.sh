# Sourced by the benchmark scripts: `need`, which installs a missing tool with apt, and `series`, which times
# commands side by side (it needs $work, with raw/, and $runs set by the caller).

need() { # need COMMAND PACKAGE: install the Debian package when the command is missing
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "== installing $2 (apt)"
        apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
    fi
}

# series LABEL NAME=COMMAND...: time the commands alternately. hyperfine (1.15) runs all the runs of one command
# before the next, and this machine's load drifts, so it is called once per round with every command in it: round
# 0 is the warm-up, then RUNS rounds. /usr/bin/time around each run records "user sys maxrss_kb".
series() {
    local label="$1"
    shift
    local args=() names=() spec name round
    for spec in "$@"; do
        name="${spec%%=*}"
        names+=("$name")
        rm -f "$work/raw/$label-$name.time"
        args+=(-n "$name" "/usr/bin/time -f '%U %S %M' -a -o $work/raw/$label-$name.time ${spec#*=}")
    done
    echo "== $label"
    sync
    for round in $(seq 0 "$runs"); do
        hyperfine -N --style none --runs 1 --export-json "$work/raw/$label-$round.json" "${args[@]}" >/dev/null
    done
    python3 - "$work/raw" "$label" "$runs" "${names[@]}" <<'EOF'
import json, statistics, sys
raw, label, runs, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
walls = {name: [] for name in names}
for round in range(1, runs + 1):  # round 0 was the warm-up
    for result in json.load(open(f"{raw}/{label}-{round}.json"))["results"]:
        walls[result["command"]].extend(result["times"])
rows = []
for name in names:
    lines = [l.split() for l in open(f"{raw}/{label}-{name}.time") if l[:1].isdigit()][1:]
    cpu = statistics.median(float(u) + float(s) for u, s, _ in lines)
    rss = statistics.median(int(m) for *_, m in lines) / 1024
    rows.append((name, statistics.median(walls[name]), cpu, rss))
ours = next(wall for name, wall, _, _ in rows if name == "iopsite")
with open(f"{raw}/../results.md", "a") as out:
    for name, wall, cpu, rss in rows:
        line = f"| {label} | {name} | {len(walls[name])} | {wall:.3f} | {cpu:.3f} | {rss:.1f} | {ours / wall:.2f} |"
        print(line)
        out.write(line + "\n")
EOF
}
