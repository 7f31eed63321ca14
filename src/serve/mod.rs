//! `iopsite serve`: build + http + watch + livereload, joined by one callback. Nothing else in the crate imports it.
//!
//! ```text
//! SiteWatcher ─ batch of changes ─▶ rebuild: build() → Status { built, problems, headers } → Reload::bump()
//! worker ─ GET /x ─▶ http::resolve in the output folder ─▶ the file (HTML: + script tag, + overlay if problems)
//! worker ─ GET /__iopsite/events ─▶ parked in Reload until the next bump (or 25 s), answered by its notifier
//! ```
//!
//! Serves from disk what `build` wrote (no copy in memory). A failed rebuild keeps the last good files, prints the
//! problems, and shows them in an overlay on every HTML page until a build works again; if no build has worked yet,
//! every address answers an error page. Content mistakes never stop the server. A rebuild holds the site lock while
//! `build` swaps the new files in, so no request ever sees a half-written site, and the browsers are told to reload
//! only afterwards. `--no-watch` serves the built site alone: no watcher, no live reload, no injected code.

mod contact;
mod http;
mod livereload;
mod overlay;
mod panel;
mod staff;
mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, mpsc};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;

use crate::build::incremental::{Preview, Rebuilt};
use crate::build::{BuildOptions, Built, build_keeping_pages};
use crate::config::Config;
use crate::notify::Notifier;
use crate::render::PageRenderer;
use crate::state::State;
use livereload::Reload;
use overlay::Problem;
use watch::{Change, SiteWatcher};

/// How many threads answer requests (live-reload polls wait without holding one).
const WORKERS: usize = 4;

/// How many ports after the asked one are tried when it is taken.
const PORT_TRIES: u16 = 20;

/// What `iopsite serve` does.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The build (site folder, output folder, drafts, overrides).
    pub build: BuildOptions,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port to listen on (0: any free port).
    pub port: u16,
    /// Watch the sources, rebuild on change and reload the browser (false: `--no-watch`).
    pub watch: bool,
}

