//! Staff accounts in the `accounts` table of [`State`]: a name, an Argon2id hash of the password, and the TOTP
//! secret of the person's authenticator app (with the last time step used, so each code signs in once).

use rusqlite::{OptionalExtension, params};

use super::{password, totp};
use crate::state::State;

/// The longest account name.
pub const NAME_MAX: usize = 64;

/// What went wrong with an account command, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The request itself is wrong (a bad name, a weak password, an account that exists or does not).
    #[error("{0}")]
    Invalid(String),
    /// The records could not be read or written.
    #[error(transparent)]
    Store(#[from] crate::error::Error),
}

/// A new or reset account's authenticator enrollment: show it once, then it is only in the database.
pub struct Enrolled {
    /// The secret, for typing into an app by hand.
    pub secret: totp::Secret,
    /// The `otpauth://` address the QR code holds.
    pub uri: String,
}

/// One account, as `iopsite staff list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The name staff sign in with.
    pub name: String,
    /// When it was made (or last reset).
    pub created_at: String,
}

/// The accounts of one site.
pub struct Accounts<'a> {
    state: &'a State,
}

/// Check a name: 1 to 64 letters, digits, `.`, `_` or `-` (it appears in logs and the audit log).
pub fn check_name(name: &str) -> Result<(), AccountError> {
    let fine = !name.is_empty()
        && name.len() <= NAME_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if fine {
        Ok(())
    } else {
        Err(AccountError::Invalid(format!(
            "\"{name}\" cannot be an account name: use 1 to {NAME_MAX} letters, digits, dots, dashes or underscores, such as \"maria.lopez\""
        )))
    }
}

