//! Tests of rendering a page again with extra variables (the contact page with the form's messages).

use std::fs;

use crate::build::{BuildOptions, build_keeping_pages};
use crate::forms::{FormView, Values};

/// A copy of the repository's own site (config, content, default theme) in a temporary folder.
fn iop_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["config.toml", "content", "themes"] {
        for entry in walkdir::WalkDir::new(repo.join(part)) {
            let entry = entry.unwrap();
            let target = dir.path().join(entry.path().strip_prefix(repo).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).unwrap();
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    dir
}

fn build(root: &std::path::Path) -> super::PageRenderer {
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: root.join("public"),
        drafts: false,
        overrides: crate::config::Overrides::default(),
        progress: false,
    };
    build_keeping_pages(&options).unwrap().pages
}

#[test]
fn the_static_contact_page_has_the_blank_form() {
    let site = iop_site();
    build(site.path());
    let html = fs::read_to_string(site.path().join("public/contact/index.html")).unwrap();
    assert!(html.contains(r#"<form class="form" method="post" action="/contact" novalidate>"#));
    assert!(html.contains(r#"name="voicemail" type="radio" value="no" checked"#));
    assert!(!html.contains("form-errors") && !html.contains("aria-invalid"));
    assert!(html.contains("<title>Contact us |"));
    assert!(
        html.contains(r#"tabindex="-1" autocomplete="off""#),
        "the honeypot"
    );
}

#[test]
fn the_contact_page_renders_again_with_messages_and_escaped_values() {
    let site = iop_site();
    let pages = build(site.path());
    let body = b"name=%3Cscript%3Ex%3C%2Fscript%3E&phone=1&preferred=text&message=%22%3E%3Cscript%3Ey%3C%2Fscript%3E";
    let errors = Values::decode(body).unwrap().validate().unwrap_err();
    let mut extra = tera::Context::new();
    extra.insert("form", &FormView::with_errors(&errors));
    let html = pages.render("/contact/", extra).unwrap().unwrap();
    assert!(html.contains("<title>Error: Contact us |"));
    assert!(html.contains("2 answers need your attention"));
    assert!(html.contains(r##"<li><a href="#f-phone">"##));
    assert!(html.contains(r##"<li><a href="#f-consent">"##));
    assert!(html.contains(r#"aria-describedby="e-phone" aria-invalid="true""#));
    assert!(
        html.contains(
            r#"id="f-preferred-text" name="preferred" type="radio" value="text" checked"#
        )
    );
    assert!(!html.contains("<script>"), "values are escaped");
    assert!(html.contains("&lt;script&gt;x"));
    assert!(
        pages
            .render("/no-such-page/", tera::Context::new())
            .is_none()
    );
}
