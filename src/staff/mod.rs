//! Staff sign-in, the credential primitives only: [`password`] (Argon2id hashes and the rules for a new password)
//! and [`totp`] (one-time codes from an authenticator app, and the QR code that enrolls one). Both are pure
//! functions of their input and the clock or random source they are given: no HTTP, no storage, no command line.
//! Like `forms` and `keys`, this is a leaf that imports no other stage.

pub mod password;
pub mod totp;