impl<'a> Accounts<'a> {
    /// The accounts in `state`.
    pub fn new(state: &'a State) -> Accounts<'a> {
        Accounts { state }
    }

    fn failed(&self, err: &rusqlite::Error) -> AccountError {
        AccountError::Store(self.state.error(err))
    }

    /// How many accounts there are (the inbox is off with none).
    pub fn count(&self) -> Result<usize, AccountError> {
        let count: i64 = self
            .state
            .lock()
            .query_row("SELECT count(*) FROM accounts", [], |row| row.get(0))
            .map_err(|err| self.failed(&err))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Every account, by name.
    pub fn list(&self) -> Result<Vec<Account>, AccountError> {
        let connection = self.state.lock();
        let run = || -> rusqlite::Result<Vec<Account>> {
            let mut statement =
                connection.prepare("SELECT name, created_at FROM accounts ORDER BY name")?;
            statement
                .query_map([], |row| {
                    Ok(Account {
                        name: row.get(0)?,
                        created_at: row.get(1)?,
                    })
                })?
                .collect()
        };
        run().map_err(|err| self.failed(&err))
    }

    /// Whether `name` is an account.
    pub fn exists(&self, name: &str) -> Result<bool, AccountError> {
        let found: Option<i64> = self
            .state
            .lock()
            .query_row("SELECT 1 FROM accounts WHERE name = ?1", [name], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|err| self.failed(&err))?;
        Ok(found.is_some())
    }

    /// Make an account with this password and a new authenticator secret for `issuer` (the name the app shows).
    pub fn add(&self, name: &str, password: &str, issuer: &str) -> Result<Enrolled, AccountError> {
        check_name(name)?;
        if self.exists(name)? {
            return Err(AccountError::Invalid(format!(
                "there is already an account named \"{name}\": choose another name, or use `iopsite staff reset {name}`"
            )));
        }
        self.write(name, password, issuer, false)
    }

    /// Give an account a new password and a new authenticator secret (the old app entry stops working).
    pub fn reset(
        &self,
        name: &str,
        password: &str,
        issuer: &str,
    ) -> Result<Enrolled, AccountError> {
        if !self.exists(name)? {
            return Err(no_account(name));
        }
        self.write(name, password, issuer, true)
    }

    fn write(
        &self,
        name: &str,
        password: &str,
        issuer: &str,
        replace: bool,
    ) -> Result<Enrolled, AccountError> {
        password::check_strength(password).map_err(AccountError::Invalid)?;
        let hash = password::hash(password).map_err(|err| {
            AccountError::Invalid(format!("the password could not be hashed: {err}"))
        })?;
        let secret = totp::Secret::generate();
        let sql = if replace {
            "UPDATE accounts SET password = ?2, totp_secret = ?3, totp_last_step = NULL, created_at = ?4 WHERE name = ?1"
        } else {
            "INSERT INTO accounts (name, password, totp_secret, created_at) VALUES (?1, ?2, ?3, ?4)"
        };
        self.state
            .lock()
            .execute(
                sql,
                params![name, hash, secret.to_base32(), crate::store::now()],
            )
            .map_err(|err| self.failed(&err))?;
        let uri = totp::otpauth_uri(&secret, issuer, name);
        Ok(Enrolled { secret, uri })
    }

    /// Delete an account.
    pub fn remove(&self, name: &str) -> Result<(), AccountError> {
        let removed = self
            .state
            .lock()
            .execute("DELETE FROM accounts WHERE name = ?1", [name])
            .map_err(|err| self.failed(&err))?;
        if removed == 0 {
            return Err(no_account(name));
        }
        Ok(())
    }

    /// Whether `name`, `password` and `code` sign in at `unix_seconds`. A code that worked is used up (its time
    /// step is kept). An unknown name takes as long as a wrong password, so the answer tells nothing about
    /// which names exist.
    pub fn sign_in(
        &self,
        name: &str,
        password_given: &str,
        code: &str,
        unix_seconds: u64,
    ) -> Result<bool, AccountError> {
        let row: Option<(String, String, Option<i64>)> = self
            .state
            .lock()
            .query_row(
                "SELECT password, totp_secret, totp_last_step FROM accounts WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(|err| self.failed(&err))?;
        let Some((hash, secret, last_step)) = row else {
            password::verify_nothing(password_given);
            return Ok(false);
        };
        // Both are checked every time, so the time taken does not tell which one was wrong.
        let password_right = password::verify(password_given, &hash);
        let last_step = last_step.and_then(|step| u64::try_from(step).ok());
        let step = totp::Secret::from_base32(&secret)
            .and_then(|secret| totp::verify(&secret, code, unix_seconds, last_step));
        let (true, Some(step)) = (password_right, step) else {
            return Ok(false);
        };
        // Use the code up, unless another sign-in used this step (or a later one) first.
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        let used = self
            .state
            .lock()
            .execute(
                "UPDATE accounts SET totp_last_step = ?2 WHERE name = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                params![name, step],
            )
            .map_err(|err| self.failed(&err))?;
        Ok(used == 1)
    }
}

fn no_account(name: &str) -> AccountError {
    AccountError::Invalid(format!(
        "there is no account named \"{name}\": `iopsite staff list` shows the accounts"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const PASSWORD: &str = "correct horse battery";

    fn state(dir: &Path) -> State {
        State::open(&dir.join("s.sqlite3"), Path::new("s")).unwrap()
    }

    #[test]
    fn an_account_signs_in_with_password_and_a_fresh_code_once() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let accounts = Accounts::new(&state);
        assert_eq!(accounts.count().unwrap(), 0);
        let enrolled = accounts.add("maria", PASSWORD, "Center").unwrap();
        assert!(
            enrolled.uri.starts_with("otpauth://totp/Center:maria?"),
            "{}",
            enrolled.uri
        );
        let now = 1_800_000_000;
        let code = totp::code_at(&enrolled.secret, now);
        assert!(
            !accounts
                .sign_in("maria", "wrong password!!", &code, now)
                .unwrap()
        );
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!accounts.sign_in("maria", PASSWORD, &wrong, now).unwrap());
        assert!(!accounts.sign_in("nobody", PASSWORD, &code, now).unwrap());
        assert!(accounts.sign_in("maria", PASSWORD, &code, now).unwrap());
        assert!(
            !accounts.sign_in("maria", PASSWORD, &code, now).unwrap(),
            "a code works once"
        );
        let previous = totp::code_at(&enrolled.secret, now - 30);
        assert!(
            !accounts.sign_in("maria", PASSWORD, &previous, now).unwrap(),
            "an older code after a newer one is refused"
        );
        let next = totp::code_at(&enrolled.secret, now + 30);
        assert!(
            accounts
                .sign_in("maria", PASSWORD, &next, now + 30)
                .unwrap()
        );
    }

    #[test]
    fn names_passwords_and_duplicates_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let accounts = Accounts::new(&state);
        for bad in ["", "a b", "x/../y", "ünï", &"n".repeat(65), "name\n"] {
            assert!(accounts.add(bad, PASSWORD, "C").is_err(), "{bad:?}");
        }
        assert!(accounts.add("sam", "short", "C").is_err());
        accounts.add("sam", PASSWORD, "C").unwrap();
        let err = accounts
            .add("sam", PASSWORD, "C")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("already an account"), "{err}");
        assert!(accounts.reset("ghost", PASSWORD, "C").is_err());
        assert!(accounts.remove("ghost").is_err());
        let before = accounts.list().unwrap();
        let reset = accounts.reset("sam", "another good password", "C").unwrap();
        let now = 1_800_000_000;
        assert!(
            !accounts
                .sign_in("sam", PASSWORD, &totp::code_at(&reset.secret, now), now)
                .unwrap(),
            "the old password no longer works"
        );
        assert!(
            accounts
                .sign_in(
                    "sam",
                    "another good password",
                    &totp::code_at(&reset.secret, now),
                    now
                )
                .unwrap()
        );
        assert_eq!(before.len(), 1);
        accounts.remove("sam").unwrap();
        assert_eq!(accounts.count().unwrap(), 0);
    }
}
