//! One-time codes from an authenticator app: TOTP as RFC 6238 defines it (HMAC-SHA1, 30-second steps, 6 digits),
//! the `otpauth://` address that enrolls a secret in the app, and that address as a QR code for a terminal.
//!
//! Input is the shared [`Secret`], the code as typed and the time; output is the time step the code belongs to.
//! Storing the secret and the last used step, and reading the clock, are the caller's.
//!
//! RFC 6238 is written here on the `hmac` and `sha1` crates (the same `RustCrypto` project as `argon2`) rather than
//! taken from `totp-rs`: the algorithm is about twenty lines, and [`verify`] needs rules that `totp-rs`'s skew check
//! does not give (the previous step only, never the next; each step accepted once). It also keeps out `totp-rs`'s
//! other dependencies (`sha2` and `constant_time_eq` always; `base32`, `url` and `rand` with the features we would
//! need).

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Bytes of a secret: 160 bits, the length of an HMAC-SHA1 output, as RFC 4226 section 4 recommends.
pub const SECRET_BYTES: usize = 20;

/// Seconds in one time step (RFC 6238's default, and the only period authenticator apps all support).
pub const STEP_SECONDS: u64 = 30;

/// Digits in a code.
pub const DIGITS: usize = 6;

/// The key shared with a person's authenticator app. Its `Debug` shows no part of the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; SECRET_BYTES]);

impl Secret {
    /// A new random secret from the operating system's random source.
    ///
    /// # Panics
    /// If the operating system has no random source to give, as `uuid`'s and `age`'s key generation do.
    pub fn generate() -> Secret {
        let mut bytes = [0; SECRET_BYTES];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        Secret(bytes)
    }

    /// Read a secret written by [`Secret::to_base32`]. Letters may be in either case and spaces are ignored, for a
    /// secret typed by hand; `None` unless it decodes to exactly [`SECRET_BYTES`] bytes.
    pub fn from_base32(text: &str) -> Option<Secret> {
        // 20 bytes are 32 base32 characters; allow some spaces, but bound the work on anything longer.
        if text.len() > 128 {
            return None;
        }
        let compact: String = text
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(compact.as_bytes())
            .ok()?;
        Some(Secret(bytes.try_into().ok()?))
    }

