//! `iopsite build`: what a good build writes, and that every kind of bad input gets a located, plain message and
//! leaves the previous `public/` exactly as it was.

use crate::support::SiteTest;

#[test]
fn builds_pages_sections_and_site_files() {
    let site = SiteTest::fixture("basic");
    let run = site.run(&["build"]);
    run.success();
    assert!(
        run.stdout().starts_with("Built 5 pages ("),
        "{}",
        run.stdout()
    );
    for file in [
        "index.html",
        "about/index.html",
        "guide/index.html",
        "guide/first/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "_headers",
        "leaflet.pdf",
        "css/site.css",
    ] {
        assert!(
            site.root().join("public").join(file).is_file(),
            "missing public/{file}"
        );
    }
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    assert!(!site.root().join("public/guide/unfinished").exists());
    site.run(&["build", "--drafts"]).success();
    assert!(
        site.root()
            .join("public/guide/unfinished/index.html")
            .is_file()
    );
}

#[test]
fn links_to_markdown_files_become_page_urls() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let about = site.main_html("about/index.html");
    assert!(
        about.contains(r#"href="/guide/first/#before-you-start""#),
        "{about}"
    );
    assert!(about.contains(r#"href="/leaflet.pdf""#), "{about}");
    let first = site.main_html("guide/first/index.html");
    assert!(first.contains(r#"href="/about/""#), "{first}");
}

#[test]
fn headings_get_stable_unique_ids_with_self_links() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let about = site.main_html("about/index.html");
    assert!(
        about.contains(
            r##"<h2 id="who-we-are">Who we are <a class="heading-anchor" href="#who-we-are""##
        ),
        "{about}"
    );
    assert!(about.contains(r#"<h2 id="who-we-are-1">"#), "{about}");
}

#[test]
fn sections_list_pages_in_weight_order_with_previous_and_next() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let guide = site.main_html("guide/index.html");
    let (first, second) = (
        guide.find("/guide/first/").unwrap(),
        guide.find("/guide/second/").unwrap(),
    );
    assert!(first < second, "weight 1 comes before weight 2:\n{guide}");
    let page = site.public("guide/first/index.html");
    assert!(
        page.contains(r#"href="/guide/second/""#),
        "next link:\n{page}"
    );
}

#[test]
fn every_page_has_phone_crisis_lines_and_privacy_head() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    for file in [
        "index.html",
        "about/index.html",
        "guide/first/index.html",
        "404.html",
    ] {
        let html = site.public(file);
        assert!(
            html.contains(r#"href="tel:+15555550100""#),
            "{file}: center phone link"
        );
        assert!(html.contains(r#"href="tel:988""#), "{file}: crisis line");
        assert!(
            html.contains(r#"<meta name="referrer" content="no-referrer">"#),
            "{file}: referrer"
        );
        assert!(
            html.contains(r#"http-equiv="Content-Security-Policy""#),
            "{file}: CSP"
        );
    }
}

#[test]
fn reviewed_pages_say_so_and_carry_medical_web_page_data() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let page = site.public("guide/first/index.html");
    assert!(page.contains("Dr. Test Reviewer, MD"), "{page}");
    assert!(page.contains(r#""@type":"MedicalWebPage""#), "{page}");
    assert!(page.contains(r#""lastReviewed":"2026-02-03""#), "{page}");
    assert!(
        site.public("index.html")
            .contains(r#""@type":"MedicalClinic""#)
    );
}

#[test]
fn aliases_redirect_and_sitemap_lists_pages() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let alias = site.public("old-about/index.html");
    assert!(alias.contains(r#"content="0; url=/about/""#), "{alias}");
    let sitemap = site.public("sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://example.org/guide/first/</loc>\n    <lastmod>2026-02-03</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(
        !sitemap.contains("unfinished"),
        "drafts stay out of the sitemap"
    );
    assert!(
        site.public("robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
}

#[test]
fn base_url_flag_wins_over_config() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--base-url", "http://127.0.0.1:9999/"])
        .success();
    assert!(
        site.public("about/index.html")
            .contains(r#"<link rel="canonical" href="http://127.0.0.1:9999/about/">"#)
    );
}

#[test]
fn a_good_build_leaves_no_stale_file() {
    let site = SiteTest::fixture("basic");
    site.write("content/extra.md", "+++\ntitle = \"Extra\"\n+++\nText.\n");
    site.run(&["build"]).success();
    assert!(site.root().join("public/extra/index.html").is_file());
    std::fs::remove_file(site.root().join("content/extra.md")).unwrap();
    std::fs::remove_file(site.root().join("content/guide/second.md")).unwrap();
    site.run(&["build"]).success();
    assert!(!site.root().join("public/guide/second").exists());
    assert!(!site.root().join("public/extra").exists());
}

/// Build `basic`, then lay a bad-input fixture over it: the build fails with `expected` on stderr, and `public/`
/// is byte for byte what the good build wrote.
#[track_caller]
fn fails_and_keeps_output(case: &str, expected: &str) {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let before = site.snapshot();
    site.overlay(case);
    site.run(&["build"]).failure().stderr_has(expected);
    assert!(
        site.snapshot() == before,
        "{case}: public/ changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".iopsite") && n != ".iopsite-spare-public")
        .collect();
    assert!(
        leftovers.is_empty(),
        "{case}: staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn malformed_toml_front_matter() {
    fails_and_keeps_output("bad_toml", "error: content/about.md:4: front matter: ");
}

#[test]
fn malformed_yaml_front_matter() {
    fails_and_keeps_output(
        "bad_yaml",
        "error: content/guide/_index.md:3: front matter: description: invalid type",
    );
}

#[test]
fn unclosed_front_matter() {
    fails_and_keeps_output(
        "unclosed_front_matter",
        "error: content/about.md:1: the front matter is not closed: add a line with only `+++`",
    );
}

#[test]
fn missing_title() {
    fails_and_keeps_output(
        "missing_title",
        "error: content/about.md:2: the page has no `title`: add a line such as `title = ",
    );
}

#[test]
fn unknown_front_matter_key() {
    fails_and_keeps_output(
        "unknown_key",
        "error: content/about.md:4: front matter: unknown field `autor`",
    );
}

#[test]
fn unknown_template() {
    fails_and_keeps_output(
        "unknown_template",
        "error: content/about.md:4: the template `special.html` does not exist",
    );
}

#[test]
fn tera_syntax_error_names_template_and_line_and_shows_the_excerpt() {
    fails_and_keeps_output(
        "tera_syntax",
        "error: templates/page.html:3: template syntax error: ",
    );
    let site = SiteTest::fixture("basic");
    site.overlay("tera_syntax");
    site.run(&["build"])
        .failure()
        .stderr_has("3 | <h1>{{ page.title }</h1>");
}

#[test]
fn tera_render_error_names_template_line_and_page_once() {
    fails_and_keeps_output(
        "tera_render",
        "error: templates/page.html:4: template error: Field `subtitle` is not defined",
    );
    let site = SiteTest::fixture("basic");
    site.overlay("tera_render");
    let run = site.run(&["build"]);
    run.failure()
        .stderr_has("(while rendering content/about.md)");
    assert_eq!(
        run.stderr().matches("error: templates/page.html:4").count(),
        1,
        "{}",
        run.stderr()
    );
}

#[test]
fn missing_theme() {
    fails_and_keeps_output(
        "missing_theme",
        "error: config.toml: the theme `fancy` was not found",
    );
}

#[test]
fn file_that_is_not_utf8() {
    fails_and_keeps_output(
        "not_utf8",
        "error: content/cafe.md:2: this file is not UTF-8 text",
    );
}

#[test]
fn broken_internal_link() {
    fails_and_keeps_output(
        "broken_link",
        "error: content/guide/second.md:8: the link `thrid.md` points to content/guide/thrid.md, which does not exist",
    );
}

#[test]
fn broken_anchor() {
    fails_and_keeps_output(
        "broken_anchor",
        "error: content/guide/second.md:6: the link `../about.md#costs` points to a heading `#costs` that content/about.md does not have",
    );
}

#[test]
fn duplicate_url_names_both_files() {
    fails_and_keeps_output(
        "duplicate_url",
        "content/about/_index.md both make the address /about/",
    );
    let site = SiteTest::fixture("basic");
    site.overlay("duplicate_url");
    site.run(&["build"])
        .failure()
        .stderr_has("content/about.md");
}

#[test]
fn unknown_config_key() {
    fails_and_keeps_output(
        "unknown_config_key",
        "error: config.toml:6: unknown field `phnoe`",
    );
}

#[test]
fn unreadable_file() {
    let site = SiteTest::fixture("basic");
    site.run(&["build"]).success();
    let before = site.snapshot();
    // Root can read any file, so a link to nowhere stands in for an unreadable one.
    std::os::unix::fs::symlink("/nonexistent/page.md", site.root().join("content/gone.md"))
        .unwrap();
    site.run(&["build"])
        .failure()
        .stderr_has("error: content/gone.md: cannot read this file or folder");
    assert!(site.snapshot() == before);
}

#[test]
fn reports_every_content_problem_not_only_the_first() {
    let site = SiteTest::fixture("basic");
    site.overlay("many_errors");
    let run = site.run(&["build"]);
    run.failure()
        .stderr_has("error: content/about.md:3: front matter: unknown field `colour`")
        .stderr_has("error: content/guide/second.md:6: the link `nope.md`")
        .stderr_has("error: content/guide/second.md:8: the link `../nada.md`")
        .stderr_has("3 problems found");
}

#[test]
fn the_output_folder_may_not_be_the_site_itself() {
    let site = SiteTest::fixture("basic");
    site.run(&["build", "--output", "."])
        .failure()
        .stderr_has("would replace the site's own files");
    assert!(site.root().join("content/about.md").is_file());
}

#[test]
fn a_simple_zola_theme_runs_unchanged() {
    let site = SiteTest::fixture("zola_theme");
    site.run(&["build"]).success();
    let home = site.main_html("index.html");
    // sort_by = "date": newest first.
    let (newer, older) = (
        home.find("Second post").unwrap(),
        home.find("First post").unwrap(),
    );
    assert!(newer < older, "{home}");
    assert!(home.contains("05 March 2024"), "{home}");
    let post = site.public("blog/first/index.html");
    assert!(
        post.contains(r#"<link rel="stylesheet" href="https://blog.example.org/style.css">"#),
        "{post}"
    );
    assert!(post.contains(r#"<p class="hero">sunrise</p>"#), "{post}");
    // Counted because the template asks for it (sites that do not ask skip the count).
    assert!(post.contains("4 words, 1 min read"), "{post}");
    assert!(post.contains(r#"<a href="https://blog.example.org/blog/first/#intro">Intro</a><ul><li>Detail</li></ul>"#), "{post}");
    assert!(post.contains("Section: blog/_index.md"), "{post}");
    assert!(post.contains("<footer>By Sam</footer>"), "{post}");
    assert!(site.public("blog/second/index.html").contains("By Sam"));
}

#[test]
fn zola_taxonomy_and_paginator_templates_run_unchanged() {
    let site = SiteTest::fixture("zola_theme");
    site.run(&["build"]).success();
    // paginate_by = 1, sort_by = "date": the newest post on the first page, a link to the next.
    let blog = site.main_html("blog/index.html");
    assert!(
        blog.contains("<p>Second post</p>") && !blog.contains("First post"),
        "{blog}"
    );
    assert!(
        blog.contains(
            r#"1/2
<a href="https://blog.example.org/blog/page/2/">Next</a>"#
        ),
        "{blog}"
    );
    let second = site.main_html("blog/page/2/index.html");
    assert!(second.contains("<p>First post</p>"), "{second}");
    assert!(
        second.contains(r#"<a href="https://blog.example.org/blog/">Previous</a>"#),
        "{second}"
    );
    // `Rust` and `rust` are one term, named after its first spelling.
    let tags = site.main_html("tags/index.html");
    assert!(tags.contains(r#"<li><a href="https://blog.example.org/tags/rust/">Rust</a> (2)</li><li><a href="https://blog.example.org/tags/zola/">Zola</a> (1)</li>"#), "{tags}");
    let rust = site.main_html("tags/rust/index.html");
    assert!(
        rust.contains("<h1>tags: Rust</h1>")
            && rust.contains("Second post")
            && rust.contains("First post"),
        "{rust}"
    );
    let post = site.main_html("blog/first/index.html");
    assert!(
        post.contains(r#"<a href="https://blog.example.org/tags/zola/">Zola</a>"#),
        "{post}"
    );
    assert!(
        site.public("tags/rust/atom.xml")
            .contains("<title>First post</title>")
    );
}
