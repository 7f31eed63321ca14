//! What the markdown stage costs over plain pulldown-cmark, for profiling: reads every `*.md` under a folder (front
//! matter skipped) and renders all of them in each chosen mode, the modes taking turns `ROUNDS` times (default 1),
//! and prints the fastest time of each. Hardware counters do not work on this machine, so count instructions with
//! callgrind, which the machine's load does not move:
//!
//! ```text
//! ROUNDS=20 target/release/examples/markdown_cost CONTENT_DIR plain,ours,render
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/markdown_cost CONTENT_DIR render
//! ```
//!
//! Modes: `read` (only read the files), `plain` (pulldown-cmark with tables, like `examples/bound.rs`), `ours`
//! (pulldown-cmark with iopsite's options), `offsets` and `fmt` (the same through the offset iterator and the
//! `fmt::Write` writer the markdown stage uses), `render` (`iopsite::markdown::render`, links kept as they are),
//! `uncounted` (the same without the word count), `replaced` (as in a build of the corpus: every `/…` link written
//! anew, no table of contents, no source map or other facts only `check` reads).

use pulldown_cmark::{Parser, html};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, mode] = args.as_slice() else {
        eprintln!("usage: markdown_cost CONTENT_DIR read|plain|ours|render");
        std::process::exit(2);
    };
    let bodies = bodies(dir);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let modes: Vec<&str> = mode.split(',').collect();
    let mut fastest = vec![std::time::Duration::MAX; modes.len()];
    let mut bytes = vec![0; modes.len()];
    // Modes take turns round by round, so a change in the machine's load affects them alike.
    for _ in 0..rounds {
        for (i, mode) in modes.iter().enumerate() {
            let start = std::time::Instant::now();
            bytes[i] = render_all(&bodies, mode);
            fastest[i] = fastest[i].min(start.elapsed());
        }
    }
    for (i, mode) in modes.iter().enumerate() {
        println!(
            "{mode:8} {} documents, {} bytes out, fastest of {rounds}: {:?}",
            bodies.len(),
            bytes[i],
            fastest[i]
        );
    }
}

fn render_all(bodies: &[String], mode: &str) -> usize {
    let mut bytes = 0;
    for body in bodies {
        bytes += match mode {
            "read" => body.len(),
            "plain" => {
                let mut out = String::new();
                html::push_html(
                    &mut out,
                    Parser::new_ext(body, pulldown_cmark::Options::ENABLE_TABLES),
                );
                out.len()
            }
            "ours" => {
                let mut out = String::new();
                html::push_html(&mut out, iopsite::markdown::new_parser(body));
                out.len()
            }
            "offsets" => {
                let mut out = String::new();
                html::push_html(&mut out, offset_events(body));
                out.len()
            }
            "fmt" => {
                let mut out = String::new();
                html::write_html_fmt(&mut out, offset_events(body)).unwrap();
                out.len()
            }
            "render" => iopsite::markdown::render(body, &|_| iopsite::markdown::Rewrite::Keep)
                .html
                .len(),
            "uncounted" => {
                let wanted = iopsite::markdown::Wanted {
                    word_count: false,
                    toc: true,
                    checks: true,
                };
                iopsite::markdown::render_with(
                    body,
                    &|_| iopsite::markdown::Rewrite::Keep,
                    &|_| Ok(None),
                    wanted,
                )
                .html
                .len()
            }
            "replaced" => {
                // As in a build of the corpus: every site-absolute link is written anew; no table of contents
                // (its templates show none), no source map, no check facts.
                let wanted = iopsite::markdown::Wanted {
                    word_count: false,
                    toc: false,
                    checks: false,
                };
                let rewrite = |dest: &str| {
                    if dest.starts_with('/') {
                        iopsite::markdown::Rewrite::Replace(dest.to_string().into())
                    } else {
                        iopsite::markdown::Rewrite::Keep
                    }
                };
                iopsite::markdown::render_with(body, &rewrite, &|_| Ok(None), wanted)
                    .html
                    .len()
            }
            _ => panic!("unknown mode {mode}"),
        };
    }
    bytes
}

/// The parser's events through the offset iterator, as the markdown stage reads them.
fn offset_events(body: &str) -> impl Iterator<Item = pulldown_cmark::Event<'_>> {
    iopsite::markdown::new_parser(body)
        .into_offset_iter()
        .map(|(event, _)| event)
}

fn bodies(dir: &str) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "md"))
        .map(|entry| {
            let text = std::fs::read_to_string(entry.path()).expect("readable markdown");
            let body = text
                .strip_prefix("+++\n")
                .and_then(|rest| rest.find("\n+++\n").map(|end| rest[end + 5..].to_string()));
            body.unwrap_or(text)
        })
        .collect()
}
