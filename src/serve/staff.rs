//! `/staff/`: the staff inbox over HTTP. Off (404) until the site has a staff account. Opens only over HTTPS
//! through a proxy on this machine (`X-Forwarded-Proto: https` from loopback), or from this machine itself.
//!
//! Every answer: `Cache-Control: no-store`, a CSP that allows only this origin and no framing, no referrer. Every
//! `POST` must come from this origin (`Origin`), and once signed in carry the session's CSRF token. Sessions live in
//! memory ([`Sessions`]), sign-in failures are throttled ([`Throttle`]), and each sign-in, failed sign-in, view,
//! status change and deletion goes to the audit log. Encrypted inquiries are sent to the page as they are stored;
//! `staff.js` opens them in the browser with the staff member's key, which never reaches the server. The log gets
//! names, ids and addresses, never what a person wrote.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tiny_http::{Method, Request, ResponseBox};

use super::http::{add, text};
use crate::config::Config;
use crate::render::escape;
use crate::staff::accounts::Accounts;
use crate::staff::records::{Records, Status};
use crate::staff::sessions::{Ended, Sessions, same_token};
use crate::staff::throttle::{Lockout, Throttle};
use crate::state::State;
use crate::store::{self, Record};

/// The page script (age decryption, idle timer), built from `staff-ui/`.
const SCRIPT: &str = include_str!("staff/staff.js");
/// The pages' stylesheet (inline styles are not allowed by the CSP).
const STYLE: &str = include_str!("staff/staff.css");
/// The tab's icon: a plain envelope.
const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect x=\"1\" y=\"3\" width=\"14\" height=\"10\" fill=\"#0b57a4\"/><path d=\"M1 3l7 6 7-6\" fill=\"none\" stroke=\"#fff\"/></svg>";
/// The session cookie; `__Host-` makes the browser require `Secure`, `Path=/` and no `Domain`.
const COOKIE: &str = "__Host-iopsite-staff";
/// The largest form body read.
const BODY_LIMIT: u64 = 4 * 1024;
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The inbox's state for the life of the server.
pub(crate) struct StaffState {
    db: PathBuf,
    db_shown: PathBuf,
    store: PathBuf,
    store_shown: PathBuf,
    state: OnceLock<Arc<State>>,
    sessions: Sessions,
    throttle: Throttle,
    idle: Duration,
    hours: u64,
}

impl StaffState {
    /// The inbox of a site: its records beside `[contact] store`. Nothing is opened until an account exists.
    pub(crate) fn new(config: &Config, root: &Path) -> StaffState {
        let idle = Duration::from_mins(config.staff.idle_minutes);
        StaffState {
            db: State::path_for(&root.join(&config.contact.store)),
            db_shown: State::path_for(&config.contact.store),
            store: root.join(&config.contact.store),
            store_shown: config.contact.store.clone(),
            state: OnceLock::new(),
            sessions: Sessions::new(idle, Duration::from_hours(config.staff.session_hours)),
            hours: config.staff.session_hours,
            throttle: Throttle::default(),
            idle,
        }
    }

    /// The records, once `iopsite staff add` has made them.
    fn state(&self) -> Option<&State> {
        if self.state.get().is_none() && self.db.exists() {
            match State::open(&self.db, &self.db_shown) {
                Ok(state) => {
                    let _ = self.state.set(Arc::new(state));
                }
                Err(err) => eprintln!("staff: {err}"),
            }
        }
        self.state.get().map(AsRef::as_ref)
    }
}

/// What one request is, once read.
struct Asked<'a> {
    method: Method,
    path: &'a str,
    client: IpAddr,
    origin: String,
    headers: HashMap<String, String>,
}

