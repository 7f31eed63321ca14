//! `iopsite serve`: the real binary on an ephemeral port over a fixture copy, spoken to over real TCP. Every wait is
//! bounded, and the server is killed when a test ends (also when it fails).

use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::server::{BOUND, Server};
use crate::support::SiteTest;

/// A basic site with `serve` running on it.
fn serving(args: &[&str]) -> (SiteTest, Server) {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, args);
    (site, server)
}

#[test]
fn serves_pages_with_types_and_headers() {
    let (_site, server) = serving(&[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("Cache-Control"), Some("no-cache"));
    assert_eq!(home.header("Referrer-Policy"), Some("no-referrer"));
    assert_eq!(home.header("X-Content-Type-Options"), Some("nosniff"));
    assert!(
        home.header("Content-Security-Policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(
        home.body
            .matches("<script src=\"/__iopsite/livereload.js\"")
            .count(),
        1
    );
    server.get("/about/").has("Who we are");
}

#[test]
fn files_get_their_content_type() {
    let (_site, server) = serving(&[]);
    for (path, kind) in [
        ("/css/site.css", "text/css; charset=utf-8"),
        ("/leaflet.pdf", "application/pdf"),
        ("/sitemap.xml", "text/xml; charset=utf-8"),
        ("/logo.svg", "image/svg+xml; charset=utf-8"),
        ("/__iopsite/livereload.js", "text/javascript; charset=utf-8"),
    ] {
        let reply = server.get(path);
        assert_eq!(
            (reply.status, reply.header("Content-Type")),
            (200, Some(kind)),
            "{path}"
        );
        assert!(
            !reply.body.contains("livereload.js\" data"),
            "{path}: only HTML gets the script"
        );
    }
    let script = server.get("/__iopsite/livereload.js");
    assert!(script.body.contains("/__iopsite/events"));
}

#[test]
fn live_reload_code_is_never_written_to_the_output_folder() {
    let (site, server) = serving(&[]);
    server.get("/").has("livereload.js");
    let preview = site.snapshot_of(".iopsite/preview");
    assert!(
        preview.iter().any(|(file, _)| file == "index.html"),
        "the preview is built in .iopsite/preview"
    );
    assert!(
        site.snapshot().is_empty(),
        "serve leaves public/ alone while watching"
    );
    for (file, bytes) in preview {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__iopsite"),
            "public/{file}"
        );
    }
}

#[test]
fn folders_redirect_missing_pages_get_the_404_page_and_head_has_no_body() {
    let (_site, server) = serving(&[]);
    let redirect = server.get("/about?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("Location"), Some("/about/?x=1"));
    let missing = server.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    missing.has("Page not found").has("livereload.js");
    let head = server.request("HEAD", "/about/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "{}", head.body);
    assert_ne!(head.header("Content-Length"), Some("0"));
}

#[test]
fn refuses_unknown_methods_and_unparseable_requests() {
    let (_site, server) = serving(&[]);
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "BREW"] {
        let reply = server.request(method, "/about/");
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
    }
    assert_eq!(
        server.request("POST", "/contact").status,
        415,
        "the contact form takes only form posts (tests/cli/contact.rs)"
    );
    assert_eq!(server.raw(b"NONSENSE\r\n\r\n").status, 400);
    assert_eq!(
        server
            .raw(b"GET /about/ HTTP/1.1\r\nno colon here\r\n\r\n")
            .status,
        400
    );
}

/// Addresses that try to reach outside the output folder (`leak.txt` and `leaked/` are links made by the test).
const ESCAPES: [&str; 18] = [
    "/../config.toml",
    "/about/../../config.toml",
    "/%2e%2e/config.toml",
    "/%2E%2E/%2e%2e/config.toml",
    "/about%2f..%2f..%2fconfig.toml",
    "/..%5cconfig.toml",
    "/about\\..\\..\\config.toml",
    "/%00",
    "/about/%00/index.html",
    "//etc/passwd",
    "/%2fetc/passwd",
    "/C:/Windows/win.ini",
    "http://example.org/../config.toml",
    "*",
    "/leak.txt",
    "/leaked/about.md",
    "/leaked/",
    "/%ff%fe",
];

#[test]
fn never_serves_anything_outside_the_output_folder() {
    let (site, server) = serving(&[]);
    assert_eq!(server.get("/").status, 200, "the first build is done");
    let public = site.root().join(".iopsite/preview");
    std::os::unix::fs::symlink(site.root().join("config.toml"), public.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(site.root().join("content"), public.join("leaked")).unwrap();

    for path in ESCAPES {
        let reply = server.get(path);
        assert!(
            matches!(reply.status, 400 | 404),
            "{path}: {}",
            reply.status
        );
        assert!(
            !reply.body.contains("base_url"),
            "{path} served config.toml"
        );
        assert!(!reply.body.contains("+++"), "{path} served a content file");
    }
    let nul = server.raw(b"GET /\0 HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(matches!(nul.status, 400 | 404), "{}", nul.status);
    assert_eq!(server.get("/about/").status, 200, "still serving");
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn a_saved_page_reloads_the_browser_and_serves_the_new_text() {
    let (site, server) = serving(&[]);
    let state = server.state("/about/");
    site.write(
        "content/about.md",
        "+++\ntitle = \"About us\"\ndescription = \"Who we are.\"\n+++\n\nWe changed this sentence.\n",
    );
    let event = server.next_build(&state);
    assert!(event.contains("\"action\":\"reload\""), "{event}");
    server.get("/about/").has("We changed this sentence.");
}

#[test]
fn a_stylesheet_change_is_swapped_without_a_reload() {
    let (site, server) = serving(&[]);
    let state = server.state("/");
    let css = site.root().join("themes/default/static/css/site.css");
    let mut text = std::fs::read_to_string(&css).unwrap();
    text.push_str("\n.changed-by-test{color:#000}\n");
    std::fs::write(&css, text).unwrap();
    let event = server.next_build(&state);
    assert!(event.contains("\"action\":\"css\""), "{event}");
    server.get("/css/site.css").has(".changed-by-test");
}

#[test]
fn twenty_open_tabs_are_all_told_about_one_build() {
    let (site, server) = serving(&[]);
    let state = server.state("/");
    let server = Arc::new(server);
    let polls: Vec<_> = (0..20)
        .map(|_| {
            let (server, state) = (Arc::clone(&server), state.clone());
            thread::spawn(move || server.next_build(&state))
        })
        .collect();
    // Give every poll time to arrive before the change (a late one is answered at once anyway).
    thread::sleep(Duration::from_millis(200));
    site.write(
        "content/about.md",
        "+++\ntitle = \"About us\"\n+++\n\nNew.\n",
    );
    for poll in polls {
        let event = poll.join().unwrap();
        assert!(event.contains("\"action\":\"reload\""), "{event}");
    }
}

#[test]
fn a_deleted_page_is_gone() {
    let (site, server) = serving(&[]);
    let state = server.state("/");
    assert_eq!(server.get("/guide/second/").status, 200);
    std::fs::remove_file(site.root().join("content/guide/second.md")).unwrap();
    let event = server.next_build(&state);
    assert!(event.contains("reload"), "{event}");
    assert_eq!(server.get("/guide/second/").status, 404);
}

/// Break the basic site with a fixture's files, check the overlay on a page, restore the file, check it is gone.
fn overlay_shows_and_goes(case: &str, broken: &str, expected: &[&str]) {
    let (site, server) = serving(&[]);
    let good = std::fs::read(site.root().join(broken)).ok();
    let state = server.state("/about/");
    site.overlay(case);
    let event = server.next_build(&state);
    assert!(event.contains("reload"), "{event}");
    let page = server.get("/guide/");
    assert_eq!(page.status, 200, "the last good site is still served");
    page.has("id=\"iopsite-overlay\"")
        .has("Your last change could not be built");
    for text in expected {
        page.has(text);
    }
    server.wait_for_output(&format!("error: {broken}"));
    let broken_state = server.state("/guide/");
    match good {
        Some(bytes) => std::fs::write(site.root().join(broken), bytes).unwrap(),
        None => std::fs::remove_file(site.root().join(broken)).unwrap(),
    }
    let event = server.next_build(&broken_state);
    assert!(event.contains("reload"), "{event}");
    let page = server.get("/guide/");
    assert!(
        !page.body.contains("iopsite-overlay"),
        "overlay still there:\n{}",
        page.body
    );
}

#[test]
fn overlay_shows_a_template_error_until_it_is_fixed() {
    overlay_shows_and_goes(
        "tera_render",
        "templates/page.html",
        &[
            "templates/page.html, line 4",
            "Field `subtitle` is not defined",
            "page.subtitle",
        ],
    );
}

#[test]
fn overlay_shows_a_front_matter_error_until_it_is_fixed() {
    overlay_shows_and_goes(
        "bad_toml",
        "content/about.md",
        &[
            "content/about.md, line 4",
            "front matter: invalid",
            "between the +++ lines",
        ],
    );
}

#[test]
fn overlay_shows_a_broken_link_until_it_is_fixed() {
    overlay_shows_and_goes(
        "broken_link",
        "content/guide/second.md",
        &[
            "content/guide/second.md, line 8",
            "the link `thrid.md`",
            "check the file name",
        ],
    );
}

#[test]
fn a_first_build_that_fails_shows_an_error_page_then_the_site() {
    let site = SiteTest::fixture("basic");
    site.overlay("bad_toml");
    let server = Server::start(&site, &[]);
    let page = server.get("/about/");
    assert_eq!(page.status, 500);
    page.has("The site could not be built")
        .has("content/about.md, line 4")
        .has("<script src=\"/__iopsite/livereload.js\"");
    server.get("/anything/else").has("content/about.md, line 4");
    let state = server.state("/");
    site.overlay("basic");
    let event = server.next_build(&state);
    assert!(event.contains("reload"), "{event}");
    let page = server.get("/about/");
    assert_eq!(page.status, 200);
    page.has("Who we are");
}

#[test]
fn no_watch_serves_the_built_site_without_live_reload() {
    let (_site, server) = serving(&["--no-watch"]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("__iopsite"), "{}", home.body);
    assert_eq!(server.get("/__iopsite/livereload.js").status, 404);
    assert_eq!(server.get("/__iopsite/events?since=0").status, 404);
}

#[test]
fn a_taken_port_is_reported_and_the_next_free_one_used() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, &["--port", &port]);
    assert_ne!(server.address.port().to_string(), port);
    assert_eq!(server.get("/").status, 200);
    let deadline = Instant::now() + BOUND;
    while !server.stderr().contains("is taken") && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    assert!(
        server.stderr().contains(&format!("Port {port} is taken")),
        "{}",
        server.stderr()
    );
}

#[test]
fn a_changed_config_is_reloaded() {
    let (site, server) = serving(&[]);
    let state = server.state("/");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("title = \"Basic Site\"", "title = \"Renamed Site\""),
    );
    let event = server.next_build(&state);
    assert!(event.contains("reload"), "{event}");
    server.get("/about/").has("Renamed Site");
}

#[test]
fn an_editor_save_gives_one_rebuild_and_swap_files_none() {
    let (site, server) = serving(&[]);
    let state = server.state("/");
    let content = site.root().join("content");
    // Swap, probe and backup files alone must not rebuild: give them time to (wrongly) do so.
    site.write("content/.about.md.swp", "swap");
    site.write("content/4913", "");
    site.write("content/#about.md#", "emacs");
    std::fs::copy(content.join("about.md"), content.join("about.md~")).unwrap();
    thread::sleep(Duration::from_millis(300));
    // A safe save: the new text goes to a temporary file that is renamed over the page; then the editor tidies up.
    site.write(
        "content/.about.md.tmp",
        "+++\ntitle = \"About us\"\n+++\n\nSaved once.\n",
    );
    std::fs::rename(content.join(".about.md.tmp"), content.join("about.md")).unwrap();
    for tidied in ["4913", "about.md~", ".about.md.swp", "#about.md#"] {
        std::fs::remove_file(content.join(tidied)).unwrap();
    }
    let event = server.next_build(&state);
    assert!(
        event.contains(&format!("\"generation\":{}", state.1 + 1)),
        "{event}"
    );
    server.get("/about/").has("Saved once.");
    thread::sleep(Duration::from_millis(300));
    let stdout = server.stdout();
    assert_eq!(stdout.matches("rebuilt").count(), 1, "{stdout}");
    assert!(
        stdout.contains("content/about.md changed: rebuilt"),
        "{stdout}"
    );
}
