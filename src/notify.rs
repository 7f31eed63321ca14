//! Telling admissions staff that an inquiry arrived, within a minute, without ever holding up the visitor and
//! without losing a notice.
//!
//! ```text
//! POST /contact ─ stored (fsync) ─▶ Notifier::queue: the id in memory ─ wake ─▶ worker thread
//! worker: ids ─▶ outbox rows (SQLite, one transaction per batch); for each channel with pending rows, at most one
//!         notice per `group_seconds`: send ─▶ sent | retry later | refused
//! ```
//!
//! The visitor's answer waits for nothing of this: not the mail server, not the webhook, not even a second fsync
//! for the outbox row. The store is what makes a notice durable: an inquiry is on disk before its 303, and at every
//! start the worker adds a row for each stored inquiry (received since notices were turned on) that has none, from
//! the ids and times the store keeps in clear. So a restart or a SIGKILL, before or after the row was written,
//! loses no notice. A temporary failure is tried again with a growing pause (at most a minute apart, so a mail
//! server that comes back gets every pending notice within a minute); a permanent refusal is logged with the
//! other side's answer and kept for `iopsite notify status`, not tried forever. A notice names ids and times only.

mod outbox;
mod send;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use outbox::{Channel, ChannelStatus, Outbox, Pending};
pub use send::{Delivery, Notice, SIGNATURE_HEADER, signature};

use crate::config::{Config, SMTP_PASSWORD_ENV};
use crate::error::{Error, Location, Result};
use crate::state::State;
use send::{Email, Webhook};

/// The longest pause between two tries of a failing channel.
const RETRY_MAX: Duration = Duration::from_mins(1);

/// The first pause after a failed try; it doubles with each failure up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(5);

/// The notices of one site: where they go, and the outbox that keeps them until they went.
pub struct Notifier {
    state: Arc<State>,
    email: Option<Email>,
    webhook: Option<Webhook>,
    group: Duration,
    store: PathBuf,
    /// The staff inbox's address (used once the site has a staff account).
    inbox: String,
    /// Inquiries stored since the worker last looked (id, received at).
    queued: Mutex<Vec<(String, String)>>,
    /// Set by [`Notifier::queue`]; the worker waits on it.
    woken: Mutex<bool>,
    wake: Condvar,
    /// An outbox row could not be written: add the missing rows from the store on the next round.
    behind: AtomicBool,
}

