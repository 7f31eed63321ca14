//! Staff sign-in and the staff inbox's records, without HTTP (the server's side is `serve::staff`):
//!
//! - [`password`] and [`totp`]: Argon2id hashes and authenticator-app codes, pure functions;
//! - [`accounts`]: the accounts in the site's SQLite records (`state`), and signing in with both;
//! - [`throttle`]: failed sign-ins per name and per address, growing pauses, lockouts (memory only);
//! - [`sessions`]: who is signed in, with idle and absolute limits and a CSRF token each (memory only);
//! - [`records`]: each inquiry's status and the append-only audit log (no inquiry content in either).
//!
//! It comes after `state` and `store` and imports only them and `error`.

pub mod accounts;
pub mod password;
pub mod records;
pub mod sessions;
pub mod throttle;
pub mod totp;
