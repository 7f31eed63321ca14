//! The staff inbox (`/staff/`) against the real `iopsite serve --no-watch` over TCP: off without accounts, sign-in
//! with password and a one-time code (computed here from the enrolled secret), the cookie's flags, the headers of
//! every answer, and the attacks: wrong password, reused code, another origin, a missing or wrong CSRF token, a
//! signed-out cookie, path tricks, an unknown inquiry, an insecure address; then status, deletion and the audit log.

use std::fs;
use std::time::{SystemTime, UNIX_EPOCH};

use iopsite::staff::totp;

use crate::server::{Reply, Server};
use crate::support::SiteTest;

const GOOD: &str = "name=Jordan+%3Cb%3EQ%3C%2Fb%3E&phone=555+867+5309&email=&preferred=text&safe_times=&voicemail=generic&for_whom=self&message=Hello&consent=yes&website=";
const PASSWORD: &str = "four words make a pass";

struct Inbox {
    server: Server,
    site: SiteTest,
    origin: String,
}

impl Inbox {
    fn request(&self, method: &str, path: &str, headers: &str, body: &str) -> Reply {
        self.server.raw(
            format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
                self.server.address,
                body.len()
            )
            .as_bytes(),
        )
    }

    fn get(&self, path: &str, cookie: &str) -> Reply {
        self.request("GET", path, &format!("Cookie: {cookie}\r\n"), "")
    }

    fn post(&self, path: &str, cookie: &str, body: &str) -> Reply {
        let headers = format!(
            "Cookie: {cookie}\r\nOrigin: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            self.origin
        );
        self.request("POST", path, &headers, body)
    }

    fn code(&self, offset: i64) -> String {
        let db = rusqlite::Connection::open(self.site.root().join("data/iopsite.sqlite3")).unwrap();
        let secret: String = db
            .query_row(
                "SELECT totp_secret FROM accounts WHERE name = 'maria'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        totp::code_at(
            &totp::Secret::from_base32(&secret).unwrap(),
            now.saturating_add_signed(offset),
        )
    }

    /// Sign in; the session cookie (`name=value`).
    fn sign_in(&self, code: &str) -> Reply {
        self.post(
            "/staff/sign-in",
            "",
            &format!(
                "name=maria&password={}&code={code}",
                PASSWORD.replace(' ', "+")
            ),
        )
    }
}

fn cookie_of(reply: &Reply) -> String {
    let set = reply
        .header("Set-Cookie")
        .unwrap_or_else(|| panic!("no cookie: {}", reply.status));
    set.split(';').next().unwrap().to_string()
}

#[track_caller]
fn assert_staff_headers(reply: &Reply) {
    assert_eq!(reply.header("Cache-Control"), Some("no-store"));
    let csp = reply.header("Content-Security-Policy").unwrap();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(reply.header("Referrer-Policy"), Some("no-referrer"));
}

fn inbox() -> Inbox {
    let site = SiteTest::fixture("basic");
    site.overlay("contact");
    let server = Server::start(&site, &["--no-watch"]);
    let origin = format!("http://{}", server.address);
    Inbox {
        server,
        site,
        origin,
    }
}

