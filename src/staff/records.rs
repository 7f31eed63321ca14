//! What staff did with the inquiries: each one's status (new, contacted, closed: who set it and when) and the
//! audit log of every sign-in, failed sign-in, view, status change, deletion and export. Neither holds anything a
//! person wrote: ids, names of staff, times. The audit log is append-only (triggers refuse to change it).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::params;

use crate::error::Result;
use crate::state::State;

/// Where an inquiry is in the admissions team's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nobody has answered it yet.
    New,
    /// Someone reached (or tried to reach) the person.
    Contacted,
    /// Nothing more to do.
    Closed,
}

impl Status {
    /// The word stored and sent by the forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Contacted => "contacted",
            Status::Closed => "closed",
        }
    }

    /// The status a form names, if it names one.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "new" => Some(Status::New),
            "contacted" => Some(Status::Contacted),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

/// An inquiry's status, and who set it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// The status.
    pub status: Status,
    /// The staff member who set it.
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The staff member (for a failed sign-in: the name that was tried).
    pub staff: String,
    /// `sign-in`, `sign-in-failed`, `sign-out`, `view`, `status`, `delete`, `export`, and the account commands.
    pub action: String,
    /// The inquiry, when the action concerns one.
    pub inquiry: Option<String>,
    /// More about it (a new status; the address of a failed sign-in).
    pub detail: String,
}

/// The statuses and audit log of one site.
pub struct Records<'a> {
    state: &'a State,
}

