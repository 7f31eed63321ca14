//! Notices to staff (`[notify]`) against a real SMTP sink and a real webhook endpoint on loopback, with the real
//! `iopsite serve`: a notice within the limit that holds nothing a person wrote, a dead or hung mail server that
//! holds up nobody, notices that survive a SIGKILL, grouping under a burst, refusals, config errors, and
//! `iopsite notify test` / `status`.

use std::fs;
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::server::{BOUND, Reply, Server};
use crate::sinks::{Smtp, SmtpSink, WebhookSink, free_port};
use crate::support::SiteTest;

/// What a person typed into the form: none of these may reach a notice or a log line.
const GOOD: &str = "name=Jordan+Quill&phone=555+867+5309&email=jq%40mail.example&preferred=text&safe_times=after+five&voicemail=generic&for_whom=self&message=Worried+about+my+drinking&consent=yes&website=";
const TYPED: [&str; 6] = [
    "Jordan",
    "Quill",
    "867",
    "jq@mail.example",
    "after five",
    "drinking",
];

/// The contact site with `[notify]` sending to `smtp_port` (plain SMTP on loopback) and, when given, a webhook.
fn notify_site(smtp_port: u16, webhook: Option<&str>, group_seconds: u64) -> SiteTest {
    let site = SiteTest::fixture("basic");
    site.overlay("contact");
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    let mut notify = format!(
        "\n[notify]\nemail_to = [\"admissions@example.org\", \"lead@example.org\"]\nemail_from = \"Website <website@example.org>\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsmtp_security = \"none\"\ngroup_seconds = {group_seconds}\n"
    );
    if let Some(url) = webhook {
        notify.push_str(&format!(
            "webhook_url = \"{url}\"\nwebhook_secret_env = \"HOOK_SECRET\"\n"
        ));
    }
    site.write("config.toml", &(config + &notify));
    site
}

fn post(server: &Server) -> Reply {
    server.raw(
        format!(
            "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{GOOD}",
            GOOD.len()
        )
        .as_bytes(),
    )
}

