//! The HTTP side of `serve`: what a request asks for ([`route`], [`resolve`]: pure, unit-tested) and the response
//! that answers it (from the files on disk in the output folder, with the live-reload tags added to HTML).
//!
//! Nothing outside the output folder is ever served: `..`, `%2e%2e`, `%2f`, backslashes, NUL bytes, empty
//! segments (`//host`), and symbolic links that lead outside get 400 or 404. It knows nothing of builds or watching.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use tiny_http::{Header, Method, Request, Response, ResponseBox};

use super::Shared;
use super::livereload::{self, Event};
use super::overlay;

/// What a request asks for, decided from its method and address alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// A file of the built site (`GET` or `HEAD`).
    Site,
    /// The live-reload script.
    Script,
    /// The overlay's stylesheet.
    OverlayStyle,
    /// The suggestions panel's stylesheet.
    PanelStyle,
    /// A live-reload poll.
    Events(Poll),
    /// `POST /contact`: the contact form's endpoint (answered in `serve::contact`).
    Contact,
    /// Anything under `/staff`: the staff inbox (answered in `serve::staff`, which checks the method).
    Staff,
    /// A method this address does not accept.
    MethodNotAllowed,
}

/// The question of a live-reload poll: "I was served by `server` at `since`; tell me when that is old".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Poll {
    /// The server run that served the page.
    pub(crate) server: String,
    /// The build generation the page was served at.
    pub(crate) since: u64,
    /// Wait for a build (false: answer at once).
    pub(crate) wait: bool,
}

/// Route a request. `/__iopsite/…` exists only with live reload (`live`).
pub(crate) fn route(method: &Method, url: &str, live: bool) -> Route {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    match (method, path) {
        (Method::Get | Method::Head, "/__iopsite/livereload.js") if live => Route::Script,
        (Method::Get | Method::Head, "/__iopsite/overlay.css") if live => Route::OverlayStyle,
        (Method::Get | Method::Head, "/__iopsite/panel.css") if live => Route::PanelStyle,
        (Method::Get, "/__iopsite/events") if live => Route::Events(Poll::parse(query)),
        (Method::Post, "/contact") => Route::Contact,
        (_, "/staff") => Route::Staff,
        (_, staff) if staff.starts_with("/staff/") => Route::Staff,
        (Method::Get | Method::Head, _) => Route::Site,
        _ => Route::MethodNotAllowed,
    }
}

impl Poll {
    fn parse(query: &str) -> Poll {
        let mut poll = Poll {
            server: String::new(),
            since: 0,
            wait: true,
        };
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode_str(value).decode_utf8_lossy();
            match key {
                "server" => poll.server = value.into_owned(),
                "since" => poll.since = value.parse().unwrap_or(0),
                "wait" => poll.wait = value != "0",
                _ => {}
            }
        }
        poll
    }
}

/// What a `Location` header cannot hold as it is: control characters, spaces and (as bytes) anything not ASCII.
const LOCATION: &AsciiSet = &CONTROLS.add(b' ');

/// Where an address of the site leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// This file (its real path, inside the output folder).
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect here.
    Redirect(String),
    /// Nothing there (or it leads outside the output folder).
    NotFound,
    /// The address itself is not acceptable.
    BadRequest,
}

/// Find the file an address names inside `root`: `/x/` is `x/index.html`, `/x` is `x` or a redirect to `/x/`.
pub(crate) fn resolve(root: &Path, url: &str) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let Some(segments) = segments(path) else {
        return Resolved::BadRequest;
    };
    let Ok(root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let wanted: PathBuf = segments.iter().fold(root.clone(), |p, s| p.join(s));
    let Some(found) = inside(&root, &wanted) else {
        return Resolved::NotFound;
    };
    if found.is_dir() {
        if !path.ends_with('/') {
            return Resolved::Redirect(redirect_target(url, path));
        }
        return match inside(&root, &found.join("index.html")) {
            Some(index) if index.is_file() => Resolved::File(index),
            _ => Resolved::NotFound,
        };
    }
    if path.ends_with('/') || !found.is_file() {
        return Resolved::NotFound;
    }
    Resolved::File(found)
}

/// The decoded segments of an absolute path, or `None` when one could step outside the folder or is not a name.
fn segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix('/')?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Some(Vec::new());
    }
    rest.split('/')
        .map(|raw| {
            let name = percent_decode_str(raw).decode_utf8().ok()?;
            let bad = name.is_empty()
                || name == "."
                || name == ".."
                || name.contains(['/', '\\', '\0', ':']);
            (!bad).then(|| name.into_owned())
        })
        .collect()
}

/// The real path of `path` if it exists and is inside `root` (after following symbolic links).
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

/// `/x?q` → `/x/?q`. The path was checked by [`segments`], so it cannot start with `//` and lead to another host;
/// anything not plain ASCII is percent-encoded so the `Location` header is valid.
fn redirect_target(url: &str, path: &str) -> String {
    let target = format!("{path}/{}", &url[path.len()..]);
    utf8_percent_encode(&target, LOCATION).to_string()
}

