//! Errors as data: every problem a user can cause names the file (relative to the site root where possible),
//! the line when one is known, what is wrong and, where we can tell, how to fix it.
//!
//! The message of a variant never repeats its `source`: `main` prints the whole chain (`{err:#}`), which matters
//! for Tera, whose errors keep the detail in their source.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A place in a file: path, and 1-based line when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, relative to the site root when it is inside it.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
}

impl Location {
    /// A location with a line number.
    pub fn line(path: impl Into<PathBuf>, line: usize) -> Self {
        Location {
            path: path.into(),
            line: Some(line),
        }
    }

    /// A location for a whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Everything that can go wrong while loading, rendering or writing a site.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{path}: cannot read this file or folder")]
    Read {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file or folder could not be written.
    #[error("{path}: cannot write here")]
    Write {
        /// What could not be written.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// `config.toml` is wrong.
    #[error("{at}: {message}")]
    Config {
        /// Where.
        at: Location,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A content file is wrong (front matter, encoding, links, duplicate URLs…).
    #[error("{at}: {message}")]
    Content {
        /// Where.
        at: Location,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A template could not be parsed or rendered.
    #[error("{at}: {message}")]
    Template {
        /// The template file (or the content file being rendered when the template is unknown).
        at: Location,
        /// What is wrong, in plain words.
        message: String,
        /// Tera's own report (with the template excerpt), printed as the cause.
        source: Option<tera::Error>,
    },
    /// A stored inquiry or a key file is wrong (damaged line, wrong key).
    #[error("{at}: {message}")]
    Store {
        /// The file, and the line when one is known.
        at: Location,
        /// What is wrong and what to do.
        message: String,
    },
    /// Several content problems found in one build: all are reported, then the build stops.
    #[error("{}", list(.0))]
    Many(Vec<Error>),
}

fn list(errors: &[Error]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| format!("{e:#}")).collect();
    format!("{} problems found:\n{}", errors.len(), lines.join("\n"))
}

impl Error {
    /// A content problem at a file and line.
    pub fn content(at: Location, message: impl Into<String>) -> Self {
        Error::Content {
            at,
            message: message.into(),
        }
    }

    /// Wrap a list of errors: one stays itself, several become [`Error::Many`].
    ///
    /// # Panics
    /// Never: callers only call it with a non-empty list.
    #[must_use]
    pub fn from_list(mut errors: Vec<Error>) -> Self {
        errors.sort_by_key(Error::sort_key);
        if errors.len() == 1 {
            errors.pop().expect("one error")
        } else {
            Error::Many(errors)
        }
    }

    fn sort_key(&self) -> Option<Location> {
        match self {
            Error::Config { at, .. }
            | Error::Content { at, .. }
            | Error::Template { at, .. }
            | Error::Store { at, .. } => Some(at.clone()),
            Error::Read { path, .. } | Error::Write { path, .. } => Some(Location::file(path)),
            Error::Many(_) => None,
        }
    }
}