/// What the last build left for the HTTP side.
#[derive(Debug, Default)]
pub(crate) struct Status {
    /// A build has worked: the output folder holds a good site.
    pub(crate) built: bool,
    /// The problems of the last build, if it failed.
    pub(crate) problems: Vec<Problem>,
    /// The security headers from the last good configuration.
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// What the request threads and the rebuild thread share.
pub(crate) struct Shared {
    /// The output folder, served from disk.
    pub(crate) output: PathBuf,
    /// The live reload (none with `--no-watch`).
    pub(crate) live: Option<Reload>,
    /// The contact form's endpoint: inbox, and the pages of the last good build.
    pub(crate) contact: contact::ContactState,
    /// The staff inbox (set at start when config.toml can be read).
    pub(crate) staff: std::sync::OnceLock<staff::StaffState>,
    /// Held for reading while a file is found and opened, for writing while a build swaps the output folder.
    site: RwLock<()>,
    status: RwLock<Arc<Status>>,
    /// What `check` says about the pages saved since the server started.
    findings: RwLock<panel::Findings>,
}

impl Shared {
    /// The state after the last build.
    pub(crate) fn status(&self) -> Arc<Status> {
        Arc::clone(&self.status.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The security headers every response carries.
    pub(crate) fn headers(&self) -> Vec<(&'static str, String)> {
        self.status().headers.clone()
    }

    /// The suggestions panel of the page at this address, if `check` found something on it.
    pub(crate) fn panel(&self, url: &str) -> Option<String> {
        self.findings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .panel(url)
    }

    /// Hold off rebuilds while a file is found and opened.
    pub(crate) fn reading(&self) -> RwLockReadGuard<'_, ()> {
        self.site.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Nothing built yet; live reload when watching.
    fn new(output: PathBuf, live: bool) -> Shared {
        Shared {
            output,
            live: live.then(|| Reload::new(server_run(), livereload::POLL_TIMEOUT)),
            contact: contact::ContactState::default(),
            staff: std::sync::OnceLock::new(),
            site: RwLock::new(()),
            findings: RwLock::default(),
            status: RwLock::new(Arc::new(Status {
                headers: crate::render::security_headers(&Config::default()),
                ..Status::default()
            })),
        }
    }

    fn set_status(&self, status: Status) {
        *self.status.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(status);
    }
}

/// Serve the site until Ctrl-C.
pub fn serve(options: &ServeOptions) -> anyhow::Result<()> {
    let stop = ctrl_c()?;
    // Before listening: in production a config.toml or [notify] mistake stops the server before it accepts any
    // inquiry; while previewing, a config.toml that cannot be read yet leaves notices and the inbox off (the
    // preview shows why).
    let config = match Config::load(
        &options.build.root.join("config.toml"),
        Path::new("config.toml"),
    ) {
        Ok(config) => Some(config),
        Err(err) if !options.watch => return Err(err.into()),
        Err(_) => None,
    };
    let notifier = match &config {
        Some(config) => start_notifier(config, &options.build.root)?,
        None => None,
    };
    let (listener, address) = bind(options.bind, options.port)?;
    let mut build_options = options.build.clone();
    if options.watch && build_options.overrides.base_url.is_none() {
        // Links and canonical addresses then point at this preview, not at the public site.
        build_options.overrides.base_url = Some(local_url(address));
    }
    let shared = Arc::new(Shared::new(build_options.output.clone(), options.watch));
    if let Some(config) = &config {
        let _ = shared
            .staff
            .set(staff::StaffState::new(config, &build_options.root));
    }
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|err| anyhow::anyhow!("cannot serve on {address}: {err}"))?;
    let server = Arc::new(server);
    announce(address);
    if let Some(notifier) = notifier {
        // The first line printed stays the address; the worker starts once it is out.
        let names: Vec<&str> = notifier.channels().iter().map(|c| c.name()).collect();
        println!(
            "Notices of new inquiries go out by {} (a change to [notify] needs a restart).",
            names.join(" and ")
        );
        notifier.start();
        let _ = shared.contact.notifier.set(notifier);
    }
    if options.watch {
        let watcher = SiteWatcher::new(&build_options.root)?;
        let mut rebuilds = Rebuilds::new(build_options);
        rebuilds.run(&shared, &[]);
        start_workers(&server, &shared);
        start_watching(watcher, &shared, rebuilds);
    } else {
        let Built {
            summary,
            pages,
            config,
            leftover,
            held: _,
        } = build_keeping_pages(&build_options)?;
        leftover.remove()?;
        record_good_build(&shared, &build_options, &config, pages);
        let (pages, ms) = (summary.pages, summary.elapsed.as_millis());
        println!("Built {pages} pages in {ms} ms");
        start_workers(&server, &shared);
    }
    let _ = stop.recv();
    // Let a rebuild that is swapping files in finish first, so the output folder is never left half-written.
    drop(shared.site.write().unwrap_or_else(PoisonError::into_inner));
    println!("Stopped.");
    Ok(())
}

/// Notices to staff, when `[notify]` asks for them, checked (secrets in the environment).
fn start_notifier(config: &Config, root: &Path) -> anyhow::Result<Option<Arc<Notifier>>> {
    if !config.notify.is_on() {
        return Ok(None);
    }
    let state = State::open_for_site(root, &config.contact.store)?;
    let Some(notifier) = Notifier::new(config, root, Arc::new(state), |name| {
        std::env::var(name).ok()
    })?
    else {
        return Ok(None);
    };
    Ok(Some(Arc::new(notifier)))
}

/// Listen on `port`, or on the next free one when it is taken (saying so).
fn bind(ip: IpAddr, port: u16) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let mut tried = port;
    loop {
        match TcpListener::bind((ip, tried)) {
            Ok(listener) => {
                let address = listener.local_addr().context("cannot read the address")?;
                if tried != port {
                    eprintln!(
                        "Port {port} is taken (another program uses it): using {} instead.",
                        address.port()
                    );
                }
                return Ok((listener, address));
            }
            Err(err)
                if err.kind() == std::io::ErrorKind::AddrInUse
                    && port != 0
                    && tried - port < PORT_TRIES =>
            {
                tried += 1;
            }
            Err(err) => {
                return Err(err).with_context(|| format!("cannot listen on {ip} port {tried}"));
            }
        }
    }
}

fn local_url(address: SocketAddr) -> String {
    let host = if address.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        address.ip().to_string()
    };
    match address {
        SocketAddr::V6(_) if !address.ip().is_unspecified() => {
            format!("http://[{host}]:{}", address.port())
        }
        _ => format!("http://{host}:{}", address.port()),
    }
}

