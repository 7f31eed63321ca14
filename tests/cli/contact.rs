//! `POST /contact` against the real `iopsite serve` over TCP: every answer with its body, escaping, durability
//! under 200 concurrent submissions, encryption, file mode, and a log that never holds what a person wrote.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::thread;

use crate::server::{BOUND, Reply, Server};
use crate::support::SiteTest;

const GOOD: &str = "name=Jordan+Q&phone=555+555+0100&email=&preferred=text&safe_times=after+5&voicemail=generic&for_whom=self&message=Hello&consent=yes&website=";
const FORM: &str = "application/x-www-form-urlencoded";

/// The `contact` fixture (the basic site with a contact page, a thanks page and no rate limit).
fn site() -> SiteTest {
    let site = SiteTest::fixture("basic");
    site.overlay("contact");
    site
}

fn post(server: &Server, content_type: &str, body: &str) -> Reply {
    post_with(server, &format!("Content-Type: {content_type}\r\n"), body)
}

fn post_with(server: &Server, headers: &str, body: &str) -> Reply {
    server.raw(
        format!(
            "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

fn stored(site: &SiteTest) -> Vec<serde_json::Value> {
    let path = site.root().join("data/submissions.jsonl");
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
        .collect()
}

fn set_rate_limit(site: &SiteTest, limit: u32) {
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    let config = config.replace("rate_limit = 0", &format!("rate_limit = {limit}"));
    site.write("config.toml", &config);
}

/// Make a key pair with `iopsite keygen` (private half in key.txt) and lock the site's inquiries with it.
fn lock_with_a_new_key(site: &SiteTest) {
    let keygen = site.run(&["keygen", "--out", "key.txt"]);
    let stdout = keygen.success().stdout();
    let public = stdout.split("recipient = \"").nth(1).unwrap();
    let public = &public[..public.find('"').unwrap()];
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}recipient = \"{public}\"\n"),
    );
}

#[track_caller]
fn assert_status(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "body:\n{}", reply.body);
    assert_eq!(
        reply.header("Cache-Control"),
        Some("no-store"),
        "answers about a form are never cached"
    );
}

#[test]
fn a_valid_inquiry_is_stored_then_answered_303() {
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    let reply = post(&server, FORM, GOOD);
    assert_status(&reply, 303);
    assert_eq!(reply.header("Location"), Some("/contact/thanks/"));
    let lines = stored(&site);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["name"], "Jordan Q");
    assert_eq!(lines[0]["voicemail"], "generic");
    let path = site.root().join("data/submissions.jsonl");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let id = lines[0]["id"].as_str().unwrap();
    server.wait_for_output(&format!("contact: stored inquiry {id}"));
    server.wait_for_output(
        "warning: contact-form inquiries will be stored unencrypted in data/submissions.jsonl",
    );
    for output in [server.stdout(), server.stderr()] {
        assert!(
            !output.contains("Jordan") && !output.contains("555 555"),
            "{output}"
        );
    }
}

