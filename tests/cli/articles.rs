//! Articles over time (issue 16): taxonomies, pagination and Atom feeds on the `articles` fixture (a `resources`
//! section of five dated articles, two a page, tags written in several cases and accents).

use crate::support::SiteTest;

fn built() -> SiteTest {
    let site = SiteTest::fixture("articles");
    site.run(&["build"]).success();
    site
}

#[test]
fn terms_differing_in_case_or_accents_are_one_term_with_its_pages() {
    let site = built();
    let list = site.main_html("tags/index.html");
    assert!(
        list.contains(
            r#"<a href="/tags/family/">Family</a> <span class="count">(3 articles)</span>"#
        ),
        "{list}"
    );
    assert!(
        list.contains(
            r#"<a href="/tags/recovery/">Recovery</a> <span class="count">(2 articles)</span>"#
        ),
        "{list}"
    );
    assert!(!site.root().join("public/tags/famíly").exists());
    // Newest first, two a page (paginate_by = 2 in config.toml).
    let first = site.main_html("tags/family/index.html");
    let (three, two) = (
        first.find("Article 3").unwrap(),
        first.find("Article 2").unwrap(),
    );
    assert!(three < two && !first.contains("Article 1"), "{first}");
    assert!(
        site.main_html("tags/family/page/2/index.html")
            .contains("Article 1")
    );
    let article = site.main_html("resources/article-1/index.html");
    assert!(
        article.contains(r#"<a href="https://example.org/tags/family/">Family</a>"#),
        "{article}"
    );
}

#[test]
fn a_paginated_section_has_numbered_pages_with_named_links() {
    let site = built();
    let first = site.main_html("resources/index.html");
    assert!(
        first.contains("Article 5") && first.contains("Article 4") && !first.contains("Article 3"),
        "{first}"
    );
    let second = site.main_html("resources/page/2/index.html");
    assert!(
        second.contains("Article 3") && second.contains("Article 2"),
        "{second}"
    );
    assert!(
        second.contains(r#"<nav class="pages" aria-label="Pages of this list">"#),
        "{second}"
    );
    assert!(
        second.contains(r#"rel="prev">Previous page</a>"#),
        "{second}"
    );
    assert!(second.contains(r#"rel="next">Next page</a>"#), "{second}");
    assert!(
        second.contains(r#"<span aria-current="page"><span class="vh">Page </span>2</span>"#),
        "{second}"
    );
    assert!(
        site.public("resources/page/2/index.html")
            .contains("<title>Page 2 of 3: Resources | Articles test</title>")
    );
    assert!(
        site.main_html("resources/page/3/index.html")
            .contains("Article 1")
    );
    assert!(!site.root().join("public/resources/page/4").exists());
    let redirect = site.public("resources/page/1/index.html");
    assert!(
        redirect.contains(r#"<meta http-equiv="refresh" content="0; url=/resources/">"#),
        "{redirect}"
    );
    let sitemap = site.public("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/resources/</loc>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://example.org/tags/family/</loc>"),
        "{sitemap}"
    );
    assert!(
        !sitemap.contains("/page/"),
        "pagers after the first stay out of the sitemap:\n{sitemap}"
    );
}

fn children_named<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &str,
) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|c| c.tag_name().name() == name)
        .collect()
}

/// Parse a feed and check what RFC 4287 requires (and the W3C validator checks offline): one `id`, `title` and
/// `updated` for the feed and each entry, a `rel="self"` link, one `rel="alternate"` link per entry, dates in RFC
/// 3339 with a zone, and an author. Returns each entry's (title, content).
fn valid_atom(xml: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|err| panic!("not XML: {err}\n{xml}"));
    let feed = doc.root_element();
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert_eq!(feed.tag_name().name(), "feed");
    let children = children_named;
    let is_date = |text: Option<&str>| text.is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok());
    for name in ["id", "title", "updated", "author"] {
        assert_eq!(children(feed, name).len(), 1, "feed {name}\n{xml}");
    }
    assert!(is_date(children(feed, "updated")[0].text()), "{xml}");
    let links = children(feed, "link");
    assert!(
        links.iter().any(|l| l.attribute("rel") == Some("self")),
        "{xml}"
    );
    let mut entries = Vec::new();
    for entry in children(feed, "entry") {
        for name in ["id", "title", "updated"] {
            assert_eq!(children(entry, name).len(), 1, "entry {name}\n{xml}");
        }
        assert!(is_date(children(entry, "updated")[0].text()), "{xml}");
        let alternates = children(entry, "link")
            .into_iter()
            .filter(|l| l.attribute("rel") == Some("alternate"))
            .count();
        assert_eq!(alternates, 1, "{xml}");
        let id = children(entry, "id")[0].text().unwrap();
        assert!(id.starts_with("https://"), "an id is an absolute IRI: {id}");
        let content = children(entry, "content")[0];
        assert_eq!(content.attribute("type"), Some("html"));
        entries.push((
            children(entry, "title")[0].text().unwrap().to_string(),
            content.text().unwrap_or_default().to_string(),
        ));
    }
    entries
}

#[test]
fn feeds_are_valid_atom_with_dated_pages_and_absolute_links() {
    let site = built();
    let entries = valid_atom(&site.public("atom.xml"));
    let titles: Vec<&str> = entries.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Article 5",
            "Article 4",
            "Article 3",
            "Article 2",
            "Article 1"
        ],
        "About has no date"
    );
    let (_, content) = &entries[0];
    assert!(
        content.contains(r#"<a href="https://example.org/about/">about</a>"#),
        "{content}"
    );
    assert!(
        content.contains(r#"<a href="https://example.org/resources/article-5/#top">"#),
        "{content}"
    );
    assert!(
        !content.contains("The rest of article"),
        "the summary only (text before <!-- more -->): {content}"
    );
    assert_eq!(valid_atom(&site.public("resources/atom.xml")).len(), 5);
    let family: Vec<String> = valid_atom(&site.public("tags/family/atom.xml"))
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(family, ["Article 3", "Article 2", "Article 1"]);
    let head = site.public("resources/index.html");
    assert!(head.contains(r#"<link rel="alternate" type="application/atom+xml" title="Articles test: Resources" href="https://example.org/resources/atom.xml">"#), "{head}");
    assert!(
        site.public("about/index.html")
            .contains(r#"href="https://example.org/atom.xml">"#)
    );
    assert!(
        site.public("tags/family/index.html")
            .contains(r#"href="https://example.org/tags/family/atom.xml">"#)
    );
}

#[test]
fn full_text_feeds_and_a_feed_limit_follow_the_config() {
    let site = SiteTest::fixture("articles");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace(
            "generate_feeds = true",
            "generate_feeds = true\nfeed_content = \"full\"\nfeed_limit = 2",
        ),
    );
    site.run(&["build"]).success();
    let entries = valid_atom(&site.public("atom.xml"));
    assert_eq!(entries.len(), 2);
    assert!(
        entries[0].1.contains("The rest of article 5"),
        "{}",
        entries[0].1
    );
}

fn fails_with(file: &str, text: &str, expected: &str) {
    let site = SiteTest::fixture("articles");
    site.write(file, text);
    site.run(&["build"]).failure().stderr_has(expected);
    assert!(
        !site.root().join("public").exists(),
        "a failed build writes nothing"
    );
}

fn article(taxonomies: &str) -> String {
    format!("+++\ntitle = \"Bad\"\ndate = 2026-01-01\n[taxonomies]\n{taxonomies}\n+++\nText.\n")
}

#[test]
fn taxonomy_mistakes_name_the_file_and_line() {
    fails_with(
        "content/resources/bad.md",
        &article("topics = [\"family\"]"),
        "error: content/resources/bad.md:5: the taxonomy `topics` is not in config.toml (it has: tags)",
    );
    fails_with(
        "content/resources/bad.md",
        &article("tags = [\"!!!\"]"),
        "error: content/resources/bad.md:5: the term `!!!` has no letters or digits, so it cannot become an address",
    );
    fails_with(
        "content/resources/bad.md",
        &article("tags = \"family\""),
        "error: content/resources/bad.md:5: front matter: invalid type: string \"family\", expected a sequence",
    );
    fails_with(
        "content/resources/bad.md",
        &article("tags = [1, 2]"),
        "error: content/resources/bad.md:5: front matter: invalid type: integer `1`, expected a string",
    );
    fails_with(
        "content/resources/bad.md",
        &article(&format!("tags = [\"{}\"]", "word ".repeat(30))),
        "error: content/resources/bad.md:5: the term `word word",
    );
}

#[test]
fn a_term_whose_address_a_page_has_is_an_error() {
    fails_with(
        "content/tags/family.md",
        "+++\ntitle = \"Family\"\n+++\nA page at /tags/family/.\n",
        "error: content/resources/article-1.md:6: the term `Family` makes the address /tags/family/, which content/tags/family.md has already",
    );
    fails_with(
        "content/tags.md",
        "+++\ntitle = \"Tags\"\n+++\n",
        "error: content/tags.md: this page has the address /tags/, which the taxonomy `tags` of config.toml needs",
    );
}

#[test]
fn pagination_mistakes_name_the_file_and_line() {
    fails_with(
        "content/resources/_index.md",
        "+++\ntitle = \"Resources\"\npaginate_by = 0\n+++\n",
        "error: content/resources/_index.md:3: `paginate_by` is 0",
    );
    fails_with(
        "content/resources/_index.md",
        "+++\ntitle = \"Resources\"\npaginate_by = -1\n+++\n",
        "error: content/resources/_index.md:3: front matter: invalid value: integer `-1`",
    );
    fails_with(
        "content/resources/page/2.md",
        "+++\ntitle = \"In the way\"\n+++\n",
        "error: content/resources/_index.md:5: the section's page 2 would have the address /resources/page/2/",
    );
}

#[test]
fn a_theme_without_taxonomy_templates_is_told_which_to_add() {
    let site = SiteTest::fixture("articles");
    std::fs::remove_file(
        site.root()
            .join("themes/default/templates/taxonomy_single.html"),
    )
    .unwrap();
    site.run(&["build"]).failure().stderr_has(
        "error: config.toml: config.toml has the taxonomy `tags`, but the theme has no template taxonomy_single.html",
    );
}