/// The ids of the stored inquiries, in order.
fn stored_ids(site: &SiteTest) -> Vec<String> {
    fs::read_to_string(site.root().join("data/submissions.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[track_caller]
fn assert_nothing_typed(text: &str) {
    for typed in TYPED {
        assert!(!text.contains(typed), "{typed:?} leaked into:\n{text}");
    }
}

const SECRET: &str = "a webhook secret of the test";

#[test]
fn an_inquiry_reaches_staff_by_email_and_webhook_with_nothing_private() {
    let smtp = SmtpSink::start(Smtp::Accept);
    let hook = WebhookSink::start(204);
    let site = notify_site(smtp.port, Some(&hook.url), 60);
    let server = Server::start_with_env(&site, &["--no-watch"], &[("HOOK_SECRET", SECRET)]);
    server.wait_for_output("Notices of new inquiries go out by email and webhook");
    let posted = Instant::now();
    assert_eq!(post(&server).status, 303);
    let mails = smtp.wait_for(1, BOUND);
    let calls = hook.wait_for(1, BOUND);
    assert!(posted.elapsed() < Duration::from_mins(1));
    let id = &stored_ids(&site)[0];

    let mail = &mails[0];
    assert_eq!(mail.to.len(), 2, "one message to every address");
    assert_eq!(mail.header("Subject"), Some("New website inquiry"));
    assert_eq!(mail.header("From"), Some("Website <website@example.org>"));
    assert!(
        mail.text().contains(&format!("Inquiry: {id}")),
        "{}",
        mail.text()
    );
    assert!(
        mail.text().contains("run: iopsite submissions"),
        "{}",
        mail.text()
    );
    assert_nothing_typed(&mail.text());

    let call = &calls[0];
    assert_eq!(call.content_type.as_deref(), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&call.body).unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["count", "id", "read_at", "received_at", "test"]);
    assert_eq!(
        (body["id"].as_str(), body["count"].as_u64()),
        (Some(id.as_str()), Some(1))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(call.body.as_bytes());
    let hex = mac
        .finalize()
        .into_bytes()
        .iter()
        .fold(String::new(), |hex, b| hex + &format!("{b:02x}"));
    assert_eq!(
        call.signature.as_deref(),
        Some(format!("sha256={hex}").as_str())
    );
    assert_nothing_typed(&call.body);

    server.wait_for_output("notify: webhook about inquiry");
    server.wait_for_output("notify: email about inquiry");
    assert_nothing_typed(&server.stdout());
    assert_nothing_typed(&server.stderr());
    assert_eq!(smtp.mails().len(), 1, "one notice per inquiry");
}

#[test]
fn a_hung_or_dead_mail_server_holds_up_nobody_and_gets_the_notice_when_back() {
    let port = free_port();
    let hung = SmtpSink::start_on(port, Smtp::Silent);
    let site = notify_site(port, None, 60);
    let server = Server::start(&site, &["--no-watch"]);
    server.wait_for_output("Notices of new inquiries go out by email");
    for _ in 0..3 {
        let start = Instant::now();
        assert_eq!(post(&server).status, 303);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the visitor waited {:?} on the mail server",
            start.elapsed()
        );
    }
    let start = Instant::now();
    while hung.connections() == 0 {
        assert!(start.elapsed() < BOUND, "the worker never tried");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The mail server dies; the try fails, and the next tries too, until it is back.
    drop(hung);
    server.wait_for_output("could not be sent");
    std::thread::sleep(Duration::from_secs(2));
    let back = SmtpSink::start_on(port, Smtp::Accept);
    let mails = back.wait_for(1, Duration::from_secs(45));
    let ids = stored_ids(&site);
    assert_eq!(ids.len(), 3);
    for id in &ids {
        assert!(
            mails[0].text().contains(id),
            "{id} missing from\n{}",
            mails[0].text()
        );
    }
    assert_eq!(mails[0].header("Subject"), Some("New website inquiry (3)"));
}

#[test]
fn pending_notices_survive_a_sigkill() {
    let port = free_port();
    let site = notify_site(port, None, 60);
    {
        let server = Server::start(&site, &["--no-watch"]);
        for _ in 0..3 {
            assert_eq!(post(&server).status, 303);
        }
        server.wait_for_output("could not be sent");
        // Dropping the server kills it with SIGKILL: nothing gets a chance to tidy up.
    }
    let smtp = SmtpSink::start_on(port, Smtp::Accept);
    let server = Server::start(&site, &["--no-watch"]);
    let mails = smtp.wait_for(1, BOUND);
    for id in stored_ids(&site) {
        assert!(
            mails[0].text().contains(&id),
            "{id} missing from\n{}",
            mails[0].text()
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(smtp.mails().len(), 1, "each notice is sent once");
    drop(server);
}

#[test]
fn a_notice_left_out_by_a_crash_is_made_from_the_store() {
    let smtp = SmtpSink::start(Smtp::Accept);
    let site = notify_site(smtp.port, None, 60);
    {
        let server = Server::start(&site, &["--no-watch"]);
        assert_eq!(post(&server).status, 303);
        smtp.wait_for(1, BOUND);
    }
    // As if the server had stopped after storing an inquiry and before writing its outbox row: a line in the
    // store that the outbox has never seen.
    let lost = "{\"id\":\"4d1c2a7e-0000-4000-8000-00000000beef\",\"time\":\"2099-01-01T00:00:00Z\",\"name\":\"Jordan\",\"phone\":\"\",\"email\":\"\",\"preferred\":null,\"safe_times\":\"\",\"voicemail\":\"no\",\"for_whom\":null,\"message\":\"\",\"consent\":true}\n";
    let store = site.root().join("data/submissions.jsonl");
    let text = fs::read_to_string(&store).unwrap();
    fs::write(&store, text + lost).unwrap();
    let _server = Server::start(&site, &["--no-watch"]);
    let mails = smtp.wait_for(2, BOUND);
    assert!(
        mails[1]
            .text()
            .contains("4d1c2a7e-0000-4000-8000-00000000beef"),
        "{}",
        mails[1].text()
    );
    assert_nothing_typed(&mails[1].text());
}

#[test]
fn a_burst_is_grouped_into_few_notices() {
    let smtp = SmtpSink::start(Smtp::Accept);
    let site = notify_site(smtp.port, None, 3);
    let server = Server::start(&site, &["--no-watch"]);
    for _ in 0..12 {
        assert_eq!(post(&server).status, 303);
    }
    let ids = stored_ids(&site);
    let start = Instant::now();
    let mails = loop {
        let mails = smtp.mails();
        if ids
            .iter()
            .all(|id| mails.iter().any(|m| m.text().contains(id)))
        {
            break mails;
        }
        assert!(start.elapsed() < BOUND, "not every inquiry was announced");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(mails.len() <= 3, "{} notices for one burst", mails.len());
    for pair in mails.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_millis(2500),
            "two notices {gap:?} apart"
        );
    }
    let last = mails.last().unwrap();
    assert!(
        last.header("Subject")
            .unwrap()
            .starts_with("New website inquiry ("),
        "a group names its count: {:?}",
        last.header("Subject")
    );
}

#[test]
fn a_permanent_refusal_is_logged_kept_for_status_and_not_retried() {
    let smtp = SmtpSink::start(Smtp::Refuse);
    let site = notify_site(smtp.port, None, 1);
    let server = Server::start(&site, &["--no-watch"]);
    assert_eq!(post(&server).status, 303);
    server.wait_for_output("(550): 5.7.1 Relaying denied");
    server.wait_for_output("It will not be tried again");
    std::thread::sleep(Duration::from_secs(7));
    assert_eq!(smtp.connections(), 1, "a refused notice is not tried again");
    let id = &stored_ids(&site)[0];
    let status = site.run(&["notify", "status"]);
    let out = status.success().stdout();
    assert!(
        out.contains(&format!("refused for good: inquiry {id}")),
        "{out}"
    );
    assert!(out.contains("(550): 5.7.1 Relaying denied"), "{out}");
    drop(server);
}

#[test]
fn notify_test_reports_what_the_other_side_answered() {
    let smtp = SmtpSink::start(Smtp::Accept);
    let hook = WebhookSink::start(200);
    let site = notify_site(smtp.port, Some(&hook.url), 60);
    let run = crate::support::run_with_env(&site, &["notify", "test"], &[("HOOK_SECRET", SECRET)]);
    let out = run.success().stdout();
    assert!(
        out.contains("sent. The other side answered: 250 2.0.0 queued as SINK1"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "webhook {}: sent. The other side answered: 200 OK",
            hook.url
        )),
        "{out}"
    );
    assert_eq!(
        smtp.mails()[0].header("Subject"),
        Some("New website inquiry (test)")
    );
    assert!(hook.calls()[0].body.contains("\"test\":true"));

    let refusing = SmtpSink::start(Smtp::Refuse);
    let not_found = WebhookSink::start(404);
    let refused_site = notify_site(refusing.port, Some(&not_found.url), 60);
    let run = crate::support::run_with_env(
        &refused_site,
        &["notify", "test"],
        &[("HOOK_SECRET", SECRET)],
    );
    let out = run.failure().stdout();
    assert!(
        out.contains("REFUSED. The other side answered: permanent error (550)"),
        "{out}"
    );
    assert!(
        out.contains("REFUSED. The other side answered: 404 Not Found"),
        "{out}"
    );
}

#[test]
fn config_mistakes_stop_the_server_before_it_serves() {
    let site = notify_site(free_port(), None, 60);
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}smtp_user = \"website@example.org\"\n"),
    );
    let line = config.lines().count() + 1;
    site.run(&["serve", "--no-watch", "--port", "0"])
        .failure()
        .stderr_has(&format!("error: config.toml:{line}: smtp_user is set, so the mail server's password is read from the environment variable IOPSITE_SMTP_PASSWORD, which is not set"));

    let remote = config.replace(
        "smtp_host = \"127.0.0.1\"",
        "smtp_host = \"smtp.example.org\"",
    );
    site.write("config.toml", &remote);
    let line = remote
        .lines()
        .position(|l| l.starts_with("smtp_security"))
        .unwrap()
        + 1;
    let run = site.run(&["serve", "--no-watch", "--port", "0"]);
    run.failure().stderr_has(&format!(
        "error: config.toml:{line}: smtp_security = \"none\" would send"
    ));
    assert!(!run.stdout().contains("Serving"), "{}", run.stdout());

    site.write(
        "config.toml",
        &format!("{config}subject = \"New rehab lead\"\n"),
    );
    site.run(&["notify", "test"])
        .failure()
        .stderr_has("the subject says \"rehab\"");
    site.write("config.toml", &format!("{config}smtp_pasword = \"x\"\n"));
    site.run(&["serve", "--no-watch", "--port", "0"])
        .failure()
        .stderr_has("unknown field `smtp_pasword`");
    let with_hook = format!(
        "{config}webhook_url = \"https://hooks.example.org/x\"\nwebhook_secret_env = \"NOT_SET_ANYWHERE\"\n"
    );
    site.write("config.toml", &with_hook);
    site.run(&["serve", "--no-watch", "--port", "0"])
        .failure()
        .stderr_has("NOT_SET_ANYWHERE, which is not set");
}
