//! The outbox: which inquiries each channel still has to announce, in the `outbox` table of [`State`]. A row is
//! written in the same moment the inquiry is stored, and a row that a crash kept from being written is added when
//! the server starts again ([`Outbox::catch_up`]), from the ids and times the store keeps in clear.

use rusqlite::{OptionalExtension, params};

use crate::error::Result;
use crate::state::State;

/// A way of telling staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// An email to each address of `email_to`.
    Email,
    /// A `POST` to `webhook_url`.
    Webhook,
}

impl Channel {
    /// The name stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

/// One inquiry a notice is about: its id and when it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The inquiry's id.
    pub id: String,
    /// When it was stored (RFC 3339, UTC).
    pub received_at: String,
    /// Tries so far.
    pub attempts: u32,
}

/// What `iopsite notify status` shows for one channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelStatus {
    /// Notices waiting to be sent.
    pub pending: usize,
    /// Inquiries announced.
    pub sent: usize,
    /// The last time one was sent.
    pub last_sent: Option<String>,
    /// Permanent refusals: inquiry id, when, and what the other side answered.
    pub failed: Vec<(String, String, String)>,
    /// What the other side answered on the last failed try of a pending notice.
    pub last_problem: Option<String>,
}

/// The outbox rows of one database.
pub struct Outbox<'a> {
    state: &'a State,
}

