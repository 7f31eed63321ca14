#!/usr/bin/env python3
"""Turn a generated benchmark corpus (../shared/bench/gen_corpus.py, --nav none) into the articles workload of issue
16: every page gets two tags from a pool of 50, every section and every tag is paginated ten to a page, and the
templates list pages through the paginator. The same tags go to the same pages in both flavors.

    python3 scripts/add_tags.py --flavor generic|hugo DIR
"""

import argparse
import os
import re
import zlib

TAGS = [f"topic-{i:02d}" for i in range(50)]


def tags_of(path):
    # Stable across flavors and runs: from the page's own path inside content/.
    h = zlib.crc32(path.encode())
    return [TAGS[h % 50], TAGS[(h // 50) % 49 + (1 if (h // 50) % 49 >= h % 50 else 0)]]


def add_to_front_matter(path, lines):
    text = open(path, encoding="utf-8").read()
    assert text.startswith("+++\n"), path
    end = text.index("\n+++", 4)
    open(path, "w", encoding="utf-8").write(text[:end] + "\n" + "\n".join(lines) + text[end:])


GENERIC_SECTION = """{% extends "base.html" %}
{% block title %}{{ section.title }} | {{ config.title }}{% endblock title %}
{% block main %}
<h1>{{ section.title }}</h1>
<ul class="pages">
{% for p in paginator.pages %}<li><a href="{{ p.path | safe }}">{{ p.title }}</a> <span>{{ p.description }}</span></li>
{% endfor %}</ul>
<nav>{% if paginator.previous %}<a href="{{ paginator.previous | safe }}">Previous</a>{% endif %}
{% if paginator.next %}<a href="{{ paginator.next | safe }}">Next</a>{% endif %}</nav>
{% endblock main %}
"""

GENERIC_TAXONOMY_LIST = """{% extends "base.html" %}
{% block main %}
<h1>{{ taxonomy.name }}</h1>
<ul>{% for term in terms %}<li><a href="{{ term.path | safe }}">{{ term.name }}</a> ({{ term.page_count }})</li>
{% endfor %}</ul>
{% endblock main %}
"""

GENERIC_TAXONOMY_SINGLE = """{% extends "base.html" %}
{% block main %}
<h1>{{ term.name }}</h1>
<ul class="pages">
{% for p in paginator.pages %}<li><a href="{{ p.path | safe }}">{{ p.title }}</a> <span>{{ p.description }}</span></li>
{% endfor %}</ul>
<nav>{% if paginator.previous %}<a href="{{ paginator.previous | safe }}">Previous</a>{% endif %}
{% if paginator.next %}<a href="{{ paginator.next | safe }}">Next</a>{% endif %}</nav>
{% endblock main %}
"""

HUGO_LIST = """{{ define "title" }}{{ .Title }} | {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="pages">
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span>{{ .Description }}</span></li>
{{ end }}</ul>
<nav>{{ with .Paginator.Prev }}<a href="{{ .URL }}">Previous</a>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">Next</a>{{ end }}</nav>
{{ end }}
"""

HUGO_TERMS = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flavor", choices=["generic", "hugo"], required=True)
    parser.add_argument("dir")
    args = parser.parse_args()
    content = os.path.join(args.dir, "content")
    config = os.path.join(args.dir, "config.toml")
    text = open(config, encoding="utf-8").read()
    if args.flavor == "generic":
        # Top-level keys go before the first table.
        text = 'taxonomies = [{ name = "tags", paginate_by = 10 }]\n' + text
        tdir = os.path.join(args.dir, "themes", "default", "templates")
        open(os.path.join(tdir, "section.html"), "w").write(GENERIC_SECTION)
        open(os.path.join(tdir, "taxonomy_list.html"), "w").write(GENERIC_TAXONOMY_LIST)
        open(os.path.join(tdir, "taxonomy_single.html"), "w").write(GENERIC_TAXONOMY_SINGLE)
    else:
        text = text.replace('disableKinds = ["taxonomy", "term", "RSS"]', 'disableKinds = ["RSS"]\npaginate = 10')
        text += '\n[taxonomies]\ntag = "tags"\n'
        ldir = os.path.join(args.dir, "layouts", "_default")
        open(os.path.join(ldir, "list.html"), "w").write(HUGO_LIST)
        open(os.path.join(ldir, "terms.html"), "w").write(HUGO_TERMS)
    open(config, "w", encoding="utf-8").write(text)
    pages = sections = 0
    for folder, _, files in os.walk(content):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, content)
            if name == "_index.md":
                if rel != "_index.md":
                    if args.flavor == "generic":
                        add_to_front_matter(path, ["paginate_by = 10"])
                    sections += 1
            elif name.endswith(".md"):
                tags = ", ".join(f'"{t}"' for t in tags_of(rel))
                if args.flavor == "generic":
                    add_to_front_matter(path, ["[taxonomies]", f"tags = [{tags}]"])
                else:
                    add_to_front_matter(path, [f"tags = [{tags}]"])
                pages += 1
    print(f"{args.dir}: {pages} pages tagged, {sections} sections paginated")


if __name__ == "__main__":
    main()