impl<'a> Records<'a> {
    /// The records in `state`.
    pub fn new(state: &'a State) -> Records<'a> {
        Records { state }
    }

    /// Every inquiry's status that is not `new`.
    pub fn statuses(&self) -> Result<HashMap<String, Marked>> {
        let connection = self.state.lock();
        let run = || -> rusqlite::Result<HashMap<String, Marked>> {
            let mut statement = connection
                .prepare("SELECT inquiry_id, status, changed_by, changed_at FROM status")?;
            let rows = statement.query_map([], |row| {
                let status: String = row.get(1)?;
                Ok((
                    row.get::<_, String>(0)?,
                    Marked {
                        status: Status::parse(&status).unwrap_or(Status::New),
                        by: row.get(2)?,
                        at: row.get(3)?,
                    },
                ))
            })?;
            rows.collect()
        };
        run().map_err(|err| self.state.error(&err))
    }

    /// Set an inquiry's status, with its audit line, together.
    pub fn set_status(&self, id: &str, status: Status, by: &str) -> Result<()> {
        let now = crate::store::now();
        let mut connection = self.state.lock();
        let mut run = || -> rusqlite::Result<()> {
            let transaction = connection.transaction()?;
            transaction.execute(
                "INSERT INTO status (inquiry_id, status, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (inquiry_id) DO UPDATE SET status = ?2, changed_by = ?3, changed_at = ?4",
                params![id, status.as_str(), by, now],
            )?;
            append(&transaction, &now, by, "status", Some(id), status.as_str())?;
            transaction.commit()
        };
        run().map_err(|err| self.state.error(&err))
    }

    /// Delete inquiry `id` from the store at `store` (atomically, as purge does), its status, and record who did;
    /// the audit line is kept only if the store was rewritten. Returns whether there was such an inquiry.
    pub fn delete(&self, id: &str, by: &str, store: &Path, shown: &Path) -> Result<bool> {
        let now = crate::store::now();
        let mut connection = self.state.lock();
        let transaction = connection
            .transaction()
            .map_err(|err| self.state.error(&err))?;
        let recorded = transaction
            .execute("DELETE FROM status WHERE inquiry_id = ?1", [id])
            .and_then(|_| append(&transaction, &now, by, "delete", Some(id), ""));
        recorded.map_err(|err| self.state.error(&err))?;
        // The store is rewritten inside the transaction: if that fails, the audit line and status stay as they were.
        let deleted = crate::store::delete(store, shown, id)?;
        if deleted.removed == 0 {
            return Ok(false);
        }
        transaction.commit().map_err(|err| self.state.error(&err))?;
        Ok(true)
    }

    /// Add a line to the audit log.
    pub fn audit(
        &self,
        staff: &str,
        action: &str,
        inquiry: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        let connection = self.state.lock();
        append(
            &connection,
            &crate::store::now(),
            staff,
            action,
            inquiry,
            detail,
        )
        .map_err(|err| self.state.error(&err))
    }

    /// The whole audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditLine>> {
        let connection = self.state.lock();
        let run = || -> rusqlite::Result<Vec<AuditLine>> {
            let mut statement = connection
                .prepare("SELECT at, staff, action, inquiry_id, detail FROM audit ORDER BY seq")?;
            let rows = statement.query_map([], |row| {
                Ok(AuditLine {
                    at: row.get(0)?,
                    staff: row.get(1)?,
                    action: row.get(2)?,
                    inquiry: row.get(3)?,
                    detail: row.get(4)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|err| self.state.error(&err))
    }
}

/// One audit line. A staff name that was only typed (a failed sign-in) is cut to 64 characters and kept free of
/// control characters, since it came from outside.
fn append(
    connection: &rusqlite::Connection,
    at: &str,
    staff: &str,
    action: &str,
    inquiry: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    let staff: String = staff
        .chars()
        .filter(|c| !c.is_control())
        .take(super::accounts::NAME_MAX)
        .collect();
    connection
        .execute(
            "INSERT INTO audit (at, staff, action, inquiry_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![at, staff, action, inquiry, detail],
        )
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(dir: &Path) -> State {
        State::open(&dir.join("s.sqlite3"), Path::new("s")).unwrap()
    }

    #[test]
    fn a_status_change_is_audited_and_the_log_cannot_be_changed() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let records = Records::new(&state);
        records
            .set_status("i1", Status::Contacted, "maria")
            .unwrap();
        records.set_status("i1", Status::Closed, "sam").unwrap();
        let statuses = records.statuses().unwrap();
        assert_eq!(statuses["i1"].status, Status::Closed);
        assert_eq!(statuses["i1"].by, "sam");
        records
            .audit("x\u{1b}[31my", "sign-in-failed", None, "192.0.2.1")
            .unwrap();
        let log = records.audit_log().unwrap();
        let actions: Vec<(&str, &str, Option<&str>)> = log
            .iter()
            .map(|l| (l.staff.as_str(), l.detail.as_str(), l.inquiry.as_deref()))
            .collect();
        assert_eq!(
            actions,
            [
                ("maria", "contacted", Some("i1")),
                ("sam", "closed", Some("i1")),
                ("x[31my", "192.0.2.1", None)
            ]
        );
        let connection = state.lock();
        let err = connection.execute("DELETE FROM audit", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert!(
            connection
                .execute("UPDATE audit SET staff = 'x'", [])
                .is_err()
        );
    }

    #[test]
    fn deleting_rewrites_the_store_and_is_audited() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let records = Records::new(&state);
        let store = dir.path().join("submissions.jsonl");
        std::fs::write(
            &store,
            "{\"id\":\"keep\",\"time\":\"2026-01-01T00:00:00Z\",\"age\":\"x\"}\n{\"id\":\"gone\",\"time\":\"2026-01-02T00:00:00Z\",\"age\":\"y\"}\n",
        )
        .unwrap();
        records
            .set_status("gone", Status::Contacted, "maria")
            .unwrap();
        assert!(
            records
                .delete("gone", "maria", &store, Path::new("s.jsonl"))
                .unwrap()
        );
        let text = std::fs::read_to_string(&store).unwrap();
        assert!(text.contains("keep") && !text.contains("gone"), "{text}");
        assert!(records.statuses().unwrap().is_empty());
        assert_eq!(
            records.audit_log().unwrap().last().unwrap().action,
            "delete"
        );
        assert!(
            !records
                .delete("nothing", "maria", &store, Path::new("s.jsonl"))
                .unwrap()
        );
        assert_eq!(
            records.audit_log().unwrap().len(),
            2,
            "no line for a deletion that did not happen"
        );
    }
}
