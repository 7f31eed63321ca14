//! Stage 9: `iopsite check`. Builds the site into a temporary folder (never `public/`), reads what was built and
//! reports every problem a careful reviewer would catch, each at the place to fix it: a content file line, the
//! front matter, config.toml, a template, or (for what only the built page shows) the built file under `public/`.
//!
//! Input: [`CheckOptions`]. Output: a [`Report`] of [`Diagnostic`]s, sorted; a site that does not build is a
//! report of its build errors. Each rule lives in its own module (see [`RULES`]); this module runs them, drops the
//! rules turned off (with a reason) for the site or a page, merges repeats, and applies `--strict`.

mod css;
mod front;
mod hosts;
mod html;
mod input;
mod languages;
mod links;
mod media;
mod page;
mod readability;
mod rules;
mod spanish;
mod url;
mod words;
pub mod writing;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use rules::{Level, RULES, Rule};

use crate::build::{BuildOptions, render_site};
use crate::error::{Error, Location, Result};
use crate::output;
use crate::site::Site;
use front::Silenced;
use input::Input;
use rules::Found;

pub use page::CRISIS_MARK;
pub use readability::MAX_GRADE;
pub use spanish::{INFLESZ_AIM, INFLESZ_FLOOR, score_html as inflesz_of_html};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site and build settings (`output` is ignored: the check builds into a temporary folder).
    pub build: BuildOptions,
    /// Count warnings as errors.
    pub strict: bool,
    /// Today, for the age of clinical reviews.
    pub today: jiff::civil::Date,
}

/// One problem, at the place to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file: `content/faq.md`, `config.toml`, `themes/default/templates/base.html`, or `public/…` for a built file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Error or warning (after `--strict`).
    pub level: Level,
    /// The rule's name, to turn it off with a reason.
    pub rule: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = Location {
            path: self.path.clone(),
            line: self.line,
        };
        write!(f, "{at}: {}: {} [{}]", self.level, self.message, self.rule)
    }
}

/// Everything a check found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Pages and sections checked.
    pub pages: usize,
    /// Whether warnings were counted as errors.
    pub strict: bool,
    /// Every problem, sorted by file and line.
    pub problems: Vec<Diagnostic>,
}

impl Report {
    /// Problems at error level.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    /// Problems at warning level.
    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|d| d.level == Level::Warning)
            .count()
    }

    /// Lines for information only (pages not translated yet).
    pub fn infos(&self) -> usize {
        self.problems
            .iter()
            .filter(|d| d.level == Level::Info)
            .count()
    }

    /// One line for the end of the report.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let verdict = if self.errors() == 0 {
            "passed"
        } else {
            "failed"
        };
        let strict = if self.strict {
            " (--strict: warnings count as errors)"
        } else {
            ""
        };
        let infos = match self.infos() {
            0 => String::new(),
            n => format!(
                " ({} not yet translated: see --format json)",
                plural(n, "page")
            ),
        };
        format!(
            "iopsite check {verdict}: {}, {} in {}{strict}{infos}",
            plural(self.errors(), "error"),
            plural(self.warnings(), "warning"),
            plural(self.pages, "page")
        )
    }

    fn from_build_error(err: Error, strict: bool) -> Report {
        let errors = match err {
            Error::Many(errors) => errors,
            err => vec![err],
        };
        let problems = errors
            .into_iter()
            .map(|err| {
                let (at, message) = located(err);
                Diagnostic {
                    path: at.path,
                    line: at.line,
                    level: Level::Error,
                    rule: Rule::Build.name(),
                    message: format!(
                        "{message} (the site does not build, so nothing else was checked)"
                    ),
                }
            })
            .collect();
        Report {
            pages: 0,
            strict,
            problems,
        }
    }
}

/// A build error as a place and a message (with its causes).
fn located(err: Error) -> (Location, String) {
    let causes = |err: &dyn std::error::Error| {
        let mut text = String::new();
        let mut source = err.source();
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    };
    let chain = causes(&err);
    match err {
        Error::Config { at, message }
        | Error::Store { at, message }
        | Error::Content { at, message }
        | Error::Template { at, message, .. } => (at, format!("{message}{chain}")),
        Error::Read { path, .. } => (
            Location::file(path),
            format!("cannot read this file or folder{chain}"),
        ),
        Error::Write { path, .. } => (Location::file(path), format!("cannot write here{chain}")),
        Error::Many(_) => (Location::file("."), "several problems".into()),
    }
}

/// Build the site into a temporary folder and check it.
pub fn check(options: &CheckOptions) -> Result<Report> {
    let (site, files) = match render_site(&options.build) {
        Ok(built) => built,
        Err(err) => return Ok(Report::from_build_error(err, options.strict)),
    };
    let temp = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let out = temp.path().join("public");
    output::write(&out, &files)?;
    let input = Input::load(&options.build.root, &site, &out)?;
    let (silenced, mut found) = front::silenced(&input);
    found.extend(front::check(&input, options.today));
    found.extend(links::check(&input));
    found.extend(hosts::check(&input));
    found.extend(page::check(&input));
    found.extend(words::check(&input));
    found.extend(readability::check(&input));
    found.extend(media::check(&input));
    found.extend(languages::check(&input));
    found.extend(spanish::check(&input));
    Ok(Report {
        pages: site.pages.len(),
        strict: options.strict,
        problems: finish(found, &silenced, &site, options.strict),
    })
}

/// Drop what is turned off, merge repeats, set levels and sort.
fn finish(found: Vec<Found>, silenced: &Silenced, site: &Site, strict: bool) -> Vec<Diagnostic> {
    let by_file: HashMap<&Path, usize> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.shown.as_path(), i))
        .collect();
    let off =
        |page: Option<usize>, rule: Rule| page.is_some_and(|i| silenced.pages[i].contains(&rule));
    let kept = found.into_iter().filter(|f| {
        !silenced.site.contains(&f.rule)
            && !off(f.page, f.rule)
            && !off(by_file.get(f.at.path.as_path()).copied(), f.rule)
    });
    let mut problems: Vec<Diagnostic> = merge(kept)
        .into_iter()
        .map(|(at, rule, message)| Diagnostic {
            path: at.path,
            line: at.line,
            level: match rule.level() {
                Level::Info => Level::Info,
                _ if strict => Level::Error,
                level => level,
            },
            rule: rule.name(),
            message,
        })
        .collect();
    problems.sort_by(|a, b| {
        (&a.path, a.line, a.level, &a.message).cmp(&(&b.path, b.line, b.level, &b.message))
    });
    problems
}

/// One entry per problem: the same problem found twice at one place is one; the same problem in built files
/// (made by the theme, so on every page) is reported once, saying on how many other pages it is.
fn merge(found: impl Iterator<Item = Found>) -> BTreeSet<(Location, Rule, String)> {
    let mut built: BTreeMap<(Rule, String), (Location, usize)> = BTreeMap::new();
    let mut unique = BTreeSet::new();
    for f in found {
        if f.at.path.starts_with("public") {
            let entry = built
                .entry((f.rule, f.message))
                .or_insert((f.at.clone(), 0));
            entry.0 = entry.0.clone().min(f.at);
            entry.1 += 1;
        } else {
            unique.insert((f.at, f.rule, f.message));
        }
    }
    for ((rule, message), (at, count)) in built {
        let message = match count {
            1 => message,
            2 => format!("{message} (the same on 1 other built page)"),
            n => format!("{message} (the same on {} other built pages)", n - 1),
        };
        unique.insert((at, rule, message));
    }
    unique
}
