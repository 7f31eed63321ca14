//! The raw bound for a build: read every page of a corpus, render its markdown with pulldown-cmark and write the
//! HTML, with no front matter parsing, no templates, no links and no site structure. `iopsite build` is measured
//! against it (see BENCHMARKS.md), so "how far from the floor" is a measured ratio, not a guess.
//!
//! It follows the bound of `shared/bench/PEERS.md`: the `+++` front matter is skipped, only tables are enabled, and
//! `content/<section>/<page>.md` becomes `<out>/<section>/<page>/index.html`. Section files (`_index.md`) are left
//! out, so it writes exactly one file per page.
//!
//! ```text
//! cargo build --release --example bound
//! target/release/examples/bound CONTENT_DIR OUT_DIR serial|rayon
//! ```
//!
//! Like a real first build, it writes into `OUT_DIR` as it is (it does not delete an earlier output).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [content, out, mode] = args.as_slice() else {
        eprintln!("usage: bound CONTENT_DIR OUT_DIR serial|rayon");
        return ExitCode::FAILURE;
    };
    let pages = pages(Path::new(content));
    let out = Path::new(out);
    let result = match mode.as_str() {
        "serial" => pages.iter().try_for_each(|page| build(page, out)),
        "rayon" => pages.par_iter().try_for_each(|page| build(page, out)),
        _ => {
            eprintln!("the mode must be `serial` or `rayon`, not `{mode}`");
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// One page to build: its markdown file and its output file relative to the output folder.
struct Page {
    source: PathBuf,
    target: PathBuf,
}

/// Every `*.md` file below `content` except `_index.md`, in a stable order.
fn pages(content: &Path) -> Vec<Page> {
    walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "md"))
        .filter(|entry| entry.file_name() != "_index.md")
        .map(|entry| {
            let relative = entry.path().strip_prefix(content).unwrap_or(entry.path());
            Page {
                source: entry.path().to_path_buf(),
                target: relative.with_extension("").join("index.html"),
            }
        })
        .collect()
}

/// Read, render and write one page.
fn build(page: &Page, out: &Path) -> std::io::Result<()> {
    let text = fs::read_to_string(&page.source)?;
    let body = skip_front_matter(&text);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html, Parser::new_ext(body, Options::ENABLE_TABLES));
    let target = out.join(&page.target);
    if let Some(folder) = target.parent() {
        fs::create_dir_all(folder)?;
    }
    fs::write(target, html)
}

/// The text after a `+++` … `+++` block at the top, or all of it.
fn skip_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return text;
    };
    match rest.find("\n+++\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}
