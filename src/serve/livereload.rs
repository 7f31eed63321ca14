//! Live reload: tells open pages that the site was rebuilt, and carries what the browser shows when a build fails.
//!
//! Input: a bump after every build (from `serve`). Output: answers to long-poll requests, and the script that asks
//! them (served at `/__iopsite/livereload.js`; `overlay` puts its tag into pages). Nothing here is ever written into
//! the output folder.
//!
//! **Long polling, not server-sent events.** `tiny_http` sends a body of unknown length through a chunked encoder
//! that buffers 8 KiB and flushes only when the body ends, so an event stream would sit in that buffer; SSE would
//! mean taking over the raw socket. A long poll is a plain request and response: `GET /__iopsite/events?since=N`
//! is answered at once when generation N is old, else when the next build finishes, else after [`POLL_TIMEOUT`].
//! A waiting request holds no worker thread: it is parked here as a callback and answered by one notifier thread,
//! so twenty tabs cost twenty parked requests, and a closed tab's request is dropped at its deadline at the latest.
//! In the browser, tabs of one site elect one of them (Web Locks) to poll and pass events on (`BroadcastChannel`),
//! which keeps twenty tabs within the browser's six connections per host.
//!
//! Every answer names the server run (`server`), so a page notices a restarted server and reloads itself.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a poll waits for a build before it is answered with "nothing new" (the browser then asks again).
pub(crate) const POLL_TIMEOUT: Duration = Duration::from_secs(25);

/// The browser side: polls, reloads the page or swaps the stylesheets, hides the overlay on request.
pub(crate) const SCRIPT: &str = include_str!("livereload.js");

/// What a page at some generation should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Nothing changed since the page was served.
    None,
    /// Only stylesheets changed: swap them in place.
    Css,
    /// Load the page again.
    Reload,
}

/// One answer to a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    /// This server run.
    pub(crate) server: String,
    /// The newest build.
    pub(crate) generation: u64,
    /// The newest build that changed more than stylesheets.
    pub(crate) full: u64,
    /// What the asking page should do.
    pub(crate) action: Action,
}

impl Event {
    /// The JSON the script reads.
    pub(crate) fn to_json(&self) -> String {
        let action = match self.action {
            Action::None => "none",
            Action::Css => "css",
            Action::Reload => "reload",
        };
        serde_json::json!({
            "server": self.server, "generation": self.generation, "full": self.full, "action": action,
        })
        .to_string()
    }
}

/// What a page served at generation `since` by server run `server` should do now.
pub(crate) fn action(
    page_server: &str,
    since: u64,
    server: &str,
    generation: u64,
    full: u64,
) -> Action {
    if page_server != server || full > since {
        Action::Reload
    } else if generation > since {
        Action::Css
    } else {
        Action::None
    }
}

type Reply = Box<dyn FnOnce(Event) + Send>;

struct Waiter {
    page_server: String,
    since: u64,
    deadline: Instant,
    reply: Reply,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    full: u64,
    waiters: Vec<Waiter>,
}