/// The first line of output is the address to open (tests read it to find the port).
fn announce(address: SocketAddr) {
    println!("Serving {}/", local_url(address));
    println!("Open that address in your browser. Press Ctrl-C to stop.");
    let _ = std::io::stdout().flush();
}

/// A name for this run of the server, so pages served by an earlier run reload when it restarts.
fn server_run() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{:x}", std::process::id(), nanos)
}

fn start_workers(server: &Arc<tiny_http::Server>, shared: &Arc<Shared>) {
    for _ in 0..WORKERS {
        let (server, shared) = (Arc::clone(server), Arc::clone(shared));
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                http::handle(request, &shared);
            }
        });
    }
    if shared.live.is_some() {
        let shared = Arc::clone(shared);
        std::thread::spawn(move || {
            if let Some(live) = &shared.live {
                live.run();
            }
        });
    }
}

fn start_watching(watcher: SiteWatcher, shared: &Arc<Shared>, mut rebuilds: Rebuilds) {
    let shared = Arc::clone(shared);
    std::thread::spawn(move || watcher.run(|changes| rebuilds.run(&shared, changes)));
}

/// The rebuilds of a watching server: what the last good build read, and the files it wrote (for `check`).
struct Rebuilds {
    options: BuildOptions,
    preview: Preview,
    files: std::collections::HashSet<String>,
}

impl Rebuilds {
    fn new(options: BuildOptions) -> Rebuilds {
        Rebuilds {
            preview: Preview::new(options.clone()),
            options,
            files: std::collections::HashSet::new(),
        }
    }

    /// One rebuild (holding the site lock; only what the changes touch when that is known), record the outcome,
    /// check the saved pages, then tell the browsers.
    fn run(&mut self, shared: &Shared, changes: &[Change]) {
        let paths: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
        let result = {
            let _writing = shared.site.write().unwrap_or_else(PoisonError::into_inner);
            self.preview.rebuild(&paths)
        };
        match result {
            Ok(rebuilt) => self.built(shared, changes, &paths, rebuilt),
            Err(err) => failed(shared, &self.options, changes, &err),
        }
        let _ = std::io::stdout().flush();
    }

    fn built(&mut self, shared: &Shared, changes: &[Change], paths: &[String], rebuilt: Rebuilt) {
        let before = shared.status();
        let options = &self.options;
        let Rebuilt {
            summary,
            pages,
            config,
            leftover,
            incremental,
            added,
            removed,
        } = rebuilt;
        record_good_build(shared, options, &config, pages);
        let (pages, ms) = (summary.pages, summary.elapsed.as_millis());
        let plural = if pages == 1 { "" } else { "s" };
        match (describe(&options.root, changes), incremental) {
            (Some(what), true) if pages == 0 => {
                let files = summary.files;
                let plural = if files == 1 { "" } else { "s" };
                println!(
                    "{what}: copied {files} file{plural} in {ms} ms (no page needed making again)"
                );
            }
            (Some(what), true) => {
                println!("{what}: rebuilt {pages} page{plural} in {ms} ms (only what it changes)");
            }
            (Some(what), false) => println!("{what}: rebuilt {pages} pages in {ms} ms"),
            (None, _) => println!("Built {pages} pages in {ms} ms"),
        }
        if incremental {
            for file in removed {
                self.files.remove(&file);
            }
            self.files.extend(added);
        } else {
            self.files = crate::check::writing::output_files(&options.output);
        }
        let mut saved = paths.to_vec();
        if !incremental {
            let shown = shared
                .findings
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            saved.extend(shown.shown_files());
        }
        self.check(shared, &saved);
        let css_only = !changes.is_empty() && changes.iter().all(|c| c.stylesheet);
        bump(
            shared,
            css_only && before.built && before.problems.is_empty(),
        );
        // Only now, with the browsers told: removing the previous output can take longer than the build.
        if let Some(Err(err)) = leftover.map(crate::output::Leftover::remove) {
            eprintln!("warning: {err:#}");
        }
    }

