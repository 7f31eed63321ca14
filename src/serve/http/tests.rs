//! Unit tests of routing, path resolution and content types (no sockets).

use super::*;

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    fs::create_dir_all(public.join("about")).unwrap();
    fs::create_dir_all(public.join("empty")).unwrap();
    fs::write(public.join("index.html"), "home").unwrap();
    fs::write(public.join("about/index.html"), "about").unwrap();
    fs::write(public.join("a b.txt"), "spaced").unwrap();
    fs::write(dir.path().join("secret.txt"), "secret").unwrap();
    dir
}

fn at(dir: &tempfile::TempDir, url: &str) -> Resolved {
    let public = dir.path().join("public");
    match resolve(&public, url) {
        Resolved::File(path) => {
            let inside = path.strip_prefix(public.canonicalize().unwrap()).unwrap();
            Resolved::File(inside.to_path_buf())
        }
        other => other,
    }
}

fn file(path: &str) -> Resolved {
    Resolved::File(PathBuf::from(path))
}

#[test]
fn pretty_urls_resolve_to_index_files() {
    let dir = site();
    assert_eq!(at(&dir, "/"), file("index.html"));
    assert_eq!(at(&dir, "/about/"), file("about/index.html"));
    assert_eq!(at(&dir, "/about/index.html"), file("about/index.html"));
    assert_eq!(at(&dir, "/about/?utm=1#x"), file("about/index.html"));
    assert_eq!(at(&dir, "/a%20b.txt"), file("a b.txt"));
}

#[test]
fn folders_without_a_slash_redirect() {
    let dir = site();
    assert_eq!(at(&dir, "/about"), Resolved::Redirect("/about/".into()));
    assert_eq!(
        at(&dir, "/about?q=1"),
        Resolved::Redirect("/about/?q=1".into())
    );
}

#[test]
fn missing_things_are_not_found() {
    let dir = site();
    for url in [
        "/nope",
        "/nope/",
        "/empty/",
        "/index.html/",
        "/about/index.html/x",
    ] {
        assert_eq!(at(&dir, url), Resolved::NotFound, "{url}");
    }
    assert_eq!(
        resolve(&dir.path().join("no-output-yet"), "/"),
        Resolved::NotFound
    );
}

#[test]
fn escapes_are_bad_requests() {
    let dir = site();
    for url in [
        "/../secret.txt",
        "/about/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2e/secret.txt",
        "/about%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/about\\..\\..\\secret.txt",
        "/%00",
        "/a%00b",
        "//secret.txt",
        "/about//index.html",
        "/./index.html",
        "/C:/secret.txt",
        "secret.txt",
        "http://example.org/",
        "*",
        "",
        "/%ff",
    ] {
        assert_eq!(at(&dir, url), Resolved::BadRequest, "{url}");
    }
}

#[test]
fn symbolic_links_that_lead_outside_are_not_found() {
    let dir = site();
    let public = dir.path().join("public");
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), public.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path(), public.join("up")).unwrap();
    std::os::unix::fs::symlink(public.join("about"), public.join("alias")).unwrap();
    assert_eq!(at(&dir, "/leak.txt"), Resolved::NotFound);
    assert_eq!(at(&dir, "/up/secret.txt"), Resolved::NotFound);
    assert_eq!(at(&dir, "/up/"), Resolved::NotFound);
    assert_eq!(
        at(&dir, "/alias/"),
        file("about/index.html"),
        "a link inside is fine"
    );
}

#[test]
fn routes_by_method_and_address() {
    assert_eq!(route(&Method::Get, "/about/", true), Route::Site);
    assert_eq!(route(&Method::Head, "/about/", false), Route::Site);
    assert_eq!(
        route(&Method::Get, "/__iopsite/livereload.js", true),
        Route::Script
    );
    assert_eq!(
        route(&Method::Get, "/__iopsite/livereload.js", false),
        Route::Site
    );
    assert_eq!(
        route(
            &Method::Get,
            "/__iopsite/events?server=a%2Db&since=7&wait=0",
            true
        ),
        Route::Events(Poll {
            server: "a-b".into(),
            since: 7,
            wait: false
        })
    );
    assert_eq!(route(&Method::Post, "/contact", false), Route::Contact);
    assert_eq!(route(&Method::Delete, "/", true), Route::MethodNotAllowed);
    let brew: Method = "BREW".parse().unwrap();
    assert_eq!(route(&brew, "/", true), Route::MethodNotAllowed);
}

#[test]
fn content_types_come_from_the_extension() {
    assert_eq!(
        content_type(Path::new("a/index.html")),
        "text/html; charset=utf-8"
    );
    assert_eq!(
        content_type(Path::new("site.css")),
        "text/css; charset=utf-8"
    );
    assert_eq!(
        content_type(Path::new("logo.svg")),
        "image/svg+xml; charset=utf-8"
    );
    assert_eq!(content_type(Path::new("leaflet.pdf")), "application/pdf");
    assert_eq!(content_type(Path::new("photo.JPG")), "image/jpeg");
    assert_eq!(
        content_type(Path::new("_headers")),
        "application/octet-stream"
    );
}
