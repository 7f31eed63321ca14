#!/usr/bin/env bash
# Images (issue 12): `iopsite build` against Hugo on the same 50 pages with one 12-megapixel phone-like photo each,
# every photo made into WebP at 480, 800, 1200 and 1920 pixels wide (Lanczos 3, quality 75), side by side; and a
# rebuild with iopsite's image cache warm against the same site without images. Results and method: BENCHMARKS.md.
#
#   scripts/bench-images.sh
#   RUNS=3 COUNT=20 scripts/bench-images.sh
#   SERIES=warm scripts/bench-images.sh     # only the rebuilds (the cold series takes minutes a round)
#
# Settings (environment): SERIES (default "cold warm"), RUNS (timed runs per command, default 5; one warm-up run
# comes first; the warm series runs each command 10 times a round), COUNT (photos and
# pages, default 50), SEED (default 12: the photos are the same bytes for the same seed), BENCH_DIR (default a
# folder in /dev/shm, a tmpfs, so the disk is out of the measurement).
#
# The photos come from examples/make_photos.rs (4000 × 3000 JPEG at quality 90: fractal textures, edges, sensor
# noise; a few MB each, like a phone's). Wall time comes from hyperfine, CPU time (user + sys) and peak RSS from
# `/usr/bin/time` around each run; the commands alternate round by round; reported: medians of the timed runs.
# A cold build starts with no output and no cache (iopsite: no .iopsite/cache; Hugo: no resources/ folder, where
# its processed images are kept, and --ignoreCache). After the series the script checks that both tools made the
# same number of WebP copies at the same widths and prints the bytes of each width.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-5}"
series_wanted="${SERIES:-cold warm}"
count="${COUNT:-50}"
seed="${SEED:-12}"

# shellcheck source=scripts/bench-lib.sh
source "$repo/scripts/bench-lib.sh"
bench_setup iopsite-bench-images

echo "== building iopsite and the photo maker (release)"
(cd "$repo" && cargo build --release --quiet --bin iopsite --example make_photos)
iopsite="$repo/target/release/iopsite"
make_photos="$repo/target/release/examples/make_photos"

photos="$work/photos-$count-$seed"
if [ ! -f "$photos/done" ]; then
    echo "== making $count photos of 4000 × 3000 (seed $seed)"
    rm -rf "$photos"
    "$make_photos" "$photos" "$count" "$seed" 4000 3000 90 >/dev/null
    touch "$photos/done"
fi
du -sh --apparent-size "$photos" | awk '{print "   photos: " $1 " in all"}'