/// Answer a request under `/staff`.
pub(crate) fn respond(request: &mut Request, staff: &StaffState) -> ResponseBox {
    let response = answer(request, staff);
    [
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", CSP),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    .into_iter()
    .fold(response, |r, (name, value)| add(r, name, value))
}

fn answer(request: &mut Request, staff: &StaffState) -> ResponseBox {
    let Some(state) = staff.state() else {
        return not_found();
    };
    if Accounts::new(state).count().unwrap_or(0) == 0 {
        return not_found();
    }
    let headers: HashMap<String, String> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let peer = request.remote_addr().map_or(
        std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::SocketAddr::ip,
    );
    let Some(origin) = secure_origin(peer, &headers) else {
        return page(
            403,
            "Not available",
            "<h1>The staff inbox opens only over HTTPS</h1><p>Open it through the website's secure address (https://), or ask the person who runs the server to set up the secure proxy described in the README.</p>",
            true,
            0,
        );
    };
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if path == "/staff" {
        return add(
            text(301, "text/plain; charset=utf-8", "Moved to /staff/\n"),
            "Location",
            "/staff/",
        );
    }
    let Some(path) = path.strip_prefix("/staff/") else {
        return not_found();
    };
    if path.starts_with('/')
        || path.contains("..")
        || path.contains('%')
        || path.contains("//")
        || path.contains('\\')
    {
        return text(400, "text/plain; charset=utf-8", "Bad request\n");
    }
    let client =
        crate::contact::client_address(peer, headers.get("x-forwarded-for").map(String::as_str));
    let asked = Asked {
        method: request.method().clone(),
        path,
        client,
        origin,
        headers,
    };
    if asked.method == Method::Post {
        if !same_origin(&asked) {
            return plain(
                403,
                "This form must be sent from the staff inbox's own pages. Open /staff/ and try again.",
            );
        }
        let Some(form) = read_form(request) else {
            return plain(400, "The form could not be read.");
        };
        return post(&asked, &form, staff, state);
    }
    if !matches!(asked.method, Method::Get | Method::Head) {
        return add(
            plain(405, "Method not allowed."),
            "Allow",
            "GET, HEAD, POST",
        );
    }
    get(&asked, staff, state)
}

/// The page's origin when the request arrived securely: through a TLS proxy on this machine, or from this machine
/// to a local address. `X-Forwarded-Proto` is trusted only from loopback, as `X-Forwarded-For` is.
fn secure_origin(peer: IpAddr, headers: &HashMap<String, String>) -> Option<String> {
    let host = headers.get("host")?.trim();
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
    {
        return None;
    }
    if !peer.is_loopback() {
        return None;
    }
    let proto = headers
        .get("x-forwarded-proto")
        .map(|p| p.trim().to_ascii_lowercase());
    if proto.as_deref() == Some("https") {
        return Some(format!("https://{host}"));
    }
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    crate::config::is_loopback(name).then(|| format!("http://{host}"))
}

/// Whether a `POST` came from this origin's own pages. Browsers send `Origin: null` for a same-origin form when the
/// page's referrer policy is `no-referrer` (as here): then `Sec-Fetch-Site: same-origin`, which no page can set,
/// must say so. A request with neither (not from a browser page of ours) is refused.
fn same_origin(asked: &Asked<'_>) -> bool {
    match asked.headers.get("origin").map(String::as_str) {
        Some("null") => {
            asked.headers.get("sec-fetch-site").map(String::as_str) == Some("same-origin")
        }
        Some(origin) => origin == asked.origin,
        None => false,
    }
}

fn read_form(request: &mut Request) -> Option<HashMap<String, String>> {
    let mut body = Vec::new();
    request
        .as_reader()
        .take(BODY_LIMIT + 1)
        .read_to_end(&mut body)
        .ok()?;
    if body.len() as u64 > BODY_LIMIT {
        return None;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .map(|pairs| pairs.into_iter().collect())
}

/// The signed-in session of this request, if any.
fn session(
    asked: &Asked<'_>,
    staff: &StaffState,
    state: &State,
) -> Result<(String, crate::staff::sessions::Session), Ended> {
    let cookies = asked.headers.get("cookie").map_or("", String::as_str);
    let id = cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .ok_or(Ended::Unknown)?;
    let session = staff.sessions.get(&id, Instant::now())?;
    if !Accounts::new(state).exists(&session.name).unwrap_or(false) {
        staff.sessions.end_all_of(&session.name);
        return Err(Ended::Unknown);
    }
    Ok((id, session))
}

fn get(asked: &Asked<'_>, staff: &StaffState, state: &State) -> ResponseBox {
    match asked.path {
        "staff.js" => return text(200, "text/javascript; charset=utf-8", SCRIPT),
        "staff.css" => return text(200, "text/css; charset=utf-8", STYLE),
        // Its own icon, so the browser does not ask for /favicon.ico (which the site may not have).
        "icon.svg" => return text(200, "image/svg+xml", ICON),
        _ => {}
    }
    let signed_in = session(asked, staff, state);
    let Ok((_, session)) = signed_in else {
        let note = match signed_in {
            Err(Ended::Idle) => format!(
                "You were signed out after {} minutes without activity. Please sign in again.",
                staff.idle.as_secs() / 60
            ),
            Err(Ended::TooOld) => format!(
                "You were signed out after {} hours. Please sign in again.",
                staff.hours
            ),
            _ => String::new(),
        };
        return sign_in_page(200, &note);
    };
    let idle = staff.idle.as_secs();
    let records = Records::new(state);
    match asked.path {
        "" => list_page(staff, &records, &session.name, &session.csrf, idle),
        "export" => export(staff, &records, &session.name),
        path => {
            let Some((id, rest)) = inquiry_path(path) else {
                return not_found();
            };
            let Some(record) = find(staff, id) else {
                return page(
                    404,
                    "Not found",
                    "<h1>There is no such inquiry</h1><p>It may have been deleted. <a href=\"/staff/\">Back to the inquiries</a></p>",
                    false,
                    idle,
                );
            };
            match rest {
                "" => {
                    let _ = records.audit(&session.name, "view", Some(id), "");
                    inquiry_page(&record, &records, &session.csrf, idle)
                }
                "/delete" => delete_page(id, &session.csrf, idle),
                _ => not_found(),
            }
        }
    }
}

fn post(
    asked: &Asked<'_>,
    form: &HashMap<String, String>,
    staff: &StaffState,
    state: &State,
) -> ResponseBox {
    if asked.path == "sign-in" {
        return sign_in(asked, form, staff, state);
    }
    let Ok((id, session)) = session(asked, staff, state) else {
        return sign_in_page(401, "Please sign in again: your session has ended.");
    };
    let token_ok = form
        .get("csrf")
        .is_some_and(|token| same_token(token, &session.csrf));
    if !token_ok {
        return plain(
            403,
            "This form has expired. Go back to /staff/, reload the page and try again.",
        );
    }
    let records = Records::new(state);
    if asked.path == "sign-out" {
        staff.sessions.end(&id);
        let _ = records.audit(&session.name, "sign-out", None, "");
        println!("staff: {} signed out", session.name);
        let response = page(
            200,
            "Signed out",
            "<h1>You are signed out</h1><p>The key you opened is forgotten in this tab. <a href=\"/staff/\">Sign in again</a></p>",
            true,
            0,
        );
        let response = add(
            response,
            "Set-Cookie",
            &format!("{COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict"),
        );
        return add(response, "Clear-Site-Data", "\"cache\", \"storage\"");
    }
    let Some((inquiry, action)) = inquiry_path(asked.path) else {
        return not_found();
    };
    if find(staff, inquiry).is_none() {
        return plain(404, "There is no such inquiry: it may have been deleted.");
    }
    match action {
        "/status" => {
            let Some(status) = form.get("status").and_then(|s| Status::parse(s)) else {
                return plain(400, "Choose new, contacted or closed.");
            };
            if let Err(err) = records.set_status(inquiry, status, &session.name) {
                eprintln!("staff: {err}");
                return plain(500, "The status could not be saved. Please try again.");
            }
            see_other(&format!("/staff/inquiry/{inquiry}"))
        }
        "/delete" if form.get("confirm").map(String::as_str) == Some("yes") => {
            match records.delete(inquiry, &session.name, &staff.store, &staff.store_shown) {
                Ok(_) => {
                    println!("staff: {} deleted inquiry {inquiry}", session.name);
                    see_other("/staff/")
                }
                Err(err) => {
                    eprintln!("staff: could not delete inquiry {inquiry}: {err}");
                    plain(
                        500,
                        "The inquiry could not be deleted; nothing was changed. Please try again.",
                    )
                }
            }
        }
        "/delete" => plain(400, "Tick the box to confirm the deletion."),
        _ => not_found(),
    }
}

fn sign_in(
    asked: &Asked<'_>,
    form: &HashMap<String, String>,
    staff: &StaffState,
    state: &State,
) -> ResponseBox {
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    let (name, password, code) = (field("name").trim(), field("password"), field("code"));
    let shown_name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    let now = Instant::now();
    if let Some(wait) = staff.throttle.wait(name, asked.client, now) {
        let message = format!(
            "Too many tries. Please wait {} and try again, or ask the person who manages accounts.",
            if wait.as_secs() >= 60 {
                format!("{} minutes", wait.as_secs().div_ceil(60))
            } else {
                format!("{} seconds", wait.as_secs().max(1))
            }
        );
        return sign_in_page(429, &message);
    }
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let accounts = Accounts::new(state);
    let records = Records::new(state);
    match accounts.sign_in(name, password, code, unix) {
        Ok(true) => {
            staff.throttle.succeeded(name);
            let (id, _) = staff.sessions.start(name, now);
            let _ = records.audit(name, "sign-in", None, &asked.client.to_string());
            println!("staff: {name} signed in from {}", asked.client);
            let cookie = format!("{COOKIE}={id}; Path=/; Secure; HttpOnly; SameSite=Strict");
            add(see_other("/staff/"), "Set-Cookie", &cookie)
        }
        Ok(false) => {
            let _ = records.audit(
                &shown_name,
                "sign-in-failed",
                None,
                &asked.client.to_string(),
            );
            eprintln!(
                "staff: failed sign-in for \"{shown_name}\" from {}",
                asked.client
            );
            for lockout in staff.throttle.failed(name, asked.client, now) {
                match lockout {
                    Lockout::Name(name) => eprintln!(
                        "staff: the name \"{}\" is locked out for 15 minutes after repeated failed sign-ins",
                        name.chars()
                            .filter(|c| !c.is_control())
                            .take(64)
                            .collect::<String>()
                    ),
                    Lockout::Address(address) => eprintln!(
                        "staff: the address {address} is locked out for 15 minutes after repeated failed sign-ins"
                    ),
                }
            }
            sign_in_page(
                401,
                "The name, password or code is not right. Please try again.",
            )
        }
        Err(err) => {
            eprintln!("staff: {err}");
            sign_in_page(
                500,
                "Signing in is not possible right now. Please try again in a minute.",
            )
        }
    }
}

/// `inquiry/ID` or `inquiry/ID/ACTION` → (ID, `""` or `/ACTION`), for ids as the store makes them.
fn inquiry_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("inquiry/")?;
    let (id, action) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    let is_id = id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    is_id.then_some((id, action))
}

fn find(staff: &StaffState, id: &str) -> Option<Record> {
    store::records(&staff.store, &staff.store_shown)
        .ok()?
        .0
        .into_iter()
        .find(|r| r.id() == id)
}

fn list_page(
    staff: &StaffState,
    records: &Records<'_>,
    name: &str,
    csrf: &str,
    idle: u64,
) -> ResponseBox {
    let (list, damaged) = match store::records(&staff.store, &staff.store_shown) {
        Ok(found) => found,
        Err(err) => {
            eprintln!("staff: {err}");
            return page(
                500,
                "Inquiries",
                "<h1>The inquiries could not be read</h1><p>Please try again in a minute.</p>",
                false,
                idle,
            );
        }
    };
    let statuses = records.statuses().unwrap_or_default();
    let mut body = format!(
        "<h1>Inquiries</h1><p>Signed in as {}.</p>{}",
        escape(name),
        sign_out_form(csrf)
    );
    if list.iter().any(|r| matches!(r, Record::Clear(_))) {
        body.push_str("<p class=\"warning\">These inquiries are not encrypted at rest on the server. Ask the person who runs the website to set a key (see the README, “Lock inquiries with a key”).</p>");
    }
    if damaged > 0 {
        let _ = write!(
            body,
            "<p class=\"warning\">{damaged} stored lines could not be read and are not shown.</p>"
        );
    }
    body.push_str("<p><a href=\"/staff/export\" download>Download all inquiries</a> (one file, as stored: encrypted ones stay encrypted; read it with <code>iopsite submissions --file inquiries.jsonl --identity KEYFILE</code>). Downloads are recorded in the audit log.</p>");
    if list.is_empty() {
        body.push_str("<p>No inquiries yet.</p>");
    } else {
        body.push_str("<table><caption>Newest first</caption><thead><tr><th scope=\"col\">Received (UTC)</th><th scope=\"col\">Status</th><th scope=\"col\">Changed by</th><th scope=\"col\">Inquiry</th></tr></thead><tbody>");
        for record in &list {
            let marked = statuses.get(record.id());
            let (status, by) = marked.map_or(("new".to_string(), String::new()), |m| {
                (
                    m.status.as_str().to_string(),
                    format!("{} at {}", m.by, readable(&m.at)),
                )
            });
            let _ = write!(
                body,
                "<tr><td>{}</td><td class=\"status-{status}\">{status}</td><td>{}</td><td><a href=\"/staff/inquiry/{id}\">Open inquiry {short}</a></td></tr>",
                readable(record.time()),
                escape(&by),
                id = escape(record.id()),
                short = escape(&record.id()[..8]),
            );
        }
        body.push_str("</tbody></table>");
    }
    page(200, "Inquiries", &body, false, idle)
}

/// Every inquiry as stored, one JSON line each, as a download that `iopsite submissions --file` reads (with
/// `--identity` for encrypted ones, which stay encrypted here).
fn export(staff: &StaffState, records: &Records<'_>, name: &str) -> ResponseBox {
    match store::read_text(&staff.store, &staff.store_shown) {
        Ok(stored) => {
            let count = stored.lines().filter(|l| !l.trim().is_empty()).count();
            let _ = records.audit(name, "export", None, &format!("{count} inquiries"));
            println!("staff: {name} exported {count} inquiries");
            let response = text(200, "application/x-ndjson; charset=utf-8", stored);
            add(
                response,
                "Content-Disposition",
                "attachment; filename=\"inquiries.jsonl\"",
            )
        }
        Err(err) => {
            eprintln!("staff: {err}");
            plain(
                500,
                "The inquiries could not be read. Please try again in a minute.",
            )
        }
    }
}

fn inquiry_page(record: &Record, records: &Records<'_>, csrf: &str, idle: u64) -> ResponseBox {
    let id = escape(record.id());
    let marked = records.statuses().unwrap_or_default().remove(record.id());
    let status = marked.as_ref().map_or("new", |m| m.status.as_str());
    let mut body = format!(
        "{}<p><a href=\"/staff/\">← All inquiries</a></p><h1>Inquiry received {}</h1><p>Status: <strong>{status}</strong>{}</p>",
        sign_out_form(csrf),
        readable(record.time()),
        marked
            .map(|m| format!(" (set by {} at {})", escape(&m.by), readable(&m.at)))
            .unwrap_or_default()
    );
    match record {
        Record::Clear(inquiry) => {
            body.push_str("<dl>");
            let form = &inquiry.form;
            let rows = [
                ("Name", form.name.clone()),
                ("Phone", form.phone.clone()),
                ("Email", form.email.clone()),
                (
                    "Prefers",
                    form.preferred
                        .map_or("Not said".into(), |p| format!("{p:?}")),
                ),
                ("Safe times to contact", form.safe_times.clone()),
                ("Voicemail", format!("{:?}", form.voicemail)),
                (
                    "For",
                    form.for_whom.map_or("Not said".into(), |w| {
                        if matches!(w, crate::forms::ForWhom::Myself) {
                            "Themselves".into()
                        } else {
                            "Someone else".into()
                        }
                    }),
                ),
                ("Message", form.message.clone()),
            ];
            for (label, value) in rows {
                let value = if value.is_empty() {
                    "Not given".to_string()
                } else {
                    value
                };
                let _ = write!(
                    body,
                    "<dt>{label}</dt><dd class=\"{}\">{}</dd>",
                    if label == "Message" { "message" } else { "" },
                    escape(&value)
                );
            }
            body.push_str("</dl>");
        }
        Record::Sealed { time, age, .. } => {
            body.push_str("<noscript><p class=\"warning\">This inquiry is encrypted: JavaScript is needed to open it with your key.</p></noscript>");
            body.push_str("<div id=\"key-panel\" hidden><label for=\"key-file\">Open your key file (it stays on this computer)</label> <input type=\"file\" id=\"key-file\"><p id=\"key-error\" role=\"alert\"></p></div><p><button type=\"button\" id=\"forget-key\" hidden>Forget key</button></p>");
            let _ = write!(
                body,
                "<article class=\"sealed\" data-id=\"{id}\" data-time=\"{}\"><pre class=\"sealed-age\" hidden>{}</pre><dl class=\"sealed-fields\"></dl><p class=\"sealed-error\" role=\"alert\" hidden></p></article>",
                escape(time),
                escape(age)
            );
        }
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/staff/inquiry/{id}/status\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><fieldset><legend>Mark this inquiry</legend><button name=\"status\" value=\"contacted\">Contacted</button> <button name=\"status\" value=\"closed\">Closed</button> <button name=\"status\" value=\"new\">New</button></fieldset></form><p><a href=\"/staff/inquiry/{id}/delete\">Delete this inquiry…</a></p>",
        csrf = escape(csrf)
    );
    page(200, "Inquiry", &body, false, idle)
}

fn delete_page(id: &str, csrf: &str, idle: u64) -> ResponseBox {
    let body = format!(
        "{}<h1>Delete this inquiry?</h1><p>It is removed from the server for good. The audit log keeps that you deleted it.</p><form method=\"post\" action=\"/staff/inquiry/{id}/delete\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><p><input type=\"checkbox\" id=\"confirm\" name=\"confirm\" value=\"yes\" required> <label for=\"confirm\">Yes, delete inquiry {id}</label></p><button>Delete</button> <a href=\"/staff/inquiry/{id}\">Cancel</a></form>",
        sign_out_form(csrf),
        id = escape(id),
        csrf = escape(csrf)
    );
    page(200, "Delete inquiry", &body, false, idle)
}

fn sign_out_form(csrf: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/staff/sign-out\" data-sign-out><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button>Sign out</button></form>",
        escape(csrf)
    )
}

