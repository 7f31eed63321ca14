//! Sending one notice: by email (`lettre`, SMTP with rustls) or to a webhook (`ureq`, rustls), and sorting the
//! other side's answer into sent, try again later, or refused for good. A notice names how many inquiries arrived,
//! their ids and times, and where to read them: never anything a person wrote.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use lettre::Transport as _;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use serde::Serialize;
use sha2::Sha256;

use crate::config::{Notify, SmtpSecurity};

/// How long one try may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The most ids one notice lists; a larger group says how many more there are.
const IDS_SHOWN: usize = 20;

/// The header that carries the webhook body's signature: `sha256=` and the HMAC-SHA256 in hex.
pub const SIGNATURE_HEADER: &str = "X-Iopsite-Signature";

/// What one notice says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The inquiries it announces, oldest first: (id, received at).
    pub inquiries: Vec<(String, String)>,
    /// Where staff read them: the staff inbox's address, or the command to run on the server.
    pub read_at: String,
    /// A test notice from `iopsite notify test`.
    pub test: bool,
}

/// How the other side answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted: its answer.
    Sent(String),
    /// Not now (no connection, a timeout, a temporary refusal): try again later.
    Retry(String),
    /// Refused for good (a 5xx from a mail server, a 4xx from a webhook): kept for `notify status`.
    Refused(String),
}

/// The JSON body of a webhook call.
#[derive(Debug, Serialize)]
struct WebhookBody<'a> {
    id: &'a str,
    received_at: &'a str,
    count: usize,
    read_at: &'a str,
    test: bool,
}

impl Notice {
    fn newest(&self) -> (&str, &str) {
        self.inquiries
            .last()
            .map_or(("", ""), |(id, time)| (id.as_str(), time.as_str()))
    }

    /// The email's subject: the configured one, with the count when there are several.
    pub fn subject(&self, configured: &str) -> String {
        match (self.test, self.inquiries.len()) {
            (true, _) => format!("{configured} (test)"),
            (false, 1) => configured.to_string(),
            (false, n) => format!("{configured} ({n})"),
        }
    }

    /// The email's text.
    pub fn text(&self) -> String {
        let mut text = String::new();
        if self.test {
            text.push_str("This is a test notice from the website, sent by `iopsite notify test`. Real notices look like this one.\n\n");
        }
        match self.inquiries.as_slice() {
            [(id, time)] => {
                text.push_str(&format!(
                    "A new inquiry arrived through the website's contact form.\n\nInquiry: {id}\nReceived: {}\n",
                    readable(time)
                ));
            }
            many => {
                let (first, last) = (&many[0].1, &many[many.len() - 1].1);
                text.push_str(&format!(
                    "{} new inquiries arrived through the website's contact form, from {} to {}.\n\n",
                    many.len(),
                    readable(first),
                    readable(last)
                ));
                for (id, time) in many.iter().rev().take(IDS_SHOWN) {
                    text.push_str(&format!("Inquiry: {id} (received {})\n", readable(time)));
                }
                if many.len() > IDS_SHOWN {
                    text.push_str(&format!("… and {} more.\n", many.len() - IDS_SHOWN));
                }
            }
        }
        text.push_str(&format!("\nRead it: {}\n", self.read_at));
        text.push_str("\nThis notice holds nothing the person wrote, on purpose: an inquiry is private health information and stays on the website's server. Please answer soon: people who are contacted quickly are more likely to start care.\n");
        text
    }