# The sites: the same content/ tree for all three (50 page bundles, one photo in each), only the configuration and
# templates differ. "plain" is the iopsite site without the photos and without the image line in the markdown.
page_text() { # page_text INDEX WITH_IMAGE
    printf '+++\ntitle = "Photo %s"\ndescription = "A photo of the neighbourhood, number %s."\ndate = 2026-11-%02d\n+++\n\n' \
        "$1" "$1" $(((10#$1 - 1) % 28 + 1))
    [ "$2" = yes ] && printf '![Photo %s: buildings, trees and the sky over the street](photo.jpg)\n\n' "$1"
    printf 'This page shows one photo taken on a phone, as a member of staff would add it: the file sits beside the\n'
    printf 'page and the markdown names it. The build publishes it without its metadata and makes smaller copies.\n\n'
    printf 'A second paragraph, so that the page has some text around the image, as a real page would.\n'
}
make_content() { # make_content DIR WITH_IMAGE
    local dir="$1" i n
    mkdir -p "$dir/photos"
    printf '+++\ntitle = "Photos"\n+++\n' >"$dir/_index.md"
    printf '+++\ntitle = "Photos"\nsort_by = "date"\n+++\n' >"$dir/photos/_index.md"
    for n in $(seq 1 "$count"); do
        i=$(printf %02d "$n")
        mkdir -p "$dir/photos/p$i"
        page_text "$i" "$2" >"$dir/photos/p$i/index.md"
        [ "$2" = yes ] && cp "$photos/photo-$i.jpg" "$dir/photos/p$i/photo.jpg"
    done
    return 0
}

sites="$work/sites-$count-$seed"
if [ ! -f "$sites/done" ]; then
    echo "== sites"
    rm -rf "$sites"
    for site in iopsite plain; do
        dir="$sites/$site"
        make_content "$dir/content" "$([ $site = iopsite ] && echo yes || echo no)"
        printf 'base_url = "https://example.com"\ntitle = "Photos"\ndescription = "Image benchmark"\ntheme = "default"\n' \
            >"$dir/config.toml"
        t="$dir/themes/default/templates"
        mkdir -p "$t"
        printf 'name = "default"\n' >"$dir/themes/default/theme.toml"
        cat >"$t/base.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
</head>
<body>
<main>
{% block main %}{% endblock main %}
</main>
</body>
</html>
EOF
        cat >"$t/page.html" <<'EOF'
{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
{% block main %}
<article>
<h1>{{ page.title }}</h1>
{{ page.content | safe }}
</article>
{% endblock main %}
EOF
        cat >"$t/section.html" <<'EOF'
{% extends "base.html" %}
{% block main %}
<h1>{{ section.title }}</h1>
<ul>
{% for p in section.pages %}<li><a href="{{ p.path | safe }}">{{ p.title }}</a></li>
{% endfor %}</ul>
{% endblock main %}
EOF
        cp "$t/section.html" "$t/index.html"
    done
    dir="$sites/hugo"
    make_content "$dir/content" yes
    cat >"$dir/config.toml" <<'EOF'
baseURL = "https://example.com/"
title = "Photos"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[imaging]
resampleFilter = "Lanczos"
quality = 75
EOF
    mkdir -p "$dir/layouts/_default"
    cat >"$dir/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ site.Title }}</title>
</head>
<body>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
EOF
    # The markdown image becomes the same <img> as iopsite's: four WebP widths, Lanczos, quality 75. The original
    # is published too (.RelPermalink), as iopsite publishes it (without metadata).
    mkdir -p "$dir/layouts/_default/_markup"
    cat >"$dir/layouts/_default/_markup/render-image.html" <<'EOF'
{{- $img := .Page.Resources.GetMatch .Destination -}}
{{- $original := $img.RelPermalink -}}
{{- $a := $img.Resize "480x webp q75 Lanczos" -}}
{{- $b := $img.Resize "800x webp q75 Lanczos" -}}
{{- $c := $img.Resize "1200x webp q75 Lanczos" -}}
{{- $d := $img.Resize "1920x webp q75 Lanczos" -}}
<img src="{{ $c.RelPermalink }}" srcset="{{ $a.RelPermalink }} 480w, {{ $b.RelPermalink }} 800w, {{ $c.RelPermalink }} 1200w, {{ $d.RelPermalink }} 1920w" sizes="(max-width: 1200px) 100vw, 1200px" width="{{ $c.Width }}" height="{{ $c.Height }}" alt="{{ .Text }}">
{{- /**/ -}}
EOF
    cat >"$dir/layouts/_default/single.html" <<'EOF'
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ .Content }}
</article>
{{ end }}
EOF
    cat >"$dir/layouts/_default/list.html" <<'EOF'
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ end }}
EOF
    touch "$sites/done"
fi


out="$work/out"
results="$work/results.md"
{
    echo "| series | command | runs | median wall s | median CPU s (user+sys) | median peak RSS MiB | wall ÷ first row's |"
    echo "|---|---|---|---|---|---|---|"
} >"$results"

