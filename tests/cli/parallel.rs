//! Parallel builds: pages are read, rendered and written on several threads, and the output must not depend on
//! how many, nor on whether each page's markdown is rendered just before its template or all markdown first. Also: the benchmark corpus (`tests/fixtures/generic_corpus/`, 20 pages made by
//! `shared/bench/gen_corpus.py --pages 20 --flavor generic`, Zola's template names) builds unchanged.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use pretty_assertions::assert_eq;

use crate::support::{SiteTest, binary};

/// Build the site in `site` into `out` with this many rayon threads (rayon reads `RAYON_NUM_THREADS`).
fn build_with_threads(site: &SiteTest, out: &str, threads: usize) {
    let output = Command::new(binary())
        .args(["build", "--output", out])
        .env("RAYON_NUM_THREADS", threads.to_string())
        .current_dir(site.root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "build with {threads} threads failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every file below `dir`, by relative path, with its contents.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let path = entry.path().strip_prefix(dir).unwrap();
            let bytes = fs::read(entry.path()).unwrap();
            (
                path.to_string_lossy().replace('\\', "/"),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

#[track_caller]
fn assert_same_output_on_one_and_many_threads(site: &SiteTest) {
    build_with_threads(site, "serial", 1);
    build_with_threads(site, "parallel", 8);
    assert_same_files(site, "serial", "parallel", 10);
}

/// The outputs in the folders `a` and `b` of the site hold the same files with the same bytes, more than `at_least`
/// of them (so that the comparison means something).
#[track_caller]
fn assert_same_files(site: &SiteTest, a: &str, b: &str, at_least: usize) {
    let first = tree(&site.root().join(a));
    assert!(
        first.len() > at_least,
        "too few files to compare: {first:?}"
    );
    assert_eq!(first, tree(&site.root().join(b)));
}

#[test]
fn the_iop_site_is_byte_identical_on_one_and_many_threads() {
    assert_same_output_on_one_and_many_threads(&SiteTest::iop_site());
}

#[test]
fn the_benchmark_corpus_is_byte_identical_on_one_and_many_threads() {
    assert_same_output_on_one_and_many_threads(&SiteTest::fixture("generic_corpus"));
}

/// When no template reads another page's markdown, each page's markdown is rendered just before its template (see
/// `src/templates/reads.rs`, whose tests check that the themes used here qualify); a template that does read it
/// makes the build render all markdown first. Both ways must write the same site.
#[track_caller]
fn assert_same_output_page_by_page_and_all_first(site: &SiteTest) {
    build_with_threads(site, "page_by_page", 2);
    // Never rendered (no page names it), but it reads other pages' markdown, so the next build renders it first.
    site.write(
        "templates/reads-other-pages.html",
        "{% for p in section.pages %}{{ p.content | safe }}{% endfor %}",
    );
    build_with_threads(site, "all_first", 2);
    assert_same_files(site, "page_by_page", "all_first", 5);
}

#[test]
fn the_iop_site_is_the_same_with_markdown_rendered_page_by_page_or_first() {
    assert_same_output_page_by_page_and_all_first(&SiteTest::iop_site());
}

#[test]
fn the_benchmark_corpus_is_the_same_with_markdown_rendered_page_by_page_or_first() {
    assert_same_output_page_by_page_and_all_first(&SiteTest::fixture("generic_corpus"));
}

#[test]
fn a_zola_theme_with_toc_and_word_counts_is_the_same_page_by_page_or_first() {
    assert_same_output_page_by_page_and_all_first(&SiteTest::fixture("zola_theme"));
}

#[test]
fn the_benchmark_corpus_builds_with_zola_template_names() {
    let site = SiteTest::fixture("generic_corpus");
    let run = site.run(&["build"]);
    run.success();
    assert!(
        run.stdout().starts_with("Built 31 pages ("),
        "20 pages, 10 sections and the home page: {}",
        run.stdout()
    );
    // The nav comes from `get_section(path=page.ancestors | last)`: every page of the section, this one active.
    let page = site.public("api/page-00006/index.html");
    assert!(
        page.contains(r#"<li class="active"><a href="/api/page-00006/">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<li><a href="/api/page-00016/">"#),
        "{page}"
    );
    assert!(
        page.contains("<title>Quick Bundle Value Input Shard 6 | Bench Site</title>"),
        "{page}"
    );
    let home = site.public("index.html");
    assert!(home.contains(r#"<a href="/api/">Api</a>"#), "{home}");
}