    /// `check` while writing: the saved pages' findings, for their panel and the terminal (printed when they
    /// changed).
    fn check(&mut self, shared: &Shared, paths: &[String]) {
        let mut pages: Vec<String> = paths
            .iter()
            .filter(|p| p.starts_with("content/") && p.ends_with(".md"))
            .cloned()
            .collect();
        pages.sort();
        pages.dedup();
        let (present, gone): (Vec<String>, Vec<String>) = pages
            .into_iter()
            .partition(|p| self.options.root.join(p).exists());
        let Some(site) = self.preview.site_mut() else {
            return;
        };
        let (root, output) = (&self.options.root, &self.options.output);
        let checked =
            crate::check::writing::check_pages(root, site, output, &present, self.files.clone());
        match checked {
            Ok(checked) => {
                let mut findings = shared
                    .findings
                    .write()
                    .unwrap_or_else(PoisonError::into_inner);
                for line in findings.update(checked, &gone) {
                    println!("{line}");
                }
            }
            Err(err) => eprintln!("warning: the saved page could not be checked: {err:#}"),
        }
    }
}

/// After a failed build: print the problems, keep serving the last good site with the overlay, tell the browsers.
fn failed(shared: &Shared, options: &BuildOptions, changes: &[Change], err: &crate::Error) {
    let before = shared.status();
    let what = describe(&options.root, changes);
    let problems = overlay::problems(err);
    print_problems(what.as_deref(), &problems, before.built);
    shared.set_status(Status {
        built: before.built,
        problems,
        headers: before.headers.clone(),
    });
    bump(shared, false);
}

fn bump(shared: &Shared, css_only: bool) {
    if let Some(live) = &shared.live {
        live.bump(css_only);
    }
}

/// After a good build: its security headers, and the pages and settings the contact form answers with.
fn record_good_build(
    shared: &Shared,
    options: &BuildOptions,
    config: &Config,
    pages: PageRenderer,
) {
    let headers = crate::render::security_headers(config);
    shared
        .contact
        .update(config, &options.root, &options.output, pages);
    shared.set_status(Status {
        built: true,
        problems: Vec::new(),
        headers,
    });
}

/// "content/about.md changed" (none for the first build). Names a file that still exists if there is one, rather
/// than an editor's temporary file.
fn describe(root: &Path, changes: &[Change]) -> Option<String> {
    let first = changes
        .iter()
        .find(|c| root.join(&c.path).exists())
        .or(changes.first())?;
    Some(match changes.len() {
        1 => format!("{} changed", first.path),
        n => format!("{} and {} more changed", first.path, n - 1),
    })
}

fn print_problems(what: Option<&str>, problems: &[Problem], built: bool) {
    let mut out = std::io::stderr().lock();
    let when = what.map_or_else(
        || "The site could not be built".to_string(),
        |what| format!("{what}: the site could not be built"),
    );
    for problem in problems {
        let place = problem
            .line
            .map_or_else(|| problem.file.clone(), |l| format!("{}:{l}", problem.file));
        let _ = writeln!(out, "error: {place}: {}", problem.message);
        if let Some(detail) = &problem.detail {
            for line in detail.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    let still = if built {
        "still showing the last version that worked"
    } else {
        "the browser shows the problem"
    };
    let _ = writeln!(
        out,
        "{when} ({still}). Fix it and save: the preview updates by itself."
    );
}

/// Ctrl-C (and SIGTERM) no longer end the process at once: they arrive here, so a rebuild can finish first.
fn ctrl_c() -> anyhow::Result<mpsc::Receiver<()>> {
    let (tx, rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .context("cannot listen for Ctrl-C")?;
    Ok(rx)
}
