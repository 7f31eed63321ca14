//! The server's own records beside the inquiries, in one SQLite file (`iopsite.sqlite3` in the inquiry store's
//! folder): the outbox of notices to staff, and the staff inbox's accounts, statuses and audit log (append-only:
//! triggers refuse to change or delete a line). None of it holds
//! what a person wrote: those stay in the store, encrypted when a key is set.
//!
//! Why a database and not more files: a change often touches several records that must change together (a notice
//! sent for three inquiries, a status change and its audit line), and SQLite gives that, with crash safety, without
//! our inventing it. The file is made with mode 0600 in a folder of mode 0700; SQLite gives its journal files the
//! same mode. `synchronous = FULL` in WAL mode: a change that returned is on disk.
//!
//! The schema is versioned with `PRAGMA user_version`; [`MIGRATIONS`] runs in order, each in one transaction.

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Error, Location, Result};

/// The file name, in the inquiry store's folder.
pub const FILE_NAME: &str = "iopsite.sqlite3";

/// The schema, one step per version. A step is never changed once released: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the outbox. One row per inquiry and channel; `state` is pending, sent or failed (a permanent refusal).
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
     CREATE TABLE outbox (
        inquiry_id TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
        received_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        answer TEXT,
        done_at TEXT,
        PRIMARY KEY (inquiry_id, channel)
     ) STRICT;
     CREATE INDEX outbox_pending ON outbox (channel, state);",
    // 2: the staff inbox. Accounts (an Argon2id hash and the TOTP secret; the last step used, so a code works
    // once), each inquiry's status, and the audit log, which triggers keep append-only.
    "CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        password TEXT NOT NULL,
        totp_secret TEXT NOT NULL,
        totp_last_step INTEGER,
        created_at TEXT NOT NULL
     ) STRICT;
     CREATE TABLE status (
        inquiry_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('new', 'contacted', 'closed')),
        changed_by TEXT NOT NULL,
        changed_at TEXT NOT NULL
     ) STRICT;
     CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        staff TEXT NOT NULL,
        action TEXT NOT NULL,
        inquiry_id TEXT,
        detail TEXT NOT NULL DEFAULT ''
     ) STRICT;
     CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
];

/// The open database, shared by the threads of one process.
pub struct State {
    connection: Mutex<Connection>,
    shown: PathBuf,
}

impl State {
    /// The database of the store at `store` (its folder, [`FILE_NAME`]).
    pub fn path_for(store: &Path) -> PathBuf {
        store
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(FILE_NAME)
    }

    /// Open (or make) the database of the site in `root` whose inquiries are in `store` (`[contact] store`, relative
    /// to `root` and shown as written).
    pub fn open_for_site(root: &Path, store: &Path) -> Result<State> {
        State::open(&State::path_for(&root.join(store)), &State::path_for(store))
    }

    /// Open (or make) the database at `path`, bringing its schema up to date. `shown` names it in messages.
    pub fn open(path: &Path, shown: &Path) -> Result<State> {
        let failed = |message: String| Error::Store {
            at: Location::file(shown),
            message,
        };
        create_private(path).map_err(|source| Error::Write {
            path: shown.to_path_buf(),
            source,
        })?;
        let mut connection = Connection::open(path)
            .map_err(|err| failed(format!("cannot open the server's records: {err}")))?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .and_then(|()| {
                connection.execute_batch(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
            })
            .map_err(|err| failed(format!("cannot set up the server's records: {err}")))?;
        migrate(&mut connection).map_err(|err| {
            failed(format!(
                "cannot update the server's records to this version of iopsite: {err}"
            ))
        })?;
        Ok(State {
            connection: Mutex::new(connection),
            shown: shown.to_path_buf(),
        })
    }

    /// The connection, for one piece of work (keep it short: other threads wait).
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// An error about this database, for a failed query.
    pub fn error(&self, err: &rusqlite::Error) -> Error {
        Error::Store {
            at: Location::file(&self.shown),
            message: format!("the server's records could not be read or changed: {err}"),
        }
    }
}

/// Make the folder (0700) and an empty file (0600) if they are missing, so SQLite never makes them with the
/// process's default mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(err) if err.kind() != std::io::ErrorKind::AlreadyExists => Err(err),
        _ => Ok(()),
    }
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "the file was written by a newer iopsite (schema {version}, this one knows {})",
            MIGRATIONS.len()
        )));
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(version) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(step)?;
        transaction.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn made_private_and_migrated_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = State::path_for(&dir.path().join("data/submissions.jsonl"));
        assert_eq!(path, dir.path().join("data/iopsite.sqlite3"));
        let state = State::open(&path, Path::new("data/iopsite.sqlite3")).unwrap();
        state
            .lock()
            .execute("INSERT INTO meta VALUES ('a', 'b')", [])
            .unwrap();
        drop(state);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        // Opening again keeps the rows and runs no step twice (a second CREATE TABLE would fail).
        let state = State::open(&path, Path::new("x")).unwrap();
        let value: String = state
            .lock()
            .query_row("SELECT value FROM meta WHERE key = 'a'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(value, "b");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iopsite.sqlite3");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = State::open(&path, Path::new("data/iopsite.sqlite3"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("data/iopsite.sqlite3: cannot"), "{err}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iopsite.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = State::open(&path, Path::new("s"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("newer iopsite"), "{err}");
    }
}