impl Notifier {
    /// The notifier of a site, or `None` when `[notify]` sends nothing. `root` is the site folder; `env` reads an
    /// environment variable (the SMTP password, the webhook secret). A missing secret is an error located at its
    /// key in config.toml, so the server does not start without it.
    pub fn new(
        config: &Config,
        root: &Path,
        state: Arc<State>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Notifier>> {
        let notify = &config.notify;
        if !notify.is_on() {
            return Ok(None);
        }
        let missing = |at: &Option<Location>, message: String| Error::Config {
            at: at.clone().unwrap_or_else(|| Location::file("config.toml")),
            message,
        };
        let email = if notify.email_on() {
            let password = if notify.smtp_user.is_empty() {
                None
            } else {
                Some(env(SMTP_PASSWORD_ENV).filter(|p| !p.is_empty()).ok_or_else(|| {
                    missing(
                        &notify.lines.smtp_user,
                        format!(
                            "smtp_user is set, so the mail server's password is read from the environment variable {SMTP_PASSWORD_ENV}, which is not set: set it where the server is started (never in config.toml)"
                        ),
                    )
                })?)
            };
            let email = Email::new(notify, password)
                .map_err(|message| missing(&notify.lines.smtp_user, message))?;
            Some(email)
        } else {
            None
        };
        let webhook = if notify.webhook_on() {
            let secret = if notify.webhook_secret_env.is_empty() {
                None
            } else {
                let name = &notify.webhook_secret_env;
                Some(env(name).filter(|s| !s.is_empty()).ok_or_else(|| {
                    missing(
                        &notify.lines.webhook_secret_env,
                        format!(
                            "the webhook's secret is read from the environment variable {name}, which is not set: set it where the server is started, or remove webhook_secret_env"
                        ),
                    )
                })?)
            };
            Some(Webhook::new(notify, secret.map(String::into_bytes)))
        } else {
            None
        };
        Ok(Some(Notifier {
            state,
            email,
            webhook,
            group: Duration::from_secs(notify.group_seconds),
            store: root.join(&config.contact.store),
            inbox: format!("{}/staff/", config.base_url),
            queued: Mutex::new(Vec::new()),
            woken: Mutex::new(false),
            wake: Condvar::new(),
            behind: AtomicBool::new(false),
        }))
    }

    /// The channels in use.
    pub fn channels(&self) -> Vec<Channel> {
        let mut channels = Vec::new();
        if self.email.is_some() {
            channels.push(Channel::Email);
        }
        if self.webhook.is_some() {
            channels.push(Channel::Webhook);
        }
        channels
    }

    /// Hand inquiry `id` (stored just now) to the worker. Touches no disk and never waits: the stored inquiry is
    /// what makes its notice durable.
    pub fn queue(&self, id: &str) {
        let now = crate::store::now();
        self.queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((id.to_string(), now));
        self.wake();
    }

    /// Write the queued inquiries' outbox rows. If that fails, they are added from the store on the next round.
    fn take_queued(&self) {
        let queued =
            std::mem::take(&mut *self.queued.lock().unwrap_or_else(PoisonError::into_inner));
        if queued.is_empty() {
            return;
        }
        if let Err(err) = Outbox::new(&self.state).add(&queued, &self.channels()) {
            eprintln!(
                "notify: could not write {} notices to the outbox ({err}); they will be added from the store",
                queued.len()
            );
            self.behind.store(true, Ordering::Relaxed);
        }
    }

    fn wake(&self) {
        *self.woken.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.notify_one();
    }

    /// Send the pending notices now and from then on, in a thread of its own.
    pub fn start(self: &Arc<Self>) {
        let notifier = Arc::clone(self);
        std::thread::spawn(move || notifier.run());
    }

    fn run(&self) {
        self.catch_up();
        let mut channels: Vec<ChannelClock> =
            self.channels().into_iter().map(ChannelClock::new).collect();
        loop {
            let now = Instant::now();
            // Outbox rows are written only when a channel may send: during a burst that is once per
            // `group_seconds`, not once per inquiry (the store keeps them durable meanwhile).
            if channels
                .iter()
                .any(|clock| clock.may_send(self.group).is_none_or(|at| at <= now))
            {
                self.take_queued();
                if self.behind.swap(false, Ordering::Relaxed) {
                    self.catch_up();
                }
            }
            let next = channels
                .iter_mut()
                .filter_map(|clock| match clock.may_send(self.group) {
                    Some(later) if later > now => Some(later),
                    _ => self.round(clock, now),
                })
                .min()
                .unwrap_or(now + RETRY_MAX);
            let woken = self.woken.lock().unwrap_or_else(PoisonError::into_inner);
            let wait = next.saturating_duration_since(Instant::now());
            let (mut woken, _) = self
                .wake
                .wait_timeout_while(woken, wait, |woken| !*woken)
                .unwrap_or_else(PoisonError::into_inner);
            *woken = false;
        }
    }

    /// Add the outbox rows a crash may have kept from being written.
    fn catch_up(&self) {
        let stored = match crate::store::received(&self.store) {
            Ok(stored) => stored,
            Err(err) => {
                eprintln!(
                    "notify: could not read the inquiry ids to check for missed notices: {err}"
                );
                return;
            }
        };
        let now = crate::store::now();
        for channel in self.channels() {
            match Outbox::new(&self.state).catch_up(&stored, channel, &now) {
                Ok(0) => {}
                Ok(n) => println!(
                    "notify: {n} inquiries had no {} notice yet; sending it",
                    channel.name()
                ),
                Err(err) => eprintln!("notify: {err}"),
            }
        }
    }

    /// One channel's turn, when it may send: send its pending notices, and say when to look again.
    fn round(&self, clock: &mut ChannelClock, now: Instant) -> Option<Instant> {
        let outbox = Outbox::new(&self.state);
        let pending = match outbox.pending(clock.channel) {
            Ok(pending) => pending,
            Err(err) => {
                eprintln!("notify: {err}");
                return Some(now + RETRY_FIRST);
            }
        };
        if pending.is_empty() {
            return None;
        }
        let ids: Vec<String> = pending.iter().map(|p| p.id.clone()).collect();
        let notice = self.notice(&pending, false);
        let name = clock.channel.name();
        let about = about(&ids);
        let delivery = self.send(clock.channel, &notice);
        let recorded = match &delivery {
            Delivery::Sent(answer) => {
                println!("notify: {name} about {about} sent ({answer})");
                clock.sent = Some(now);
                clock.retry = None;
                outbox.finish(clock.channel, &ids, true, answer, &crate::store::now())
            }
            Delivery::Retry(answer) => {
                let tries = pending.iter().map(|p| p.attempts).max().unwrap_or(0) + 1;
                let pause = retry_pause(tries);
                eprintln!(
                    "notify: {name} about {about} could not be sent ({answer}); trying again in {} s",
                    pause.as_secs()
                );
                clock.retry = Some(now + pause);
                outbox.retry_later(clock.channel, &ids, answer)
            }
            Delivery::Refused(answer) => {
                eprintln!(
                    "error: notify: the {name} about {about} was refused ({answer}). It will not be tried again: check [notify] in config.toml, then run `iopsite notify test`; `iopsite notify status` lists refused notices"
                );
                clock.sent = Some(now);
                outbox.finish(clock.channel, &ids, false, answer, &crate::store::now())
            }
        };
        if let Err(err) = recorded {
            eprintln!("notify: {err}");
        }
        Some(clock.retry.unwrap_or(now + self.group))
    }

    fn notice(&self, pending: &[Pending], test: bool) -> Notice {
        Notice {
            inquiries: pending
                .iter()
                .map(|p| (p.id.clone(), p.received_at.clone()))
                .collect(),
            read_at: self.read_at(pending),
            test,
        }
    }

    /// Where staff read the inquiries: the staff inbox (the inquiry's own page for one) once the site has a staff
    /// account, otherwise the command to run on the server.
    fn read_at(&self, pending: &[Pending]) -> String {
        let has_inbox = crate::staff::accounts::Accounts::new(&self.state)
            .count()
            .is_ok_and(|n| n > 0);
        match pending {
            _ if !has_inbox => {
                "on the website's server, in the site's folder, run: iopsite submissions".into()
            }
            [one] => format!("{}inquiry/{} (sign in first)", self.inbox, one.id),
            _ => format!("{} (sign in first)", self.inbox),
        }
    }

    fn send(&self, channel: Channel, notice: &Notice) -> Delivery {
        let refused = || Delivery::Refused(format!("{} is not configured", channel.name()));
        match channel {
            Channel::Email => self.email.as_ref().map_or_else(refused, |e| e.send(notice)),
            Channel::Webhook => self
                .webhook
                .as_ref()
                .map_or_else(refused, |w| w.send(notice)),
        }
    }

    /// Send one test notice on every channel now, and return each answer (`iopsite notify test`).
    pub fn send_test(&self) -> Vec<(Channel, Delivery)> {
        let test = Pending {
            id: "00000000-0000-4000-8000-000000000000".into(),
            received_at: crate::store::now(),
            attempts: 0,
        };
        let notice = self.notice(&[test], true);
        self.channels()
            .into_iter()
            .map(|channel| (channel, self.send(channel, &notice)))
            .collect()
    }
}

/// When a channel last sent, and when it may try again after a failure.
struct ChannelClock {
    channel: Channel,
    sent: Option<Instant>,
    retry: Option<Instant>,
}

impl ChannelClock {
    fn new(channel: Channel) -> ChannelClock {
        ChannelClock {
            channel,
            sent: None,
            retry: None,
        }
    }

