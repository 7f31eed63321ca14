//! Inquiries on disk: one JSON line per inquiry in `[contact] store` (default `data/submissions.jsonl`), outside the
//! output folder and `content/`. [`Store::append`] returns only once the line is on disk: the whole line goes out
//! in one `write` on an `O_APPEND` file, under a lock (a mutex for this process and an advisory file lock for any
//! other), then `sync_data`. So concurrent inquiries never interleave or tear, and an inquiry that was answered
//! "thank you" survives a crash or a power cut.
//!
//! A line is `{"id","time","name",…}`, or, when `[contact] recipient` is set, `{"id","time","age":"-----BEGIN AGE…"}`
//! where the armored ciphertext holds the whole clear line. The id and the time stay readable so that
//! [`purge`] can delete old inquiries on the server without the private key; they say nothing about the person.
//!
//! [`read`] lists inquiries for staff, newest first; [`purge`] rewrites the file atomically (a temporary file in the
//! same folder, fsync, rename), keeping every line it cannot read.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use age::x25519::{Identity, Recipient};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::forms::ContactForm;
use crate::keys;

/// The inquiry file of a site, and the key inquiries are encrypted to (if any).
pub struct Store {
    path: PathBuf,
    /// The path shown in messages (relative to the site when it is inside it).
    shown: PathBuf,
    recipient: Option<Recipient>,
    /// One writer at a time in this process; the file lock covers other processes.
    writer: Mutex<()>,
}

/// One stored inquiry, decrypted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Inquiry {
    /// Random id (UUID v4).
    pub id: String,
    /// Server time it was stored, RFC 3339, UTC.
    pub time: String,
    /// What the person sent.
    #[serde(flatten)]
    pub form: ContactForm,
}

/// A line encrypted with age: the id and time in clear, the whole clear line inside `age`.
#[derive(Debug, Serialize, Deserialize)]
struct Sealed {
    id: String,
    time: String,
    age: String,
}

/// The part of any line that [`purge`] and [`received`] need: both are in clear, even in an encrypted line.
#[derive(Debug, Deserialize)]
struct Head {
    #[serde(default)]
    id: String,
    time: String,
}

/// What [`read`] found: the inquiries (newest first) and the lines it could not use.
#[derive(Debug)]
pub struct Listing {
    /// Inquiries, newest first.
    pub inquiries: Vec<Inquiry>,
    /// One located problem per line that was skipped.
    pub problems: Vec<Error>,
}

/// What [`purge`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Lines kept (newer ones, and any line whose time could not be read).
    pub kept: usize,
    /// Lines deleted.
    pub removed: usize,
}

impl Store {
    /// The store at `path`; inquiries are encrypted to `recipient` when given.
    pub fn new(path: PathBuf, recipient: Option<Recipient>) -> Store {
        Store {
            shown: path.clone(),
            path,
            recipient,
            writer: Mutex::new(()),
        }
    }

    /// Name the file this way in messages (`data/submissions.jsonl` rather than `/srv/site/data/…`).
    #[must_use]
    pub fn shown_as(mut self, shown: PathBuf) -> Store {
        self.shown = shown;
        self
    }

    /// Whether inquiries are encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.recipient.is_some()
    }

    /// The file, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists and people other than its owner may read it.
    pub fn is_readable_by_others(&self) -> bool {
        fs::metadata(&self.path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }

    /// Store one inquiry durably and return its id. Returns only after the line is written and fsynced.
    pub fn append(&self, form: &ContactForm) -> Result<String> {
        let inquiry = Inquiry {
            id: uuid::Uuid::new_v4().to_string(),
            time: now(),
            form: form.clone(),
        };
        let line = self
            .line(&inquiry)
            .map_err(|source| self.write_error(source))?;
        let _one_writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        self.write_line(&line)
            .map_err(|source| self.write_error(source))?;
        Ok(inquiry.id)
    }

    fn write_error(&self, source: io::Error) -> Error {
        Error::Write {
            path: self.shown.clone(),
            source,
        }
    }

    /// The JSON line (with its newline), encrypted when a recipient is set.
    fn line(&self, inquiry: &Inquiry) -> io::Result<Vec<u8>> {
        let clear = serde_json::to_vec(inquiry)?;
        let mut line = match &self.recipient {
            None => clear,
            Some(to) => serde_json::to_vec(&Sealed {
                id: inquiry.id.clone(),
                time: inquiry.time.clone(),
                age: keys::seal(to, &clear)?,
            })?,
        };
        line.push(b'\n');
        Ok(line)
    }

    fn write_line(&self, line: &[u8]) -> io::Result<()> {
        let file = open_locked(&self.path, Access::Append)?;
        let mut bytes = Vec::with_capacity(line.len() + 1);
        // A line cut short by a machine crash must not swallow the next one: start on a fresh line.
        if !ends_with_newline(&file)? {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(line);
        // One write call on an O_APPEND file under the lock: the line lands whole, after every other line.
        (&file).write_all(&bytes)?;
        file.sync_data()
        // Dropping the file releases the lock.
    }
}

/// The current server time, RFC 3339 in UTC, to the second.
pub fn now() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn ends_with_newline(file: &File) -> io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0u8];
    file.read_at(&mut last, len - 1)?;
    Ok(last[0] == b'\n')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Append, creating the file (mode 0600) and its folder (mode 0700) if needed; exclusive lock.
    Append,
    /// Rewrite: exclusive lock, no creating.
    Rewrite,
    /// Read: shared lock, no creating.
    Read,
}

