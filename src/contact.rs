//! The contact endpoint's logic, with no sockets: what to do with one `POST` of the contact form. The server reads
//! the request and writes the response; this module decides. [`check_request`] refuses what is not a small form
//! (415, 413), [`read_body`] reads at most the limit, [`Inbox::submit`] turns a body into an [`Outcome`]:
//! malformed (400), invalid (422, with the form to show again), too many from one address (429), spam (the same 303,
//! nothing stored) or stored (303, only once the inquiry is on disk).
//!
//! Client addresses live only in memory, for the rate limit, and are forgotten after the window. Nothing here
//! prints: the server logs only ids and counts, never what a person wrote.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, Location, Result};
use crate::forms::{FormView, Malformed, Message, Values};
use crate::store::Store;

/// The largest body accepted, in bytes.
pub const BODY_LIMIT: usize = 16 * 1024;
/// The rate limit's window.
pub const WINDOW: Duration = Duration::from_mins(10);
/// The only content type accepted.
pub const FORM_TYPE: &str = "application/x-www-form-urlencoded";

/// Why a request is refused before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a form post (415).
    NotAForm,
    /// The body is larger than [`BODY_LIMIT`] (413).
    TooLarge,
}

/// Check the headers: a form, no larger than the limit. `length` is the `Content-Length` when given.
pub fn check_request(content_type: Option<&str>, length: Option<usize>) -> Result<(), Refusal> {
    let media = content_type
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if !media.is_some_and(|m| m.eq_ignore_ascii_case(FORM_TYPE)) {
        return Err(Refusal::NotAForm);
    }
    if length.is_some_and(|n| n > BODY_LIMIT) {
        return Err(Refusal::TooLarge);
    }
    Ok(())
}

/// Read the body, at most [`BODY_LIMIT`] bytes plus one to notice a longer one, so a large body is never read
/// into memory. `Ok(None)` when it is too large.
pub fn read_body(body: impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    body.take(BODY_LIMIT as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= BODY_LIMIT).then_some(bytes))
}

/// The address a request came from. Behind a reverse proxy on the same machine every peer is the proxy, so when
/// the peer is a loopback address the last `X-Forwarded-For` entry (the one the proxy added) is used instead.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
    if peer.is_loopback()
        && let Some(last) = forwarded_for.and_then(|list| list.rsplit(',').next())
        && let Ok(address) = last.trim().parse::<IpAddr>()
    {
        return address;
    }
    peer
}

/// What to answer.
#[derive(Debug)]
pub enum Outcome {
    /// Stored durably under this id: 303 to the thank-you page.
    Stored(String),
    /// The honeypot was filled: the same 303, nothing stored. Holds the number of spam posts so far.
    Spam(u64),
    /// Not a readable form: 400.
    Malformed(Malformed),
    /// Something to fix: 422 with the form again.
    Invalid(FormView),
    /// Too many inquiries from one address: 429 with the form again and the phone number.
    TooMany(FormView),
    /// The inquiry could not be stored: 500 with the form again and the phone number; the error is for the log.
    NotStored(FormView, Error),
}

/// The contact endpoint's state: the store, the rate limit, the spam counter.
pub struct Inbox {
    store: Store,
    limit: RateLimit,
    spam: AtomicU64,
    phone: String,
}

impl Inbox {
    /// The inbox of a site: its store (relative paths are inside `root`) and limit from `[contact]`. The store must
    /// not be inside the output folder `output`.
    pub fn new(config: &Config, root: &Path, output: &Path) -> Result<Inbox> {
        let path = root.join(&config.contact.store);
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        if absolute(&path).starts_with(absolute(output)) {
            let message = "inquiries must not be stored inside the output folder, where they would be published: set `store` under [contact] to a path such as \"data/submissions.jsonl\"";
            return Err(Error::Config {
                at: Location::file("config.toml"),
                message: message.into(),
            });
        }
        let recipient = (!config.contact.recipient.is_empty())
            .then(|| crate::keys::recipient(&config.contact.recipient).ok())
            .flatten();
        Ok(Inbox {
            store: Store::new(path, recipient).shown_as(config.contact.store.clone()),
            limit: RateLimit::new(config.contact.rate_limit, WINDOW),
            spam: AtomicU64::new(0),
            phone: config.center.phone.clone(),
        })
    }

    /// The store, to tell whether it is encrypted and where it is.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handle one submitted body from `client`.
    pub fn submit(&self, body: &[u8], client: IpAddr) -> Outcome {
        let values = match Values::decode(body) {
            Ok(values) => values,
            Err(malformed) => return Outcome::Malformed(malformed),
        };
        if values.is_spam() {
            if !self.limit.take(client, Instant::now()) {
                let lang = values.lang.clone();
                return Outcome::TooMany(self.too_many(Values {
                    lang,
                    ..Values::default()
                }));
            }
            return Outcome::Spam(self.spam.fetch_add(1, Ordering::Relaxed) + 1);
        }
        let form = match values.clone().validate() {
            Ok(form) => form,
            Err(errors) => return Outcome::Invalid(FormView::with_errors(&errors)),
        };
        if !self.limit.take(client, Instant::now()) {
            return Outcome::TooMany(self.too_many(values));
        }
        match self.store.append(&form) {
            Ok(id) => Outcome::Stored(id),
            Err(err) => {
                let notice = crate::forms::message(Message::NotStored(&self.phone), &values.lang);
                Outcome::NotStored(FormView::with_values(values).with_notice(notice), err)
            }
        }
    }

