//! `POST /contact` over HTTP: the transport around [`crate::contact`]. Reads the headers and at most
//! [`contact::BODY_LIMIT`] bytes of body, hands the body to the [`Inbox`], and turns the [`Outcome`] into a response:
//! 303 to the thank-you page, or the contact page rendered again by the theme (422, 429, 500), or a short plain
//! answer (400, 413, 415). Every answer says `Cache-Control: no-store`, since it may hold what a person wrote.
//!
//! The log gets only `contact: stored inquiry <id>` and the spam count; never a field.

use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use tiny_http::{Request, ResponseBox};

use super::http::{add, text};
use crate::config::Config;
use crate::contact::{self, Inbox, Outcome, Refusal};
use crate::forms::FormView;
use crate::notify::Notifier;
use crate::render::PageRenderer;

/// What the last good build gave the endpoint: the page renderer and the `[contact]` settings.
struct Current {
    pages: PageRenderer,
    page: String,
    thanks: String,
    phone: String,
}

/// The endpoint's state. The inbox (store, rate limit, spam count) is made at the first good build and kept for
/// the life of the server; the pages and settings follow every good build.
#[derive(Default)]
pub(crate) struct ContactState {
    inbox: OnceLock<Inbox>,
    /// Tells staff about each stored inquiry (set at start when `[notify]` sends anything).
    pub(crate) notifier: OnceLock<Arc<Notifier>>,
    current: RwLock<Option<Arc<Current>>>,
}

impl ContactState {
    /// After a good build: keep its pages; make the inbox the first time (warning when inquiries would be stored
    /// unencrypted or readable by others).
    pub(crate) fn update(
        &self,
        config: &Config,
        root: &std::path::Path,
        output: &std::path::Path,
        pages: PageRenderer,
    ) {
        if self.inbox.get().is_none() {
            match Inbox::new(config, root, output) {
                Ok(inbox) => {
                    warn_about(&inbox, &config.contact.store);
                    let _ = self.inbox.set(inbox);
                }
                Err(err) => eprintln!(
                    "error: {err:#} (the contact form is off until this is fixed and the server restarted)"
                ),
            }
        }
        let current = Current {
            pages,
            page: config.contact.page.clone(),
            thanks: config.contact.thanks.clone(),
            phone: config.center.phone.clone(),
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(current));
    }

    fn current(&self) -> Option<Arc<Current>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn warn_about(inbox: &Inbox, shown: &std::path::Path) {
    let store = inbox.store();
    let path = shown.display();
    if !store.is_encrypted() {
        eprintln!(
            "warning: contact-form inquiries will be stored unencrypted in {path}. To lock them, run `iopsite keygen` on your own computer and put the public key in config.toml as `recipient` under [contact]."
        );
    }
    if store.is_readable_by_others() {
        eprintln!(
            "warning: {path} can be read by other user accounts on this machine: run `chmod 600 {path}`."
        );
    }
}

/// Answer one `POST /contact`.
pub(crate) fn respond(request: &mut Request, state: &ContactState) -> ResponseBox {
    let (Some(inbox), Some(current)) = (state.inbox.get(), state.current()) else {
        let body = "The contact form is not available right now. Please call us instead.\n";
        return text(503, "text/plain; charset=utf-8", body);
    };
    let content_type = header(request, "Content-Type");
    if let Err(refusal) = contact::check_request(content_type.as_deref(), request.body_length()) {
        return refused(refusal, &current.phone);
    }
    let body = match contact::read_body(request.as_reader()) {
        Ok(Some(body)) => body,
        Ok(None) => return refused(Refusal::TooLarge, &current.phone),
        Err(_) => return plain(400, "The form could not be read", &current.phone),
    };
    let peer = request.remote_addr().map_or(
        std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::SocketAddr::ip,
    );
    let client = contact::client_address(peer, header(request, "X-Forwarded-For").as_deref());
    // The form's language (its hidden `lang` field): the page shown again and the thank-you page are in it, when
    // they are translated.
    let lang = crate::forms::Values::decode(&body)
        .map(|values| values.lang)
        .unwrap_or_default();
    let translated = |path: &str| {
        current
            .pages
            .translation(path, &lang)
            .unwrap_or(path)
            .to_string()
    };
    let paths = (translated(&current.page), translated(&current.thanks));
    answer(
        inbox.submit(&body, client),
        &current,
        &paths,
        state.notifier.get(),
    )
}

/// `paths`: the form's page and the thank-you page, in the form's language.
fn answer(
    outcome: Outcome,
    current: &Current,
    (page_path, thanks): &(String, String),
    notifier: Option<&Arc<Notifier>>,
) -> ResponseBox {
    match outcome {
        Outcome::Stored(id) => {
            println!("contact: stored inquiry {id}");
            if let Some(notifier) = notifier {
                // Only hands the id to the worker, in memory: the mail server is the worker's business.
                notifier.queue(&id);
            }
            see_other(thanks)
        }
        Outcome::Spam(count) => {
            println!("contact: spam caught ({count} so far)");
            see_other(thanks)
        }
        Outcome::Malformed(why) => plain(400, &capitalized(&why.to_string()), &current.phone),
        Outcome::Invalid(view) => page(422, &view, current, page_path),
        Outcome::TooMany(view) => page(429, &view, current, page_path),
        Outcome::NotStored(view, err) => {
            // The error names the file and the system's reason; it never holds what the person wrote.
            let reason = std::error::Error::source(&err).map(|cause| format!(" ({cause})"));
            eprintln!(
                "contact: could not store an inquiry: {err}{}",
                reason.unwrap_or_default()
            );
            page(500, &view, current, page_path)
        }
    }
}

/// The form's page again, rendered by the theme with `form`; plain text if the page cannot be rendered.
fn page(status: u16, view: &FormView, current: &Current, path: &str) -> ResponseBox {
    let mut extra = tera::Context::new();
    extra.insert("form", view);
    match current.pages.render(path, extra) {
        Some(Ok(html)) => text(status, "text/html; charset=utf-8", html),
        other => {
            if let Some(Err(err)) = other {
                eprintln!("contact: the form's page {path} could not be rendered: {err}");
            }
            let mut lines: Vec<String> = view
                .error_list
                .iter()
                .map(|item| item.message.clone())
                .collect();
            lines.push(view.notice.clone());
            lines.push(format!(
                "Please go back and try again, or call us at {}.",
                current.phone
            ));
            text(
                status,
                "text/plain; charset=utf-8",
                lines.join("\n").trim().to_string() + "\n",
            )
        }
    }
}

fn refused(refusal: Refusal, phone: &str) -> ResponseBox {
    match refusal {
        Refusal::NotAForm => plain(415, "This address accepts only the contact form", phone),
        Refusal::TooLarge => add(
            plain(
                413,
                "The form is too large: a message can be at most 1,000 characters",
                phone,
            ),
            "Connection",
            "close",
        ),
    }
}

fn plain(status: u16, what: &str, phone: &str) -> ResponseBox {
    let body = format!("{what}. Please go back and try again, or call us at {phone}.\n");
    text(status, "text/plain; charset=utf-8", body)
}

fn see_other(to: &str) -> ResponseBox {
    add(
        text(
            303,
            "text/plain; charset=utf-8",
            format!("Thank you. See {to}\n"),
        ),
        "Location",
        to,
    )
}

fn header(request: &Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