impl<'a> Outbox<'a> {
    /// The outbox in `state`.
    pub fn new(state: &'a State) -> Outbox<'a> {
        Outbox { state }
    }

    /// Announce these inquiries (id, received at) on each of `channels`, in one transaction (nothing happens for
    /// a channel that already has one).
    pub fn add(&self, inquiries: &[(String, String)], channels: &[Channel]) -> Result<()> {
        let mut connection = self.state.lock();
        let mut run = || -> rusqlite::Result<()> {
            let transaction = connection.transaction()?;
            {
                let mut statement = transaction.prepare_cached(
                    "INSERT OR IGNORE INTO outbox (inquiry_id, channel, received_at) VALUES (?1, ?2, ?3)",
                )?;
                for (id, received_at) in inquiries {
                    for channel in channels {
                        statement.execute(params![id, channel.name(), received_at])?;
                    }
                }
            }
            transaction.commit()
        };
        run().map_err(|err| self.state.error(&err))
    }

    /// Add a row for every stored inquiry (id, time) received since the channel was turned on that has none: the
    /// server may have stopped between storing an inquiry and writing its row. The first call for a channel only
    /// records the time it was turned on, so inquiries from before then are not announced.
    pub fn catch_up(
        &self,
        stored: &[(String, String)],
        channel: Channel,
        now: &str,
    ) -> Result<usize> {
        let key = format!("notify_since_{}", channel.name());
        let mut connection = self.state.lock();
        let mut run = || -> rusqlite::Result<usize> {
            let transaction = connection.transaction()?;
            let since: Option<String> = transaction
                .query_row("SELECT value FROM meta WHERE key = ?1", [&key], |row| {
                    row.get(0)
                })
                .optional()?;
            let Some(since) = since else {
                transaction
                    .execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", [&key, now])?;
                transaction.commit()?;
                return Ok(0);
            };
            let mut added = 0;
            for (id, time) in stored.iter().filter(|(_, time)| *time >= since) {
                added += transaction.execute(
                    "INSERT OR IGNORE INTO outbox (inquiry_id, channel, received_at) VALUES (?1, ?2, ?3)",
                    params![id, channel.name(), time],
                )?;
            }
            transaction.commit()?;
            Ok(added)
        };
        run().map_err(|err| self.state.error(&err))
    }

    /// The channel's pending notices, oldest first.
    pub fn pending(&self, channel: Channel) -> Result<Vec<Pending>> {
        let connection = self.state.lock();
        let run = || -> rusqlite::Result<Vec<Pending>> {
            let mut statement = connection.prepare_cached(
                "SELECT inquiry_id, received_at, attempts FROM outbox WHERE channel = ?1 AND state = 'pending' ORDER BY received_at, inquiry_id",
            )?;
            let rows = statement.query_map([channel.name()], |row| {
                Ok(Pending {
                    id: row.get(0)?,
                    received_at: row.get(1)?,
                    attempts: row.get(2)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|err| self.state.error(&err))
    }

    /// Mark these notices `sent` (the other side accepted them) or `failed` (it refused them for good), with its
    /// answer; all or none.
    pub fn finish(
        &self,
        channel: Channel,
        ids: &[String],
        sent: bool,
        answer: &str,
        now: &str,
    ) -> Result<()> {
        let state = if sent { "sent" } else { "failed" };
        self.update(
            channel,
            ids,
            "UPDATE outbox SET state = ?3, answer = ?4, done_at = ?5, attempts = attempts + 1 WHERE channel = ?1 AND inquiry_id = ?2",
            &[&state, &answer, &now],
        )
    }

    /// Count one more failed try of these notices, keeping the answer for `notify status`.
    pub fn retry_later(&self, channel: Channel, ids: &[String], answer: &str) -> Result<()> {
        self.update(
            channel,
            ids,
            "UPDATE outbox SET attempts = attempts + 1, answer = ?3 WHERE channel = ?1 AND inquiry_id = ?2",
            &[&answer],
        )
    }

    fn update(
        &self,
        channel: Channel,
        ids: &[String],
        sql: &str,
        extra: &[&dyn rusqlite::ToSql],
    ) -> Result<()> {
        let channel_name = channel.name();
        let mut connection = self.state.lock();
        let mut run = || -> rusqlite::Result<()> {
            let transaction = connection.transaction()?;
            {
                let mut statement = transaction.prepare_cached(sql)?;
                for id in ids {
                    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&channel_name, id];
                    values.extend_from_slice(extra);
                    statement.execute(values.as_slice())?;
                }
            }
            transaction.commit()
        };
        run().map_err(|err| self.state.error(&err))
    }

    /// Counts and refusals of one channel.
    pub fn status(&self, channel: Channel) -> Result<ChannelStatus> {
        let connection = self.state.lock();
        let run = || -> rusqlite::Result<ChannelStatus> {
            let count = |state: &str| -> rusqlite::Result<usize> {
                connection
                    .query_row(
                        "SELECT count(*) FROM outbox WHERE channel = ?1 AND state = ?2",
                        [channel.name(), state],
                        |row| row.get::<_, i64>(0),
                    )
                    .map(|n| usize::try_from(n).unwrap_or(0))
            };
            let mut status = ChannelStatus {
                pending: count("pending")?,
                sent: count("sent")?,
                ..ChannelStatus::default()
            };
            status.last_sent = connection.query_row(
                "SELECT max(done_at) FROM outbox WHERE channel = ?1 AND state = 'sent'",
                [channel.name()],
                |row| row.get(0),
            )?;
            status.last_problem = connection
                .query_row(
                    "SELECT answer FROM outbox WHERE channel = ?1 AND state = 'pending' AND attempts > 0 ORDER BY received_at DESC LIMIT 1",
                    [channel.name()],
                    |row| row.get(0),
                )
                .optional()?;
            let mut statement = connection.prepare(
                "SELECT inquiry_id, done_at, answer FROM outbox WHERE channel = ?1 AND state = 'failed' ORDER BY done_at DESC",
            )?;
            status.failed = statement
                .query_map([channel.name()], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(status)
        };
        run().map_err(|err| self.state.error(&err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn state(dir: &Path) -> State {
        State::open(&dir.join("iopsite.sqlite3"), Path::new("iopsite.sqlite3")).unwrap()
    }

    fn ids(pending: &[Pending]) -> Vec<&str> {
        pending.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn rows_move_from_pending_to_sent_or_failed() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let outbox = Outbox::new(&state);
        let both = [Channel::Email, Channel::Webhook];
        let row = |id: &str, time: &str| (id.to_string(), time.to_string());
        outbox
            .add(&[row("b", "2026-11-30T10:00:02Z")], &both)
            .unwrap();
        let a = row("a", "2026-11-30T10:00:01Z");
        outbox.add(&[a.clone(), a], &both).unwrap();
        assert_eq!(ids(&outbox.pending(Channel::Email).unwrap()), ["a", "b"]);
        outbox
            .retry_later(Channel::Email, &["a".into()], "421 busy")
            .unwrap();
        let pending = outbox.pending(Channel::Email).unwrap();
        assert_eq!((pending[0].attempts, pending[1].attempts), (1, 0));
        assert_eq!(
            outbox
                .status(Channel::Email)
                .unwrap()
                .last_problem
                .as_deref(),
            Some("421 busy")
        );
        outbox
            .finish(
                Channel::Email,
                &["a".into(), "b".into()],
                true,
                "250 ok",
                "T",
            )
            .unwrap();
        outbox
            .finish(Channel::Webhook, &["a".into()], false, "404 Not Found", "T")
            .unwrap();
        assert!(outbox.pending(Channel::Email).unwrap().is_empty());
        assert_eq!(ids(&outbox.pending(Channel::Webhook).unwrap()), ["b"]);
        let email = outbox.status(Channel::Email).unwrap();
        assert_eq!(
            (email.pending, email.sent, email.last_sent.as_deref()),
            (0, 2, Some("T"))
        );
        let webhook = outbox.status(Channel::Webhook).unwrap();
        assert_eq!(
            webhook.failed,
            [("a".into(), "T".into(), "404 Not Found".into())]
        );
        assert_eq!(webhook.pending, 1);
    }

    #[test]
    fn catching_up_adds_only_what_a_crash_left_out_since_the_channel_was_on() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let outbox = Outbox::new(&state);
        let old = [("old".to_string(), "2026-11-01T00:00:00Z".to_string())];
        assert_eq!(
            outbox
                .catch_up(&old, Channel::Email, "2026-11-30T00:00:00Z")
                .unwrap(),
            0
        );
        outbox
            .add(
                &[("sent".into(), "2026-11-30T01:00:00Z".into())],
                &[Channel::Email],
            )
            .unwrap();
        outbox
            .finish(Channel::Email, &["sent".into()], true, "250", "T")
            .unwrap();
        let stored = [
            old[0].clone(),
            ("sent".to_string(), "2026-11-30T01:00:00Z".to_string()),
            ("lost".to_string(), "2026-11-30T02:00:00Z".to_string()),
        ];
        assert_eq!(
            outbox.catch_up(&stored, Channel::Email, "later").unwrap(),
            1
        );
        assert_eq!(ids(&outbox.pending(Channel::Email).unwrap()), ["lost"]);
        assert_eq!(
            outbox.catch_up(&stored, Channel::Email, "later").unwrap(),
            0
        );
    }
}