/// `iopsite staff add maria` with the password on standard input.
fn add_maria(site: &SiteTest) {
    let mut add = std::process::Command::new(crate::support::binary())
        .args(["staff", "add", "maria", "--password-stdin"])
        .current_dir(site.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut add.stdin.take().unwrap(),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .unwrap();
    assert!(add.wait().unwrap().success());
}

fn stored_id(site: &SiteTest) -> String {
    let text = fs::read_to_string(site.root().join("data/submissions.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    line["id"].as_str().unwrap().to_string()
}

#[test]
fn the_inbox_from_sign_in_to_sign_out_refuses_every_attack() {
    let inbox = inbox();
    assert_eq!(inbox.get("/staff/", "").status, 404, "off without accounts");
    let contact = inbox.request(
        "POST",
        "/contact",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        GOOD,
    );
    assert_eq!(contact.status, 303);
    let id = stored_id(&inbox.site);
    add_maria(&inbox.site);

    let sign_in_page = inbox.get("/staff/", "");
    assert_eq!(sign_in_page.status, 200);
    assert_staff_headers(&sign_in_page);
    sign_in_page.has("Staff sign-in").has("data-forget");
    assert!(!sign_in_page.body.contains(&id));

    // Wrong password, a wrong code, another origin, no origin: refused alike, nothing signed in.
    let wrong = inbox.post(
        "/staff/sign-in",
        "",
        &format!(
            "name=maria&password=wrong+password+here&code={}",
            inbox.code(0)
        ),
    );
    assert_eq!(wrong.status, 401);
    wrong.has("The name, password or code is not right.");
    let unknown = inbox.post(
        "/staff/sign-in",
        "",
        &format!("name=nobody&password=x&code={}", inbox.code(0)),
    );
    assert_eq!(
        unknown.body, wrong.body,
        "an unknown name gets the same answer"
    );
    let body = format!(
        "name=maria&password={}&code={}",
        PASSWORD.replace(' ', "+"),
        inbox.code(0)
    );
    // Another origin; a null origin from another site, or with no word from the browser; no origin at all.
    for origin in [
        "Origin: https://evil.example\r\n",
        "Origin: null\r\nSec-Fetch-Site: cross-site\r\n",
        "Origin: null\r\n",
        "",
    ] {
        let headers = format!("{origin}Content-Type: application/x-www-form-urlencoded\r\n");
        let refused = inbox.request("POST", "/staff/sign-in", &headers, &body);
        assert_eq!(refused.status, 403, "{origin:?}");
        assert!(refused.header("Set-Cookie").is_none());
    }

    // The right password and code: a session cookie with every flag.
    let signed_in = inbox.sign_in(&inbox.code(0));
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let set = signed_in.header("Set-Cookie").unwrap();
    for flag in [
        "__Host-iopsite-staff=",
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
    ] {
        assert!(set.contains(flag), "{flag} missing in {set}");
    }
    let cookie = cookie_of(&signed_in);
    assert!(
        cookie.len() >= "__Host-iopsite-staff=".len() + 43,
        "at least 256 bits: {cookie}"
    );
    assert_eq!(
        inbox.sign_in(&inbox.code(0)).status,
        401,
        "a code works once"
    );

    // The list and the inquiry.
    let list = inbox.get("/staff/", &cookie);
    assert_staff_headers(&list);
    list.has(&format!("/staff/inquiry/{id}"))
        .has("not encrypted at rest");
    let page = inbox.get(&format!("/staff/inquiry/{id}"), &cookie);
    page.has("Jordan &lt;b&gt;Q&lt;/b&gt;").has("555 867 5309");
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();

    // Path tricks and unknown inquiries.
    for path in [
        "/staff/../config.toml",
        "/staff/%2e%2e/data/submissions.jsonl",
        "/staff//etc/passwd",
        "/staff/inquiry/..%2f..%2fconfig.toml",
    ] {
        assert_eq!(inbox.get(path, &cookie).status, 400, "{path}");
    }
    assert_eq!(
        inbox
            .get(
                "/staff/inquiry/00000000-0000-4000-8000-000000000000",
                &cookie
            )
            .status,
        404
    );
    assert_eq!(inbox.get("/staff/inquiry/not-an-id", &cookie).status, 404);

    // Changing the status: a missing or wrong token, or another origin, changes nothing.
    let status = format!("/staff/inquiry/{id}/status");
    assert_eq!(inbox.post(&status, &cookie, "status=contacted").status, 403);
    assert_eq!(
        inbox
            .post(&status, &cookie, "status=contacted&csrf=forged")
            .status,
        403
    );
    let other_origin = inbox.request("POST", &status, &format!("Cookie: {cookie}\r\nOrigin: https://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"), &format!("status=contacted&csrf={csrf}"));
    assert_eq!(other_origin.status, 403);
    assert!(inbox.get("/staff/", &cookie).body.contains("status-new"));
    assert_eq!(
        inbox
            .post(&status, &cookie, &format!("status=contacted&csrf={csrf}"))
            .status,
        303
    );
    inbox
        .get("/staff/", &cookie)
        .has("status-contacted\">contacted")
        .has("maria at ");

    // The export is the store as it is, as a download, and is audited.
    let export = inbox.get("/staff/export", &cookie);
    assert_eq!(export.status, 200);
    assert_staff_headers(&export);
    assert!(
        export
            .header("Content-Disposition")
            .is_some_and(|v| v.starts_with("attachment"))
    );
    assert_eq!(
        export.body,
        fs::read_to_string(inbox.site.root().join("data/submissions.jsonl")).unwrap()
    );
    assert_eq!(
        inbox.get("/staff/export", "").status,
        200,
        "signed out: the sign-in page"
    );
    assert!(!inbox.get("/staff/export", "").body.contains(&id));

    // Deleting asks for a confirmation, then rewrites the store.
    let delete = format!("/staff/inquiry/{id}/delete");
    inbox.get(&delete, &cookie).has("Delete this inquiry?");
    assert_eq!(
        inbox.post(&delete, &cookie, &format!("csrf={csrf}")).status,
        400
    );
    assert_eq!(
        inbox
            .post(&delete, &cookie, &format!("csrf={csrf}&confirm=yes"))
            .status,
        303
    );
    assert!(
        !fs::read_to_string(inbox.site.root().join("data/submissions.jsonl"))
            .unwrap()
            .contains(&id)
    );
    assert_eq!(
        inbox.get(&format!("/staff/inquiry/{id}"), &cookie).status,
        404
    );

    // Signing out ends the session on the server: the old cookie no longer opens anything.
    let out = inbox.post("/staff/sign-out", &cookie, &format!("csrf={csrf}"));
    assert_eq!(out.status, 200);
    assert!(
        out.header("Clear-Site-Data")
            .is_some_and(|v| v.contains("storage"))
    );
    let after = inbox.get("/staff/", &cookie);
    after.has("Staff sign-in");
    assert!(!after.body.contains("/staff/inquiry/"));
    assert_eq!(
        inbox
            .post(&status, &cookie, &format!("status=closed&csrf={csrf}"))
            .status,
        401
    );

    // Not over HTTPS and not on this machine's own address: refused.
    let insecure = inbox
        .server
        .raw(b"GET /staff/ HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n");
    assert_eq!(insecure.status, 403);
    let proxied = inbox.server.raw(b"GET /staff/ HTTP/1.1\r\nHost: www.example.org\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n");
    assert_eq!(proxied.status, 200, "through a TLS proxy on this machine");

    // The audit log has every step; no log line holds what the person wrote.
    let audit = inbox.site.run(&["staff", "audit"]).stdout();
    for action in [
        "sign-in-failed",
        "sign-in",
        "view",
        "status",
        "delete",
        "sign-out",
    ] {
        assert!(
            audit.lines().any(|l| l.contains(&format!("  {action}"))),
            "{action} missing:\n{audit}"
        );
    }
    assert!(audit.contains(&format!("delete inquiry {id}")), "{audit}");
    for output in [inbox.server.stdout(), inbox.server.stderr(), audit] {
        assert!(
            !output.contains("Jordan") && !output.contains("867"),
            "{output}"
        );
    }
}

#[test]
fn repeated_failures_slow_down_and_lock_out() {
    let inbox = inbox();
    add_maria(&inbox.site);
    let statuses: Vec<u16> = (0..5)
        .map(|_| {
            inbox
                .post("/staff/sign-in", "", "name=maria&password=nope&code=123456")
                .status
        })
        .collect();
    assert_eq!(
        statuses,
        [401, 401, 401, 401, 429],
        "the fifth try comes too soon"
    );
    // Even the right password and code wait while the pause lasts.
    let right = inbox.sign_in(&inbox.code(0));
    assert_eq!(right.status, 429);
    right.has("Too many tries");
    inbox
        .server
        .wait_for_output("staff: failed sign-in for \"maria\"");
}

#[test]
fn the_server_signs_out_an_idle_session() {
    let site = SiteTest::fixture("basic");
    site.overlay("contact");
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[staff]\nidle_minutes = 1\n"),
    );
    let server = Server::start(&site, &["--no-watch"]);
    let origin = format!("http://{}", server.address);
    let inbox = Inbox {
        server,
        site,
        origin,
    };
    add_maria(&inbox.site);
    let cookie = cookie_of(&inbox.sign_in(&inbox.code(0)));
    inbox.get("/staff/", &cookie).has("Signed in as maria");
    std::thread::sleep(std::time::Duration::from_secs(61));
    let after = inbox.get("/staff/", &cookie);
    after.has("You were signed out after 1 minutes without activity");
    assert!(!after.body.contains("Signed in as"));
}
