//! iopsite: a static site generator for the website of an Intensive Outpatient Program.
//!
//! The build is a pipeline; each module is one stage and imports only the stages before it:
//!
//! ```text
//! error ─ config ─ front_matter ─ content ─ markdown ─ site ─ templates ─ context ─ render ─ output ─ build
//!  (errors    (config.toml) (+++/---)  (walk content/) (pulldown-  (links,   (Tera 2)   (values   (pages,   (staging
//!   as data)                                            cmark)     sections)            templates see) sitemap…) + swap)
//! ```
//!
//! Languages (Zola's conventions: `[languages.es]`, `page.es.md`, pages under `/es/`) are a field of the content
//! model, not a second run of the pipeline. `languages` (after `config`, before `content`) knows the site's
//! languages, their own names, which language a file name says, and the theme's words in each (`trans`); `site`
//! (`site::translations`) gives every page its language and its translations; `context::languages` makes what
//! templates see of them (`page.translations`, `hreflang` alternates, the language switcher); `render` adds them
//! to the sitemap and makes a 404 page per language.
//!
//! `shortcodes` (after `markdown`, before `site`) loads `templates/shortcodes/` into a Tera of its own; the markdown
//! stage finds the calls on the parser's events (`markdown::splice`) and `site` hands each one to it, so code blocks
//! stay literal by design and `markdown` itself knows no Tera.
//!
//! `images` (after `markdown`, before `site`) finds every file published besides pages and reads each raster
//! image's header; `site` asks it how to show each markdown image (`markdown::Picture`: copies in `srcset`, its
//! size), themes ask it through `resize_image`, and `render` publishes the originals without metadata before the
//! pages and the copies after them, made through a cache in `.iopsite/cache/images/`.
//!
//! Lists of pages are more outputs of the same arranged site, beside the sitemap: `taxonomy` (after `site`) groups
//! pages by term; `paginate` and `feed` (after `context`) make the `paginator` value and Atom text from plain data;
//! `render::lists` (part of `render`) renders the pagers, the `/tags/` pages and the feeds with them.
//!
//! `serve` runs `build` again on every saved change and serves the output folder with live reload; nothing else
//! imports it. `build::incremental` renders a saved page alone when it can be sure that gives what a full build
//! would, and `check::writing` runs the page rules of `check` on the saved pages for serve's suggestions panel. `check` comes last: it builds into a temporary folder and reads the built files back to report every
//! problem. `new` scaffolds sites and pages from files embedded in the binary. The command line lives in `cli`.
//!
//! The contact form adds two leaves that come before `config` (they import only `error`): `forms` (parse and
//! check a submitted form; no sockets, no disk; `context` gives templates the blank form) and `keys` (age
//! encryption; `config` checks the public key with it). After `build` come `store` (one durable JSON line per
//! inquiry) and `contact` (one submission from body to outcome, with the rate limit); `serve` answers
//! `POST /contact` with them. `state` keeps the server's own records beside the store in SQLite (no inquiry
//! content); `notify` (after `store`, `state` and `staff`) tells staff that an inquiry arrived, through an outbox in `state`
//! and a worker thread. `render::PageRenderer` renders the form's page again with messages, without
//! rebuilding; it knows nothing of HTTP.
//!
//! `staff` (after `state` and `store`) holds the staff inbox's accounts, sign-in throttle, sessions, statuses and
//! audit log; `serve::staff` answers `/staff/` with it.

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod contact;
pub mod content;
pub mod context;
pub mod error;
pub mod feed;
pub mod forms;
pub mod front_matter;
pub mod images;
pub mod keys;
pub mod languages;
pub mod markdown;
pub mod new;
pub mod notify;
pub mod output;
pub mod paginate;
pub mod render;
pub mod serve;
pub mod shortcodes;
pub mod site;
pub mod staff;
pub mod state;
pub mod store;
pub mod taxonomy;
pub mod templates;

pub use build::{BuildOptions, Summary, build, build_before_exit};
pub use error::{Error, Result};
