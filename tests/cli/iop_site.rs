//! The real IOP site in this repository: every page of the content brief is built, and no built file loads
//! anything from another host.

use crate::support::SiteTest;

/// The URLs the content brief (`shared/content-brief.md`) asks for.
const BRIEF_PAGES: [&str; 13] = [
    "index.html",
    "what-is-an-iop/index.html",
    "benefits/index.html",
    "what-to-expect/index.html",
    "what-to-expect/therapy/index.html",
    "what-to-expect/life-skills/index.html",
    "what-to-expect/substance-use-education/index.html",
    "what-to-expect/relapse-prevention/index.html",
    "faq/index.html",
    "contact/index.html",
    "contact/thanks/index.html",
    "privacy/index.html",
    "404.html",
];

#[test]
fn builds_every_page_of_the_content_brief() {
    let site = SiteTest::iop_site();
    site.run(&["build"]).success();
    for page in BRIEF_PAGES {
        let html = site.public(page);
        assert_eq!(html.matches("<h1").count(), 1, "{page}: exactly one h1");
        assert!(html.contains("988"), "{page}: crisis lines");
        assert!(html.contains("href=\"tel:"), "{page}: phone link");
    }
}

#[test]
fn pages_show_the_sections_above_them_as_breadcrumbs() {
    let site = SiteTest::iop_site();
    site.run(&["build"]).success();
    // Pages of one section share one breadcrumbs value: each still gets its own sections and its own title.
    let trail = |page: &str| {
        let html = site.public(page);
        let start = html.find("class=\"crumbs\"").map(|at| at + 1);
        start.map(|at| {
            html[at..]
                .split("</nav>")
                .next()
                .unwrap_or_default()
                .to_string()
        })
    };
    let therapy =
        trail("what-to-expect/therapy/index.html").expect("a trail on a page of a section");
    assert!(therapy.contains("<a href=\"/\">Home</a>"), "{therapy}");
    assert!(
        therapy.contains("<a href=\"/what-to-expect/\">What to expect</a>"),
        "{therapy}"
    );
    assert!(
        therapy.contains("aria-current=\"page\">Therapy sessions<"),
        "{therapy}"
    );
    let skills = trail("what-to-expect/life-skills/index.html").expect("a trail on its neighbour");
    assert!(
        skills.contains("<a href=\"/what-to-expect/\">What to expect</a>"),
        "{skills}"
    );
    assert!(!skills.contains("Therapy sessions"), "{skills}");
    let faq = trail("faq/index.html").expect("a trail on a top-level page");
    assert!(
        faq.contains("<a href=\"/\">Home</a>") && !faq.contains("What to expect"),
        "{faq}"
    );
    assert_eq!(trail("index.html"), None, "the home page has no trail");
}

/// Attributes that make a browser fetch something. An `href` on `<a>` is a link the visitor chooses, not a request.
const LOADING: [&str; 6] = [
    "src=\"http",
    "src=\"//",
    "srcset=\"http",
    "action=\"http",
    "url(http",
    "url(//",
];

#[test]
fn no_built_file_loads_anything_from_another_host() {
    let site = SiteTest::iop_site();
    site.run(&["build"]).success();
    for (file, bytes) in site.snapshot() {
        let text = String::from_utf8_lossy(&bytes);
        for pattern in LOADING {
            assert!(
                !text.contains(pattern),
                "{file} loads from another host: {pattern}"
            );
        }
        for tag in ["<link", "<script", "<iframe", "<img", "<object", "<embed"] {
            for piece in text.split(tag).skip(1) {
                let element = &piece[..piece.find('>').unwrap_or(piece.len())];
                let external = element.contains("=\"http") || element.contains("=\"//");
                // Addresses of the site itself, never loaded: canonical, alternate (a feed) and a feed's own `self`.
                let canonical = element.contains("rel=\"canonical\"")
                    || element.contains("rel=\"alternate\"")
                    || (file.ends_with(".xml") && element.contains("rel=\"self\""));
                assert!(
                    !external || canonical,
                    "{file}: {tag}{element}> points at another host"
                );
            }
        }
    }
}