/// Open the file and lock it. [`purge`] replaces the file by renaming a new one over it, so after waiting for the
/// lock, check that the path still names the file we hold; if not, open the new one (bounded retries).
fn open_locked(path: &Path, access: Access) -> io::Result<File> {
    for _ in 0..100 {
        let (file, created) = open(path, access)?;
        if access == Access::Read {
            file.lock_shared()?;
        } else {
            file.lock()?;
        }
        let (held, named) = (file.metadata()?, fs::metadata(path));
        if named.is_ok_and(|named| named.dev() == held.dev() && named.ino() == held.ino()) {
            if created {
                sync_folder(path)?;
            }
            return Ok(file);
        }
    }
    Err(io::Error::other(
        "the inquiry file kept being replaced while waiting for it",
    ))
}

fn open(path: &Path, access: Access) -> io::Result<(File, bool)> {
    match access {
        Access::Read => Ok((File::open(path)?, false)),
        Access::Rewrite => Ok((OpenOptions::new().read(true).write(true).open(path)?, false)),
        Access::Append => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(parent)?;
            }
            let mut options = OpenOptions::new();
            options.read(true).append(true).mode(0o600);
            match options.clone().create_new(true).open(path) {
                Ok(file) => Ok((file, true)),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    Ok((options.open(path)?, false))
                }
                Err(err) => Err(err),
            }
        }
    }
}

/// Make a new or renamed file's name durable too.
fn sync_folder(path: &Path) -> io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(parent)?.sync_all()
}

/// The whole file under a shared lock, as stored (encrypted lines stay encrypted); a missing file is empty.
pub fn read_text(path: &Path, shown: &Path) -> Result<String> {
    match open_locked(path, Access::Read) {
        Ok(file) => io::read_to_string(&file),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(err),
    }
    .map_err(|source| Error::Read {
        path: shown.to_path_buf(),
        source,
    })
}

/// Read every inquiry, newest first. `shown` is the path used in messages. Encrypted lines need `identity`.
pub fn read(path: &Path, shown: &Path, identity: Option<&Identity>) -> Result<Listing> {
    let text = read_text(path, shown)?;
    let mut listing = Listing {
        inquiries: Vec::new(),
        problems: Vec::new(),
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = Location::line(shown, index + 1);
        match parse_line(line, identity) {
            Ok(inquiry) => listing.inquiries.push(inquiry),
            Err(LineProblem::Locked) => return Err(locked(shown)),
            Err(problem) => listing.problems.push(Error::Store {
                at,
                message: problem.message().into(),
            }),
        }
    }
    listing.inquiries.reverse();
    listing.inquiries.sort_by(|a, b| b.time.cmp(&a.time));
    Ok(listing)
}

fn locked(shown: &Path) -> Error {
    Error::Store {
        at: Location::file(shown),
        message: "these inquiries are encrypted: give the private key file with --identity FILE (the file `iopsite keygen` wrote)".into(),
    }
}

enum LineProblem {
    Damaged,
    Locked,
    WrongKey,
    Mismatch,
}

impl LineProblem {
    fn message(&self) -> &'static str {
        match self {
            LineProblem::Damaged => {
                "this line is damaged and was skipped (it may have been cut short when the machine stopped)"
            }
            LineProblem::Locked => "this inquiry is encrypted",
            LineProblem::WrongKey => {
                "this inquiry is encrypted to another key and was skipped: give the key file that matches `recipient` in config.toml"
            }
            LineProblem::Mismatch => {
                "this encrypted inquiry's id or time was changed after it was stored; it was skipped"
            }
        }
    }
}

