//! Signed-in staff, in the server's memory only (a restart signs everyone out). A session id is 256 random bits,
//! sent only in a `__Host-` cookie; each session has its own CSRF token for the forms it is shown. The server ends a
//! session after `idle` without a request and `absolute` after sign-in, whatever the browser does.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

/// Sessions kept at most; a sign-in beyond that ends the oldest (there are a handful of staff).
const SESSIONS_MAX: usize = 1_000;

/// One signed-in staff member, as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The account's name.
    pub name: String,
    /// The token every form of this session carries.
    pub csrf: String,
}

struct Entry {
    session: Session,
    started: Instant,
    seen: Instant,
}

/// Why a session id no longer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// No such session (never was, or signed out).
    Unknown,
    /// Too long without a request.
    Idle,
    /// Too long since sign-in.
    TooOld,
}

/// The sessions of one server.
pub struct Sessions {
    entries: Mutex<HashMap<String, Entry>>,
    idle: Duration,
    absolute: Duration,
}

/// A random token: 32 bytes from the operating system, base64url without padding.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Sessions {
    /// Sessions that end after `idle` without a request, or `absolute` after sign-in.
    pub fn new(idle: Duration, absolute: Duration) -> Sessions {
        Sessions {
            entries: Mutex::new(HashMap::new()),
            idle,
            absolute,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Start a session for `name`: a new id (never one the browser had before) and a new CSRF token.
    pub fn start(&self, name: &str, now: Instant) -> (String, Session) {
        let id = token();
        let session = Session {
            name: name.to_string(),
            csrf: token(),
        };
        let mut entries = self.lock();
        entries.retain(|_, e| self.live(e, now).is_ok());
        if entries.len() >= SESSIONS_MAX
            && let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.started)
                .map(|(id, _)| id.clone())
        {
            entries.remove(&oldest);
        }
        entries.insert(
            id.clone(),
            Entry {
                session: session.clone(),
                started: now,
                seen: now,
            },
        );
        (id, session)
    }

    fn live(&self, entry: &Entry, now: Instant) -> Result<(), Ended> {
        if now.duration_since(entry.started) >= self.absolute {
            Err(Ended::TooOld)
        } else if now.duration_since(entry.seen) >= self.idle {
            Err(Ended::Idle)
        } else {
            Ok(())
        }
    }

    /// The session of `id` at `now`, which counts as activity; an ended one is forgotten.
    pub fn get(&self, id: &str, now: Instant) -> Result<Session, Ended> {
        let mut entries = self.lock();
        let entry = entries.get_mut(id).ok_or(Ended::Unknown)?;
        if let Err(ended) = self.live(entry, now) {
            entries.remove(id);
            return Err(ended);
        }
        entry.seen = now;
        Ok(entry.session.clone())
    }

    /// Sign out.
    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    /// End every session of `name` (its account is gone or was reset).
    pub fn end_all_of(&self, name: &str) {
        self.lock().retain(|_, e| e.session.name != name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_mins(15);
    /// Just under the idle limit.
    const ALMOST: Duration = Duration::from_secs(15 * 60 - 2);
    const ABSOLUTE: Duration = Duration::from_hours(8);

    #[test]
    fn idle_and_absolute_limits_end_a_session() {
        let sessions = Sessions::new(IDLE, ABSOLUTE);
        let t0 = Instant::now();
        let (id, session) = sessions.start("maria", t0);
        assert_eq!(id.len(), 43, "256 bits in base64url");
        assert_ne!(id, session.csrf);
        assert_eq!(sessions.get(&id, t0 + ALMOST), Ok(session.clone()));
        assert_eq!(
            sessions.get(&id, t0 + ALMOST * 2),
            Ok(session.clone()),
            "activity counts"
        );
        assert_eq!(sessions.get(&id, t0 + IDLE * 3), Err(Ended::Idle));
        assert_eq!(
            sessions.get(&id, t0 + IDLE * 3),
            Err(Ended::Unknown),
            "forgotten"
        );

        let (id, _) = sessions.start("maria", t0);
        let mut now = t0;
        while now + IDLE < t0 + ABSOLUTE {
            now += ALMOST;
            let _ = sessions.get(&id, now);
        }
        assert_eq!(sessions.get(&id, t0 + ABSOLUTE), Err(Ended::TooOld));
    }

    #[test]
    fn sign_out_and_account_changes_end_sessions() {
        let sessions = Sessions::new(IDLE, ABSOLUTE);
        let now = Instant::now();
        let (a, _) = sessions.start("maria", now);
        let (b, _) = sessions.start("maria", now);
        let (c, _) = sessions.start("sam", now);
        assert_ne!(a, b, "a new id at each sign-in");
        sessions.end(&a);
        assert_eq!(sessions.get(&a, now), Err(Ended::Unknown));
        sessions.end_all_of("maria");
        assert_eq!(sessions.get(&b, now), Err(Ended::Unknown));
        assert!(sessions.get(&c, now).is_ok());
        assert_eq!(sessions.get("", now), Err(Ended::Unknown));
    }

    #[test]
    fn too_many_sessions_end_the_oldest_only() {
        let sessions = Sessions::new(IDLE, ABSOLUTE);
        let t0 = Instant::now();
        let ids: Vec<String> = (0..SESSIONS_MAX as u64)
            .map(|n| sessions.start("maria", t0 + Duration::from_millis(n)).0)
            .collect();
        let now = t0 + Duration::from_secs(2);
        assert!(sessions.get(&ids[0], now).is_ok(), "a thousand fit");
        let _ = sessions.start("sam", now);
        assert_eq!(
            sessions.get(&ids[0], now),
            Err(Ended::Unknown),
            "the oldest ended"
        );
        assert!(sessions.get(&ids[1], now).is_ok());
    }

    #[test]
    fn tokens_compare_whole() {
        let t = token();
        assert!(same_token(&t, &t.clone()));
        assert!(!same_token(&t, &t[..42]));
        assert!(!same_token(&t, &token()));
        assert!(!same_token("", &t));
    }
}