    /// The secret in base32 without padding (RFC 4648), as authenticator apps take it.
    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The code for time step `step`: HOTP of RFC 4226 section 5.3, with the step as the counter.
fn code_for_step(secret: &Secret, step: u64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(&secret.0).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation: the low 4 bits of the last byte pick where 4 bytes are read; the top bit is dropped.
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

/// The 6-digit code (zero-padded) for the time `unix_seconds`.
pub fn code_at(secret: &Secret, unix_seconds: u64) -> String {
    code_for_step(secret, unix_seconds / STEP_SECONDS)
}

/// Check `code` at the time `unix_seconds`; returns the time step it belongs to, for the caller to store as
/// `last_used_step`.
///
/// The code of the current step and that of the previous one are accepted (RFC 6238 section 5.2's one step of
/// tolerance, for a code typed just as it changed), the next step's is not. `None` when the code is not 6 ASCII
/// digits (spaces ignored, as apps show `123 456`), matches neither step, or matches a step at or before
/// `last_used_step`: a code is good once, and an older one never after a newer one. The digits are compared in
/// constant time.
pub fn verify(
    secret: &Secret,
    code: &str,
    unix_seconds: u64,
    last_used_step: Option<u64>,
) -> Option<u64> {
    // Bound the work before looking at the characters: a real code with spaces is well under this.
    if code.len() > 32 {
        return None;
    }
    let digits: Vec<u8> = code.bytes().filter(|b| *b != b' ').collect();
    if digits.len() != DIGITS || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let current = unix_seconds / STEP_SECONDS;
    let mut matched = None;
    // Oldest first, so that the current step wins if both codes happen to be equal.
    for step in [current.checked_sub(1), Some(current)]
        .into_iter()
        .flatten()
    {
        let same = code_for_step(secret, step).as_bytes().ct_eq(&digits);
        if bool::from(same) && last_used_step.is_none_or(|used| step > used) {
            matched = Some(step);
        }
    }
    matched
}

// Everything but the unreserved characters of RFC 3986: spaces become %20 (not +, which some apps show as is),
// and `:` (which separates issuer from account in the label), `&`, `=`, `?`, `#`, `/` and `@` are escaped too.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `otpauth://totp/…` address that enrolls `secret` in an authenticator app (Google's Key Uri Format), with
/// `issuer` and `account` percent-encoded in the label and the `issuer` parameter.
pub fn otpauth_uri(secret: &Secret, issuer: &str, account: &str) -> String {
    let issuer = utf8_percent_encode(issuer, COMPONENT);
    let account = utf8_percent_encode(account, COMPONENT);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        secret.to_base32()
    )
}

/// `text` as a QR code drawn with Unicode half blocks (two modules per character cell), to print in a terminal;
/// `None` when the text is too long for a QR code (about 2,300 bytes at this error-correction level).
///
/// Light modules are drawn as blocks and dark ones as blanks, for the usual light-on-dark terminal, with the quiet
/// zone a scanner needs around the code.
pub fn qr_for_terminal(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6238 Appendix B key for SHA1: the ASCII bytes "12345678901234567890".
    fn rfc_secret() -> Secret {
        Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap()
    }

    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let secret = rfc_secret();
        assert_eq!(secret.0, *b"12345678901234567890");
        // The last 6 digits of the RFC's 8-digit codes.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(&secret, time), code, "at {time}");
            assert_eq!(verify(&secret, code, time, None), Some(time / 30));
        }
    }

    #[test]
    fn previous_step_is_accepted_once_next_and_older_are_not() {
        let secret = rfc_secret();
        let now = 1_111_111_111; // step 37037037, 1 second into it
        let step = now / 30;
        let previous = code_at(&secret, now - 30);
        let next = code_at(&secret, now + 30);
        let two_back = code_at(&secret, now - 60);
        assert_eq!(verify(&secret, &previous, now, None), Some(step - 1));
        assert_eq!(verify(&secret, &previous, now, Some(step - 1)), None);
        assert_eq!(verify(&secret, &next, now, None), None);
        assert_eq!(verify(&secret, &two_back, now, None), None);
        // After the previous step's code, the current one is still good, once.
        let current = code_at(&secret, now);
        assert_eq!(verify(&secret, &current, now, Some(step - 1)), Some(step));
        assert_eq!(verify(&secret, &current, now, Some(step)), None);
        // Once the current step is used, the previous step's code is refused as older.
        assert_eq!(verify(&secret, &previous, now, Some(step)), None);
        // At time 0 there is no previous step, and nothing panics.
        assert_eq!(verify(&secret, &code_at(&secret, 0), 0, None), Some(0));
        assert_eq!(
            verify(&secret, &code_at(&secret, u64::MAX), u64::MAX, None),
            Some(u64::MAX / 30)
        );
    }

    #[test]
    fn spaces_are_ignored_and_malformed_codes_refused() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, " 287 082 ", 59, None), Some(1));
        let long = "1".repeat(10_000);
        for code in [
            "",
            "12345",
            "1234567",
            "12a456",
            "١٢٣٤٥٦",
            "28708\u{2}",
            "+28708",
            "287082\n",
            &long,
        ] {
            assert_eq!(verify(&secret, code, 59, None), None, "{code:.20}");
        }
    }

    #[test]
    fn base32_round_trips_and_garbage_is_refused() {
        let secret = Secret::generate();
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert!(!text.contains('='));
        assert_eq!(Secret::from_base32(&text), Some(secret.clone()));
        assert_eq!(
            Secret::from_base32(&text.to_lowercase()),
            Some(secret.clone())
        );
        let grouped: Vec<&str> = (0..8).map(|i| &text[i * 4..i * 4 + 4]).collect();
        assert_eq!(Secret::from_base32(&grouped.join(" ")), Some(secret));
        assert_ne!(Secret::generate(), Secret::generate());
        for garbage in [
            "",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ", // 31 characters: not whole bytes
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE", // 21 bytes
            "GEZDGNBVGY3TQOJQ",                // 10 bytes
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", // 1 is not base32
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====",
            "ǴEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "not base32 at all!",
            &"A".repeat(10_000),
        ] {
            assert_eq!(Secret::from_base32(garbage), None, "{garbage:.40}");
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let secret = Secret::generate();
        let shown = format!("{secret:?} {:#?}", Some(&secret));
        assert!(!shown.contains(&secret.to_base32()));
        assert!(!shown.contains(&format!("{:?}", secret.0)));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn otpauth_uri_escapes_issuer_and_account() {
        let secret = rfc_secret();
        assert_eq!(
            otpauth_uri(&secret, "Sunrise IOP: Staff", "anna & bo:b@example.org"),
            "otpauth://totp/Sunrise%20IOP%3A%20Staff:anna%20%26%20bo%3Ab%40example.org\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Sunrise%20IOP%3A%20Staff\
             &algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            otpauth_uri(&secret, "Clinic", "é=?#/"),
            "otpauth://totp/Clinic:%C3%A9%3D%3F%23%2F?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Clinic&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn qr_code_is_half_blocks_in_even_rows() {
        let uri = otpauth_uri(&rfc_secret(), "Sunrise IOP", "anna");
        let qr = qr_for_terminal(&uri).unwrap();
        let lines: Vec<&str> = qr.lines().collect();
        let width = lines[0].chars().count();
        // Version 4 or more (33+ modules) plus a 4-module quiet zone each side; two rows per line.
        assert!(width >= 41, "{width}");
        assert_eq!(lines.len(), width.div_ceil(2));
        assert!(lines.iter().all(|line| line.chars().count() == width));
        assert!(
            qr.chars()
                .all(|c| matches!(c, ' ' | '▀' | '▄' | '█' | '\n'))
        );
        // The quiet zone is light, so drawn as full blocks on the first line.
        assert!(lines[0].chars().all(|c| c == '█'));
        assert!(qr_for_terminal(&"x".repeat(10_000)).is_none());
    }
}