fn sign_in_page(status: u16, note: &str) -> ResponseBox {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("<p class=\"warning\" role=\"alert\">{}</p>", escape(note))
    };
    let body = format!(
        "<h1>Staff sign-in</h1>{note}<form method=\"post\" action=\"/staff/sign-in\"><p><label for=\"name\">Name</label><br><input id=\"name\" name=\"name\" autocomplete=\"username\" required maxlength=\"64\"></p><p><label for=\"password\">Password</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"128\"></p><p><label for=\"code\">6-digit code from your authenticator app</label><br><input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required maxlength=\"8\"></p><button>Sign in</button></form>"
    );
    page(status, "Staff sign-in", &body, true, 0)
}

fn page(status: u16, title: &str, body: &str, forget: bool, idle: u64) -> ResponseBox {
    let forget = if forget { " data-forget" } else { "" };
    let idle = if idle > 0 {
        format!(" data-idle-seconds=\"{idle}\"")
    } else {
        String::new()
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{} | Staff inbox</title><link rel=\"icon\" href=\"/staff/icon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/staff/staff.css\"><script src=\"/staff/staff.js\" defer></script></head><body{forget}{idle}><main>{body}</main></body></html>",
        escape(title)
    );
    text(status, "text/html; charset=utf-8", html)
}

fn plain(status: u16, message: &str) -> ResponseBox {
    page(
        status,
        "Problem",
        &format!(
            "<h1>Something needs attention</h1><p>{}</p><p><a href=\"/staff/\">Back to the staff inbox</a></p>",
            escape(message)
        ),
        false,
        0,
    )
}

fn not_found() -> ResponseBox {
    text(404, "text/plain; charset=utf-8", "Not found\n")
}

fn see_other(to: &str) -> ResponseBox {
    add(
        text(303, "text/plain; charset=utf-8", format!("See {to}\n")),
        "Location",
        to,
    )
}

/// `2026-11-30T23:58:07Z` as `2026-11-30 23:58`.
fn readable(time: &str) -> String {
    escape(&time.get(..16).unwrap_or(time).replace('T', " "))
}
