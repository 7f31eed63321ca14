#!/usr/bin/env python3
"""Give a generated benchmark corpus (../shared/bench/gen_corpus.py) a Spanish copy of every page, the way each
generator expects it: `page.es.md` beside `page.md` (iopsite and Hugo both read the language from the file name),
and the second language in the config (`[languages.es]` for iopsite; Hugo's `[languages.en]`/`[languages.es]`).

    python3 scripts/add_spanish.py --flavor generic|hugo DIR

The copies have the same bodies (so both languages cost the same to render) and a marked title.
"""

import argparse
import os


def copy_pages(content):
    count = 0
    for folder, _, files in os.walk(content):
        for name in files:
            if not name.endswith(".md") or name.count(".") > 1:
                continue
            source = os.path.join(folder, name)
            with open(source, encoding="utf-8") as f:
                text = f.read()
            text = text.replace('title = "', 'title = "ES ', 1)
            with open(source[:-3] + ".es.md", "w", encoding="utf-8") as f:
                f.write(text)
            count += 1
    return count


def add_language(config, flavor):
    with open(config, encoding="utf-8") as f:
        text = f.read()
    if flavor == "hugo":
        head = 'defaultContentLanguage = "en"\n'
        tail = '\n[languages.en]\nweight = 1\nlanguageCode = "en"\n\n[languages.es]\nweight = 2\nlanguageCode = "es"\n'
        text = head + text + tail
    else:
        text += '\n[languages.es]\ntitle = "Sitio de prueba"\n'
    with open(config, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flavor", choices=["generic", "hugo"], required=True)
    parser.add_argument("dir")
    args = parser.parse_args()
    count = copy_pages(os.path.join(args.dir, "content"))
    add_language(os.path.join(args.dir, "config.toml"), args.flavor)
    print(f"added {count} Spanish pages to {args.dir}")


if __name__ == "__main__":
    main()