fn parse_line(
    line: &str,
    identity: Option<&Identity>,
) -> std::result::Result<Inquiry, LineProblem> {
    if let Ok(sealed) = serde_json::from_str::<Sealed>(line) {
        let identity = identity.ok_or(LineProblem::Locked)?;
        let clear = keys::open(identity, &sealed.age).ok_or(LineProblem::WrongKey)?;
        let inquiry: Inquiry = serde_json::from_slice(&clear).map_err(|_| LineProblem::Damaged)?;
        if inquiry.id != sealed.id || inquiry.time != sealed.time {
            return Err(LineProblem::Mismatch);
        }
        return Ok(inquiry);
    }
    serde_json::from_str(line).map_err(|_| LineProblem::Damaged)
}

/// The id and time of every stored inquiry, in the file's order, without the key (lines that cannot be read are
/// skipped). A missing file has none.
pub fn received(path: &Path) -> io::Result<Vec<(String, String)>> {
    let text = match open_locked(path, Access::Read) {
        Ok(file) => io::read_to_string(&file)?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<Head>(line).ok())
        .filter(|head| !head.id.is_empty())
        .map(|head| (head.id, head.time))
        .collect())
}

/// Delete the inquiries stored before `cutoff`, rewriting the file atomically. Lines whose time cannot be read are
/// kept: purge never deletes what it does not understand. Works on encrypted lines without the key.
pub fn purge(path: &Path, shown: &Path, cutoff: Timestamp) -> Result<Purged> {
    rewrite(path, shown, |head| {
        head.and_then(|head| head.time.parse::<Timestamp>().ok())
            .is_none_or(|time| time >= cutoff)
    })
}

/// Delete the inquiry `id`, rewriting the file atomically (as [`purge`] does); `removed` is 0 when there is none.
/// Works on encrypted lines without the key.
pub fn delete(path: &Path, shown: &Path, id: &str) -> Result<Purged> {
    rewrite(path, shown, |head| head.is_none_or(|head| head.id != id))
}

/// Keep the lines for which `keep` (given the line's clear id and time, if they can be read) says so, rewriting the
/// file atomically under its lock when any line goes.
fn rewrite(path: &Path, shown: &Path, keep: impl Fn(Option<Head>) -> bool) -> Result<Purged> {
    let read_error = |source| Error::Read {
        path: shown.to_path_buf(),
        source,
    };
    let file = match open_locked(path, Access::Rewrite) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Ok(Purged {
                kept: 0,
                removed: 0,
            });
        }
        other => other.map_err(read_error)?,
    };
    let text = io::read_to_string(&file).map_err(read_error)?;
    let mut kept = String::with_capacity(text.len());
    let mut removed = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if keep(serde_json::from_str::<Head>(line).ok()) {
            kept.push_str(line);
            kept.push('\n');
        } else {
            removed += 1;
        }
    }
    if removed > 0 {
        replace(path, kept.as_bytes()).map_err(|source| Error::Write {
            path: shown.to_path_buf(),
            source,
        })?;
    }
    // `file` (and its lock) is held until here, so no inquiry is appended to the old file meanwhile.
    drop(file);
    Ok(Purged {
        kept: kept.lines().count(),
        removed,
    })
}

/// One line of the store as the staff inbox shows it: readable, or encrypted (for the browser to open), or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A clear inquiry.
    Clear(Inquiry),
    /// An encrypted one: its clear id and time, and the armored age text.
    Sealed {
        /// The inquiry's id.
        id: String,
        /// When it was stored.
        time: String,
        /// The armored ciphertext of the whole clear line.
        age: String,
    },
}

impl Record {
    /// The inquiry's id.
    pub fn id(&self) -> &str {
        match self {
            Record::Clear(inquiry) => &inquiry.id,
            Record::Sealed { id, .. } => id,
        }
    }

    /// When it was stored.
    pub fn time(&self) -> &str {
        match self {
            Record::Clear(inquiry) => &inquiry.time,
            Record::Sealed { time, .. } => time,
        }
    }
}

/// Every line of the store as it is (encrypted ones stay encrypted), newest first, and how many lines could not be
/// read at all.
pub fn records(path: &Path, shown: &Path) -> Result<(Vec<Record>, usize)> {
    let text = read_text(path, shown)?;
    let mut records = Vec::new();
    let mut damaged = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Ok(sealed) = serde_json::from_str::<Sealed>(line) {
            records.push(Record::Sealed {
                id: sealed.id,
                time: sealed.time,
                age: sealed.age,
            });
        } else if let Ok(inquiry) = serde_json::from_str::<Inquiry>(line) {
            records.push(Record::Clear(inquiry));
        } else {
            damaged += 1;
        }
    }
    records.reverse();
    records.sort_by(|a, b| b.time().cmp(a.time()));
    Ok((records, damaged))
}

/// Write a temporary file (mode 0600) in the same folder, fsync it, rename it over `path`, fsync the folder.
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".submissions-")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(folder)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| err.error)?;
    sync_folder(path)
}

#[cfg(test)]
mod tests;