# (a) Cold builds: nothing cached, no earlier output.
export PREPARE_iopsite_cold="rm -rf $sites/iopsite/.iopsite $out/iopsite"
export PREPARE_hugo_cold="rm -rf $sites/hugo/resources $out/hugo"
if [[ " $series_wanted " == *" cold "* ]] || [ ! -d "$out/hugo-cold-output" ]; then
    # The reference comes first in each series: the last column is then "this ÷ Hugo" and "this ÷ without images".
    RATIO=first series "cold" \
        "hugo-cold=hugo --quiet --ignoreCache -s $sites/hugo -d $out/hugo" \
        "iopsite-cold=$iopsite build --root $sites/iopsite --output $out/iopsite"
    # Hugo's cold output, for the checks below (the iopsite output left by the last cold run is kept as it is).
    rm -rf "$out/hugo-cold-output"
    cp -a "$out/hugo" "$out/hugo-cold-output"
fi

# (b) Rebuilds with the image cache warm, against the same site without images; Hugo's warm rebuild for reference.
# Each writes over its own previous output, as in scripts/bench.sh.
"$iopsite" build --root "$sites/plain" --output "$out/plain" >/dev/null
hugo --quiet -s "$sites/hugo" -d "$out/hugo" >/dev/null
if [[ " $series_wanted " == *" warm "* ]]; then
    PER_ROUND=10 RATIO=first series "warm" \
        "iopsite-no-images=$iopsite build --root $sites/plain --output $out/plain" \
        "iopsite-warm=$iopsite build --root $sites/iopsite --output $out/iopsite" \
        "hugo-warm=hugo --quiet -s $sites/hugo -d $out/hugo"
fi

echo
echo "== what each built (a warm rebuild reports 0 made):"
"$iopsite" build --root "$sites/iopsite" --output "$out/iopsite" | sed 's/^/   /'

# The copies: count and widths from each WebP file's own header, bytes per width; and the page's <img>.
python3 - "$out/iopsite" "$out/hugo-cold-output" "$count" <<'EOF' | tee -a "$results"
import os, statistics, struct, sys

def webp_size(data):
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP file"
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: the frame header after the start code
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF, "lossy"
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, "lossless"
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1, "extended"
    raise ValueError(chunk)

count = int(sys.argv[3])
print()
print("| tool | WebP files | widths (files each) | kind | KB at 480 (min / median / max) | KB at 800 | KB at 1200 | KB at 1920 |")
print("|---|---|---|---|---|---|---|---|")
for tool, root in (("iopsite", sys.argv[1]), ("Hugo", sys.argv[2])):
    by_width, kinds = {}, set()
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".webp"):
                data = open(os.path.join(folder, name), "rb").read()
                w, h, kind = webp_size(data)
                kinds.add(kind)
                by_width.setdefault(w, []).append(len(data))
    total = sum(len(v) for v in by_width.values())
    widths = ", ".join(f"{w} ({len(v)})" for w, v in sorted(by_width.items()))
    def kb(w):
        v = by_width.get(w, [])
        return f"{min(v)/1000:.0f} / {statistics.median(v)/1000:.0f} / {max(v)/1000:.0f}" if v else "—"
    print(f"| {tool} | {total} | {widths} | {', '.join(sorted(kinds))} | {kb(480)} | {kb(800)} | {kb(1200)} | {kb(1920)} |")
    if total != 4 * count or sorted(by_width) != [480, 800, 1200, 1920]:
        print(f"| {tool}: expected {4 * count} copies at 480, 800, 1200 and 1920 | | | | | | | |")
EOF
echo
echo "   iopsite's <img>: $(grep -o '<img[^>]*>' "$out/iopsite/photos/p01/index.html" | head -1)"
echo "   Hugo's <img>:    $(grep -o '<img[^>]*>' "$out/hugo-cold-output/photos/p01/index.html" | head -1)"

echo
echo "== results (also in $results)"
cat "$results"
echo
echo "machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MiB memory; $(rustc --version)"
echo "iopsite $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet || echo ' (with local changes)'); $(hugo version | cut -d' ' -f1-2); $(hyperfine --version)"