    /// The webhook's JSON body: `{id, received_at, count, read_at, test}`, about the newest inquiry.
    pub fn json(&self) -> String {
        let (id, received_at) = self.newest();
        let body = WebhookBody {
            id,
            received_at,
            count: self.inquiries.len(),
            read_at: &self.read_at,
            test: self.test,
        };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// `2026-11-30T23:58:00Z` as `2026-11-30 23:58 UTC`.
fn readable(time: &str) -> String {
    match time.get(..16) {
        Some(minute) if time.ends_with('Z') => format!("{} UTC", minute.replace('T', " ")),
        _ => time.to_string(),
    }
}

/// Emails through one mail server.
pub(super) struct Email {
    transport: SmtpTransport,
    from: Mailbox,
    to: Vec<Mailbox>,
    subject: String,
}

impl Email {
    /// The sender for `[notify]`; `password` for `smtp_user`. Errors are plain sentences.
    pub(super) fn new(notify: &Notify, password: Option<String>) -> Result<Email, String> {
        let host = notify.smtp_host.trim();
        let builder = match notify.smtp_security {
            SmtpSecurity::Starttls => SmtpTransport::starttls_relay(host),
            SmtpSecurity::Tls => SmtpTransport::relay(host),
            SmtpSecurity::None => Ok(SmtpTransport::builder_dangerous(host)),
        }
        .map_err(|err| format!("cannot prepare a secure connection to {host}: {err}"))?;
        let mut builder = builder.port(notify.smtp_port).timeout(Some(TIMEOUT));
        if let Some(password) = password {
            builder = builder.credentials(Credentials::new(notify.smtp_user.clone(), password));
        }
        let parse = |text: &str| {
            text.parse::<Mailbox>()
                .map_err(|err| format!("\"{text}\" is not an email address: {err}"))
        };
        Ok(Email {
            transport: builder.build(),
            from: parse(&notify.email_from)?,
            to: notify
                .email_to
                .iter()
                .map(|to| parse(to))
                .collect::<Result<_, _>>()?,
            subject: notify.subject.clone(),
        })
    }

    /// Send `notice` to every address, in one message.
    pub(super) fn send(&self, notice: &Notice) -> Delivery {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(notice.subject(&self.subject))
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            message = message.to(to.clone());
        }
        let message = match message.body(notice.text()) {
            Ok(message) => message,
            Err(err) => return Delivery::Refused(format!("the email could not be made: {err}")),
        };
        match self.transport.send(&message) {
            Ok(response) => {
                let lines: Vec<&str> = response.message().collect();
                Delivery::Sent(format!("{} {}", response.code(), lines.join(" ")))
            }
            Err(err) if err.is_permanent() => Delivery::Refused(smtp_answer(&err)),
            Err(err) => Delivery::Retry(smtp_answer(&err)),
        }
    }
}

/// The mail server's answer, or what went wrong on the way, with its cause.
fn smtp_answer(err: &lettre::transport::smtp::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // lettre's message already holds the server's words; add only what it does not say.
        if !text.contains(&cause_text) {
            text.push_str(&format!(": {cause_text}"));
        }
        source = cause.source();
    }
    text
}

/// Calls to one webhook.
pub(super) struct Webhook {
    agent: ureq::Agent,
    url: String,
    secret: Option<Vec<u8>>,
}

impl Webhook {
    /// The webhook of `[notify]`, signing with `secret` when given.
    pub(super) fn new(notify: &Notify, secret: Option<Vec<u8>>) -> Webhook {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            // A signed notice is never sent on to another address.
            .max_redirects(0)
            .user_agent(concat!("iopsite/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Webhook {
            agent,
            url: notify.webhook_url.clone(),
            secret,
        }
    }

    /// `POST` the notice's JSON.
    pub(super) fn send(&self, notice: &Notice) -> Delivery {
        let body = notice.json();
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(secret) = &self.secret {
            request = request.header(SIGNATURE_HEADER, signature(secret, body.as_bytes()));
        }
        match request.send(body.as_bytes()) {
            Ok(response) => {
                let status = response.status();
                let answer = format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or_default()
                );
                match status.as_u16() {
                    200..=299 => Delivery::Sent(answer),
                    408 | 425 | 429 | 500..=599 => Delivery::Retry(answer),
                    _ => Delivery::Refused(answer),
                }
            }
            Err(err) => Delivery::Retry(err.to_string()),
        }
    }
}

/// `sha256=` and the HMAC-SHA256 of `body` under `secret`, in lowercase hex.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut text = String::from("sha256=");
    for byte in digest {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(n: usize) -> Notice {
        Notice {
            inquiries: (0..n)
                .map(|i| (format!("id-{i}"), format!("2026-11-30T10:{i:02}:07Z")))
                .collect(),
            read_at: "https://example.org/staff/".into(),
            test: false,
        }
    }

    #[test]
    fn one_inquiry() {
        let one = notice(1);
        assert_eq!(one.subject("New website inquiry"), "New website inquiry");
        let text = one.text();
        assert!(
            text.contains("Inquiry: id-0\nReceived: 2026-11-30 10:00 UTC\n"),
            "{text}"
        );
        assert!(
            text.contains("Read it: https://example.org/staff/"),
            "{text}"
        );
        assert_eq!(
            one.json(),
            r#"{"id":"id-0","received_at":"2026-11-30T10:00:07Z","count":1,"read_at":"https://example.org/staff/","test":false}"#
        );
    }

    #[test]
    fn a_group_names_the_count_and_the_newest() {
        let group = notice(25);
        assert_eq!(group.subject("Hello"), "Hello (25)");
        let text = group.text();
        assert!(text.starts_with("25 new inquiries arrived"), "{text}");
        assert!(text.contains("Inquiry: id-24"), "the newest is listed");
        assert!(!text.contains("Inquiry: id-4 "), "only twenty are listed");
        assert!(text.contains("… and 5 more."), "{text}");
        assert!(
            group
                .json()
                .contains(r#""id":"id-24","received_at":"2026-11-30T10:24:07Z","count":25"#)
        );
    }

    #[test]
    fn signature_matches_rfc_4231_case_2() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