    /// The first moment the channel may send again: `group` after the last notice, and not before a failed
    /// try's pause is over (`None`: it may send now).
    fn may_send(&self, group: Duration) -> Option<Instant> {
        [self.sent.map(|t| t + group), self.retry]
            .into_iter()
            .flatten()
            .max()
    }
}

/// The pause after `tries` failed tries: 5 s, 10 s, 20 s, 40 s, then a minute.
fn retry_pause(tries: u32) -> Duration {
    let doubled = RETRY_FIRST.saturating_mul(1 << tries.saturating_sub(1).min(10));
    doubled.min(RETRY_MAX)
}

/// "inquiry ID" or "3 inquiries".
fn about(ids: &[String]) -> String {
    match ids {
        [one] => format!("inquiry {one}"),
        many => format!("{} inquiries", many.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_to_a_minute() {
        let secs: Vec<u64> = (1..=7).map(|n| retry_pause(n).as_secs()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 60, 60, 60]);
        assert_eq!(retry_pause(u32::MAX), RETRY_MAX);
    }

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("config.toml")).unwrap()
    }

    fn notifier(text: &str, env: &[(&str, &str)]) -> Result<Option<Notifier>> {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(&dir.path().join("s.sqlite3"), Path::new("s")).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        Notifier::new(&config(text), dir.path(), Arc::new(state), move |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn notices_point_at_the_staff_inbox_once_it_has_an_account() {
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(State::open(&dir.path().join("s.sqlite3"), Path::new("s")).unwrap());
        let text = "base_url = \"https://example.org\"\n[notify]\nwebhook_url = \"https://h.example.org/\"\n";
        let notifier = Notifier::new(&config(text), dir.path(), Arc::clone(&state), |_| None)
            .unwrap()
            .unwrap();
        let one = |id: &str| Pending {
            id: id.into(),
            received_at: "T".into(),
            attempts: 0,
        };
        assert!(
            notifier
                .read_at(&[one("a")])
                .contains("run: iopsite submissions")
        );
        crate::staff::accounts::Accounts::new(&state)
            .add("maria", "a long enough password", "C")
            .unwrap();
        assert_eq!(
            notifier.read_at(&[one("a")]),
            "https://example.org/staff/inquiry/a (sign in first)"
        );
        assert_eq!(
            notifier.read_at(&[one("a"), one("b")]),
            "https://example.org/staff/ (sign in first)"
        );
    }

    const EMAIL: &str = "[notify]\nemail_to = [\"a@example.org\"]\nemail_from = \"w@example.org\"\nsmtp_host = \"smtp.example.org\"\nsmtp_user = \"w@example.org\"\n";

    #[test]
    fn secrets_come_from_the_environment_or_the_server_does_not_start() {
        assert!(notifier("", &[]).unwrap().is_none(), "off by default");
        let err = notifier(EMAIL, &[]).err().unwrap().to_string();
        assert!(
            err.starts_with("config.toml:5: smtp_user is set, so the mail server's password is read from the environment variable IOPSITE_SMTP_PASSWORD, which is not set"),
            "{err}"
        );
        assert!(
            notifier(EMAIL, &[(SMTP_PASSWORD_ENV, "")]).is_err(),
            "empty counts as missing"
        );
        let on = notifier(EMAIL, &[(SMTP_PASSWORD_ENV, "pw")])
            .unwrap()
            .unwrap();
        assert_eq!(on.channels(), [Channel::Email]);
        let hook =
            "[notify]\nwebhook_url = \"https://h.example.org/\"\nwebhook_secret_env = \"HOOK\"\n";
        let err = notifier(hook, &[]).err().unwrap().to_string();
        assert!(
            err.starts_with(
                "config.toml:3: the webhook's secret is read from the environment variable HOOK"
            ),
            "{err}"
        );
        assert!(notifier(hook, &[("HOOK", "s")]).unwrap().is_some());
    }
}