/// The build counter and the polls waiting on it.
pub(crate) struct Reload {
    server: String,
    timeout: Duration,
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl Reload {
    /// A counter for server run `server`; polls wait at most `timeout`.
    pub(crate) fn new(server: String, timeout: Duration) -> Reload {
        Reload {
            server,
            timeout,
            inner: Mutex::default(),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// This server run and the current generation, for the script tag of a page being served.
    pub(crate) fn current(&self) -> (&str, u64) {
        (&self.server, self.lock().generation)
    }

    /// A build finished (its files are in place): wake every poll. `css_only` when only stylesheets changed.
    pub(crate) fn bump(&self, css_only: bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        if !css_only {
            inner.full = inner.generation;
        }
        drop(inner);
        self.changed.notify_all();
    }

    /// Answer a poll: at once if the page is out of date (or `wait` is false), else later from [`Reload::run`].
    pub(crate) fn poll(&self, page_server: &str, since: u64, wait: bool, reply: Reply) {
        let mut inner = self.lock();
        let event = self.event(&inner, page_server, since);
        if event.action != Action::None || !wait {
            drop(inner);
            reply(event);
            return;
        }
        inner.waiters.push(Waiter {
            page_server: page_server.to_string(),
            since,
            deadline: Instant::now() + self.timeout,
            reply,
        });
        drop(inner);
        self.changed.notify_all();
    }

    fn event(&self, inner: &Inner, page_server: &str, since: u64) -> Event {
        Event {
            server: self.server.clone(),
            generation: inner.generation,
            full: inner.full,
            action: action(
                page_server,
                since,
                &self.server,
                inner.generation,
                inner.full,
            ),
        }
    }

    /// The notifier: answers waiting polls when a build finishes or their deadline passes. Runs forever.
    pub(crate) fn run(&self) {
        loop {
            let due = self.wait_for_due();
            for (event, reply) in due {
                reply(event);
            }
        }
    }

    /// Block until at least one waiter is due, then take the due ones out (answered outside the lock).
    fn wait_for_due(&self) -> Vec<(Event, Reply)> {
        let mut inner = self.lock();
        loop {
            let now = Instant::now();
            let (due, waiting): (Vec<Waiter>, Vec<Waiter>) = std::mem::take(&mut inner.waiters)
                .into_iter()
                .partition(|w| {
                    w.deadline <= now
                        || self.event(&inner, &w.page_server, w.since).action != Action::None
                });
            inner.waiters = waiting;
            if !due.is_empty() {
                return due
                    .into_iter()
                    .map(|w| (self.event(&inner, &w.page_server, w.since), w.reply))
                    .collect();
            }
            let sleep = inner
                .waiters
                .iter()
                .map(|w| w.deadline.saturating_duration_since(now))
                .min()
                .unwrap_or(self.timeout);
            inner = self
                .changed
                .wait_timeout(inner, sleep)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc;

    #[test]
    fn actions_follow_generations_and_server_runs() {
        assert_eq!(action("a", 3, "a", 3, 3), Action::None);
        assert_eq!(action("a", 3, "a", 4, 3), Action::Css);
        assert_eq!(action("a", 3, "a", 5, 4), Action::Reload);
        assert_eq!(
            action("old", 3, "a", 3, 3),
            Action::Reload,
            "restarted server"
        );
    }

    fn channel_reply() -> (Reply, mpsc::Receiver<Event>) {
        let (tx, rx) = mpsc::channel();
        (Box::new(move |e| tx.send(e).unwrap()), rx)
    }

    #[test]
    fn an_out_of_date_poll_is_answered_at_once() {
        let reload = Reload::new("s".into(), POLL_TIMEOUT);
        reload.bump(false);
        let (reply, rx) = channel_reply();
        reload.poll("s", 0, true, reply);
        assert_eq!(rx.try_recv().unwrap().action, Action::Reload);
    }

    #[test]
    fn a_waiting_poll_ends_at_its_deadline() {
        let reload = Arc::new(Reload::new("s".into(), Duration::from_millis(100)));
        let notifier = Arc::clone(&reload);
        std::thread::spawn(move || notifier.run());
        let (reply, rx) = channel_reply();
        reload.poll("s", 0, true, reply);
        let timed_out = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(timed_out.action, Action::None, "a closed tab's poll ends");
    }

    #[test]
    fn twenty_waiting_polls_are_all_woken_by_one_build() {
        let reload = Arc::new(Reload::new("s".into(), POLL_TIMEOUT));
        let notifier = Arc::clone(&reload);
        std::thread::spawn(move || notifier.run());
        let receivers: Vec<_> = (0..20)
            .map(|_| {
                let (reply, rx) = channel_reply();
                reload.poll("s", 0, true, reply);
                rx
            })
            .collect();
        reload.bump(true);
        for rx in receivers {
            let event = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!((event.action, event.generation), (Action::Css, 1));
        }
    }
}