#[test]
fn missing_answers_come_back_422_on_the_themes_page() {
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    let reply = post(&server, FORM, "name=&phone=12&message=Keep+this+text");
    assert_status(&reply, 422);
    reply
        .has("<title>Error: Contact us |")
        .has("3 answers need your attention")
        .has(r##"<li><a href="#f-name">Enter your name or a nickname.</a></li>"##)
        .has(r#"aria-describedby="e-phone" aria-invalid="true""#)
        .has(">Keep this text</textarea>")
        .has(r#"name="phone" type="tel" autocomplete="tel" maxlength="40" value="12""#);
    assert!(!site.root().join("data").exists(), "nothing stored");
}

#[test]
fn only_form_posts_are_read_415() {
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    for content_type in [
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json",
    ] {
        let reply = post(&server, content_type, GOOD);
        assert_status(&reply, 415);
        reply.has("This address accepts only the contact form. Please go back and try again, or call us at (555) 555-0100.");
    }
    assert_status(&post_with(&server, "", GOOD), 415);
    assert!(stored(&site).is_empty());
}

#[test]
fn bodies_over_16_kib_are_refused_413() {
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    let long = format!("{GOOD}&message={}", "x".repeat(17 * 1024));
    let reply = post(&server, FORM, &long);
    assert_status(&reply, 413);
    reply.has("The form is too large");
    // Without a Content-Length (chunked), the body is read only up to the limit.
    let chunk = "y".repeat(20 * 1024);
    let chunked = format!(
        "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {FORM}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    assert_status(&server.raw(chunked.as_bytes()), 413);
    assert!(stored(&site).is_empty());
}

#[test]
fn unreadable_bodies_are_400() {
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    let reply = post(&server, FORM, "name=%FF%FE&consent=yes");
    assert_status(&reply, 400);
    reply.has("The form data is not valid UTF-8 text. Please go back and try again, or call us at (555) 555-0100.");
    assert_status(&post(&server, FORM, "name=a&name=b"), 400);
    assert!(stored(&site).is_empty());
}

#[test]
fn a_filled_honeypot_gets_the_same_303_and_nothing_is_stored() {
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    let reply = post(&server, FORM, &format!("{GOOD}http%3A%2F%2Fspam.example"));
    assert_status(&reply, 303);
    assert_eq!(reply.header("Location"), Some("/contact/thanks/"));
    assert!(stored(&site).is_empty());
    server.wait_for_output("contact: spam caught (1 so far)");
}

#[test]
fn too_many_from_one_address_get_429_with_the_phone_number() {
    let site = site();
    set_rate_limit(&site, 2);
    let server = Server::start(&site, &["--no-watch"]);
    assert_status(&post(&server, FORM, GOOD), 303);
    assert_status(&post(&server, FORM, GOOD), 303);
    let reply = post(&server, FORM, GOOD);
    assert_status(&reply, 429);
    reply
        .has("We have received several messages from your connection")
        .has("Please call us at (555) 555-0100")
        .has(r#"value="Jordan Q""#);
    // Behind the local reverse proxy, each visitor has their own count.
    let forwarded = format!("Content-Type: {FORM}\r\nX-Forwarded-For: 198.51.100.7\r\n");
    assert_status(&post_with(&server, &forwarded, GOOD), 303);
    assert_eq!(stored(&site).len(), 3);
}

const FIELDS: [&str; 9] = [
    "name",
    "phone",
    "email",
    "preferred",
    "safe_times",
    "voicemail",
    "for_whom",
    "message",
    "consent",
];

/// A script payload in every field, sent so that every kind of answer comes back (rate limit 1).
fn hostile_replies(server: &Server) -> Vec<Reply> {
    let payload = "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let everywhere: Vec<String> = FIELDS.iter().map(|f| format!("{f}={payload}")).collect();
    let everywhere = everywhere.join("&");
    let valid = format!(
        "name={payload}&phone=555+555+0100&safe_times={payload}&message={payload}&consent=yes"
    );
    vec![
        post(server, FORM, &everywhere),                        // 422
        post(server, FORM, &valid),                             // 303
        post(server, FORM, &valid),                             // 429
        post(server, FORM, &format!("{everywhere}&website=x")), // 429 (spam, over the limit)
        post(server, FORM, &format!("{everywhere}%FF")),        // 400
        post(server, "text/html", &everywhere),                 // 415
    ]
}

#[test]
fn a_script_in_every_field_never_comes_back_unescaped() {
    let site = site();
    set_rate_limit(&site, 1);
    let server = Server::start(&site, &["--no-watch"]);
    let replies = hostile_replies(&server);
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [422, 303, 429, 429, 400, 415]);
    for reply in &replies {
        let unescaped = reply.body.contains("<script>alert") || reply.body.contains("\"><script");
        assert!(!unescaped, "{}:\n{}", reply.status, reply.body);
    }
    assert!(replies[0].body.contains("&quot;&gt;&lt;script&gt;alert(1)"));
    for output in [server.stdout(), server.stderr()] {
        assert!(!output.contains("script"), "{output}");
    }
}

#[test]
fn two_hundred_concurrent_submissions_are_all_stored_once() {
    let site = site();
    let server = Arc::new(Server::start(&site, &["--no-watch"]));
    let threads: Vec<_> = (0..200)
        .map(|n| {
            let server = Arc::clone(&server);
            thread::spawn(move || {
                let body = GOOD.replace("Jordan+Q", &format!("Person+{n}"));
                post(&server, FORM, &body).status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(statuses.iter().all(|&s| s == 303), "{statuses:?}");
    let lines = stored(&site);
    assert_eq!(lines.len(), 200);
    let ids: HashSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    let names: HashSet<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!((ids.len(), names.len()), (200, 200));
}

#[test]
fn encrypted_inquiries_round_trip_through_submissions_identity() {
    let site = site();
    lock_with_a_new_key(&site);
    let server = Server::start(&site, &[]);
    assert_status(&post(&server, FORM, GOOD), 303);
    assert!(
        !server.stderr().contains("unencrypted"),
        "{}",
        server.stderr()
    );
    let raw = fs::read_to_string(site.root().join("data/submissions.jsonl")).unwrap();
    assert!(raw.contains("BEGIN AGE ENCRYPTED FILE"), "{raw}");
    // The name, the phone number in every form it was sent or could be kept in, and the message are nowhere in
    // the clear. (Not just "555": the record's random id and the ciphertext contain those digits now and then.)
    for clear in [
        "Jordan",
        "555 555 0100",
        "555+555+0100",
        "5555550100",
        "\"Hello\"",
    ] {
        assert!(!raw.contains(clear), "{clear} in {raw}");
    }
    let run = site.run(&["submissions", "--identity", "key.txt", "--format", "json"]);
    run.success();
    let list: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(list[0]["name"], "Jordan Q");
    assert_eq!(list[0]["message"], "Hello");
    // Purge works on the server without the key, and keeps what is new.
    let purge = site.run(&["submissions", "purge", "--older-than", "1d"]);
    assert_eq!(
        purge.stdout(),
        "Deleted 0 inquiries older than 1d; kept 1 inquiry in data/submissions.jsonl.\n"
    );
}

#[test]
fn an_inquiry_that_cannot_be_stored_gets_500_and_the_phone_number() {
    let site = site();
    site.write("data", "a file where the folder for inquiries should be");
    let server = Server::start(&site, &["--no-watch"]);
    let reply = post(&server, FORM, GOOD);
    assert_status(&reply, 500);
    reply
        .has("your message was not sent. Please call us at (555) 555-0100")
        .has(r#"value="Jordan Q""#);
    server.wait_for_output(
        "contact: could not store an inquiry: data/submissions.jsonl: cannot write here",
    );
    for output in [server.stdout(), server.stderr()] {
        assert!(!output.contains("Jordan"), "{output}");
    }
}

/// See `vendor/README.md`: unpatched `tiny_http` aborted the whole process on a request like this.
#[test]
fn a_huge_declared_body_does_not_take_the_server_down() {
    use std::io::{Read, Write};
    let site = site();
    let server = Server::start(&site, &["--no-watch"]);
    let mut stream = std::net::TcpStream::connect(server.address).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    let head = format!(
        "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\nContent-Length: 10000000000000\r\n\r\nname=x"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
        reply.push(byte[0]);
    }
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    drop(stream);
    // The server drains the rest once the client has gone: give that a moment, and ask again and again.
    for _ in 0..10 {
        thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            !server.stderr().contains("memory allocation"),
            "{}",
            server.stderr()
        );
        assert_eq!(status_if_up(&server), Some(200), "the server is still up");
    }
    assert!(stored(&site).is_empty());
}

/// The status of `GET /`, or `None` when nothing answers (the server died).
fn status_if_up(server: &Server) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect_timeout(&server.address, BOUND).ok()?;
    stream.set_read_timeout(Some(BOUND)).ok()?;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.split(' ').nth(1)?.parse().ok()
}