/// Answer one request.
pub(crate) fn handle(mut request: Request, shared: &Arc<Shared>) {
    let route = route(request.method(), request.url(), shared.live.is_some());
    if let (Route::Events(poll), Some(live)) = (&route, &shared.live) {
        let headers = shared.headers();
        let reply = Box::new(move |event: Event| {
            let response = text(200, "application/json", event.to_json());
            let _ = request.respond(with_headers(response, &headers, "no-store"));
        });
        live.poll(&poll.server, poll.since, poll.wait, reply);
        return;
    }
    let response = match route {
        Route::Script => text(200, "text/javascript; charset=utf-8", livereload::SCRIPT),
        Route::OverlayStyle => text(200, "text/css; charset=utf-8", overlay::STYLE),
        Route::PanelStyle => text(200, "text/css; charset=utf-8", super::panel::STYLE),
        Route::MethodNotAllowed => method_not_allowed(),
        Route::Contact => {
            // What a person wrote may be in the answer: never cached anywhere.
            let response = super::contact::respond(&mut request, &shared.contact);
            let _ = request.respond(with_headers(response, &shared.headers(), "no-store"));
            return;
        }
        Route::Staff => {
            // The inbox sets its own headers (no-store, its CSP); with none (the preview's build failed to read
            // config.toml) it does not exist.
            let response = match shared.staff.get() {
                Some(staff) => super::staff::respond(&mut request, staff),
                None => text(404, "text/plain; charset=utf-8", "Not found\n"),
            };
            let _ = request.respond(response);
            return;
        }
        Route::Site | Route::Events(_) => site(&request, shared),
    };
    let response = with_headers(response, &shared.headers(), "no-cache");
    let _ = request.respond(response);
}

/// A file of the built site, the 404 page, a redirect, or the error page while no build has worked yet.
fn site(request: &Request, shared: &Shared) -> ResponseBox {
    let status = shared.status();
    if !status.built {
        let page = shared.live.as_ref().map_or_else(String::new, |live| {
            let (server, generation) = live.current();
            overlay::error_page(server, generation, &status.problems)
        });
        return text(500, "text/html; charset=utf-8", page);
    }
    let _site = shared.reading();
    match resolve(&shared.output, request.url()) {
        Resolved::File(path) => {
            let panel = shared.panel(request.url());
            file(&path, 200, shared, &status.problems, panel.as_deref())
        }
        Resolved::Redirect(to) => redirect(&to),
        Resolved::BadRequest => text(400, "text/plain; charset=utf-8", "Bad request\n"),
        Resolved::NotFound => not_found(shared, request.url(), &status.problems),
    }
}

/// The 404 page in the language of the address asked for (`/es/…`: `es/404.html`, when the site has it).
fn not_found(shared: &Shared, url: &str, problems: &[overlay::Problem]) -> ResponseBox {
    let first = url.trim_start_matches('/').split(['/', '?', '#']).next();
    if let Some(lang) = first.filter(|part| crate::config::is_language_code(part))
        && let Resolved::File(path) = resolve(&shared.output, &format!("/{lang}/404.html"))
    {
        return file(&path, 404, shared, problems, None);
    }
    match resolve(&shared.output, "/404.html") {
        Resolved::File(path) => file(&path, 404, shared, problems, None),
        _ => text(404, "text/plain; charset=utf-8", "Not found\n"),
    }
}

/// A file from disk; HTML gets the live-reload script (and the overlay while the last build failed, and the
/// suggestions `panel` of its page when it has one).
fn file(
    path: &Path,
    status: u16,
    shared: &Shared,
    problems: &[overlay::Problem],
    panel: Option<&str>,
) -> ResponseBox {
    let content_type = content_type(path);
    let (Some(live), true) = (&shared.live, content_type.starts_with("text/html")) else {
        return match fs::File::open(path) {
            Ok(file) => add(
                Response::from_file(file).with_status_code(status).boxed(),
                "Content-Type",
                &content_type,
            ),
            Err(_) => text(404, "text/plain; charset=utf-8", "Not found\n"),
        };
    };
    let (server, generation) = live.current();
    let mut html = String::new();
    if fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut html))
        .is_err()
    {
        return text(404, "text/plain; charset=utf-8", "Not found\n");
    }
    if let Some(panel) = panel {
        html = super::panel::inject(&html, panel);
    }
    text(
        status,
        &content_type,
        overlay::inject(&html, server, generation, problems),
    )
}

/// The `Content-Type` for a file: guessed from its extension, with `charset=utf-8` for text.
pub(crate) fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "svg"
        )
        || mime
            .suffix()
            .is_some_and(|s| s == mime_guess::mime::XML || s == mime_guess::mime::JSON);
    if textual && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

pub(super) fn text(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> ResponseBox {
    add(
        Response::from_data(body.into())
            .with_status_code(status)
            .boxed(),
        "Content-Type",
        content_type,
    )
}

fn redirect(to: &str) -> ResponseBox {
    add(
        text(301, "text/plain; charset=utf-8", format!("Moved to {to}\n")),
        "Location",
        to,
    )
}

fn method_not_allowed() -> ResponseBox {
    add(
        text(405, "text/plain; charset=utf-8", "Method not allowed\n"),
        "Allow",
        "GET, HEAD",
    )
}

fn with_headers(
    response: ResponseBox,
    security: &[(&'static str, String)],
    cache: &str,
) -> ResponseBox {
    security
        .iter()
        .fold(add(response, "Cache-Control", cache), |r, (name, value)| {
            add(r, name, value)
        })
}

/// Add a header. Values come from config: one that is not valid header text (non-ASCII) is left out rather than
/// failing the response; the page's own `<meta>` tags still carry the policy.
pub(super) fn add(mut response: ResponseBox, name: &str, value: &str) -> ResponseBox {
    if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        response.add_header(header);
    }
    response
}

#[cfg(test)]
mod tests;