    fn too_many(&self, values: Values) -> FormView {
        let notice = crate::forms::message(Message::TooMany(&self.phone), &values.lang);
        FormView::with_values(values).with_notice(notice)
    }
}

/// At most `max` inquiries per client per window, in memory only; 0 turns it off. IPv6 clients are counted per
/// /64 network, since one home or phone usually has a whole /64.
pub struct RateLimit {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimit {
    /// A limit of `max` per `window`.
    pub fn new(max: u32, window: Duration) -> RateLimit {
        RateLimit {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Count one inquiry from `client` at `now`, unless it already sent `max` within the window (then `false`).
    pub fn take(&self, client: IpAddr, now: Instant) -> bool {
        if self.max == 0 {
            return true;
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() > 4096 {
            // Forget addresses whose inquiries are all older than the window, so memory stays small.
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let times = seen.entry(network(client)).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.max as usize {
            return false;
        }
        times.push_back(now);
        true
    }
}

fn network(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::from(segments)
        }
        v4 @ IpAddr::V4(_) => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &[u8] = b"name=Sam&phone=5555550100&consent=yes";

    fn inbox(dir: &Path, limit: u32) -> Inbox {
        let mut config = Config::default();
        config.contact.rate_limit = limit;
        config.center.phone = "(555) 555-0100".into();
        Inbox::new(&config, dir, &dir.join("public")).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_small_forms_are_read() {
        let form = Some("application/x-www-form-urlencoded; charset=UTF-8");
        assert_eq!(check_request(form, Some(10)), Ok(()));
        assert_eq!(check_request(form, None), Ok(()));
        assert_eq!(
            check_request(Some("text/plain"), Some(1)),
            Err(Refusal::NotAForm)
        );
        assert_eq!(check_request(None, Some(1)), Err(Refusal::NotAForm));
        assert_eq!(
            check_request(Some("multipart/form-data; boundary=x"), None),
            Err(Refusal::NotAForm)
        );
        assert_eq!(
            check_request(form, Some(BODY_LIMIT + 1)),
            Err(Refusal::TooLarge)
        );
        assert_eq!(
            read_body(&vec![b'a'; BODY_LIMIT][..])
                .unwrap()
                .unwrap()
                .len(),
            BODY_LIMIT
        );
        assert_eq!(read_body(&vec![b'a'; BODY_LIMIT + 1][..]).unwrap(), None);
    }

    #[test]
    fn forwarded_addresses_are_trusted_only_from_the_local_proxy() {
        let from = Some("203.0.113.9, 198.51.100.7");
        assert_eq!(client_address(ip("127.0.0.1"), from), ip("198.51.100.7"));
        assert_eq!(client_address(ip("192.0.2.1"), from), ip("192.0.2.1"));
        assert_eq!(client_address(ip("::1"), Some("junk")), ip("::1"));
        assert_eq!(client_address(ip("127.0.0.1"), None), ip("127.0.0.1"));
    }

    #[test]
    fn the_limit_counts_per_address_and_forgets_after_the_window() {
        let limit = RateLimit::new(2, WINDOW);
        let start = Instant::now();
        assert!(limit.take(ip("192.0.2.1"), start));
        assert!(limit.take(ip("192.0.2.1"), start));
        assert!(!limit.take(ip("192.0.2.1"), start));
        assert!(
            limit.take(ip("192.0.2.2"), start),
            "another address has its own count"
        );
        assert!(limit.take(ip("192.0.2.1"), start + WINDOW));
        let off = RateLimit::new(0, WINDOW);
        assert!((0..100).all(|_| off.take(ip("192.0.2.1"), start)));
    }

    #[test]
    fn ipv6_is_counted_per_64_network() {
        let limit = RateLimit::new(1, WINDOW);
        let now = Instant::now();
        assert!(limit.take(ip("2001:db8:1:2::1"), now));
        assert!(!limit.take(ip("2001:db8:1:2::ffff"), now));
        assert!(limit.take(ip("2001:db8:1:3::1"), now));
    }

    #[test]
    fn outcomes_of_submissions() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = inbox(dir.path(), 1);
        let client = ip("192.0.2.1");
        assert!(matches!(
            inbox.submit(b"name=%FF", client),
            Outcome::Malformed(_)
        ));
        let Outcome::Invalid(view) = inbox.submit(b"name=&message=kept", client) else {
            panic!()
        };
        assert_eq!(view.values.message, "kept");
        assert!(matches!(
            inbox.submit(b"website=x", client),
            Outcome::Spam(1)
        ));
        assert!(
            !dir.path().join("data").exists(),
            "spam and invalid forms store nothing"
        );
        assert!(matches!(
            inbox.submit(GOOD, ip("192.0.2.9")),
            Outcome::Stored(_)
        ));
        let Outcome::TooMany(view) = inbox.submit(GOOD, ip("192.0.2.9")) else {
            panic!()
        };
        assert!(view.notice.contains("(555) 555-0100"));
        let text = std::fs::read_to_string(dir.path().join("data/submissions.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn a_store_that_cannot_be_written_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data"), "a file where the folder should be").unwrap();
        let inbox = inbox(dir.path(), 0);
        let Outcome::NotStored(view, _) = inbox.submit(GOOD, ip("192.0.2.1")) else {
            panic!()
        };
        assert!(view.notice.contains("was not sent"));
        assert_eq!(view.values.name, "Sam");
    }

    #[test]
    fn the_store_may_not_be_inside_the_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.contact.store = "site/data.jsonl".into();
        assert!(Inbox::new(&config, dir.path(), &dir.path().join("site")).is_err());
    }
}
