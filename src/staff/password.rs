//! Staff passwords: Argon2id hashes in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), the strength
//! rules a new password must meet, and a dummy verification for unknown account names.
//!
//! Input is the password as typed and, for [`verify`], the stored PHC string; output is a PHC string or a yes/no.
//! Nothing here stores hashes, counts failed attempts or rate-limits: the caller does, and the rate limit is what
//! stops online guessing. A PHC string carries its own parameters, so hashes made with stronger parameters later
//! still verify, within the bounds [`verify`] sets.

use argon2::password_hash::phc::PasswordHash;
use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version,
};

// OWASP Password Storage Cheat Sheet, "Argon2id": "use Argon2id with a minimum configuration of 19 MiB of memory,
// an iteration count of 2, and 1 degree of parallelism" (m=19456 KiB, t=2, p=1). We take exactly that minimum: the
// server has 2 cores and also serves the site, so one sign-in should cost tens of milliseconds and 19 MiB, not more;
// a burst of sign-in attempts then cannot exhaust memory before the rate limit stops it. Against a leaked hash,
// tripling the cost would add under 2 bits of work per guess; the 12-character minimum of `check_strength` does more.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// The fewest characters a new password may have.
pub const MIN_CHARS: usize = 12;

/// The most characters a new password may have. Argon2 reads the password only once, so this bounds little work;
/// it keeps a pasted document from being taken as a password and bounds what a request can make us hash.
pub const MAX_CHARS: usize = 128;

// A password of MAX_CHARS characters has at most 4 bytes per character in UTF-8. Longer input is refused before
// hashing, by `hash`, `verify` and `verify_nothing` alike, so the refusal takes the same (short) time in all three.
const MAX_BYTES: usize = MAX_CHARS * 4;

// Bounds on the parameters of a stored hash. A hash made by `hash` is far inside them; they leave room to raise
// the cost later, while a corrupted or planted PHC string (`m=4294967295`) cannot make one sign-in allocate
// gigabytes or run for minutes.
const MAX_M_COST_KIB: u32 = 256 * 1024;
const MAX_T_COST: u32 = 10;
const MAX_P_COST: u32 = 8;

// A hash of a random password nobody knows, made once by `hash` with the parameters above (the test
// `dummy_hash_has_the_current_parameters` fails if they change and this is not made again). `verify_nothing` checks
// against it, so it costs what a real check costs.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$nYf/ys+M/qcdgGbFQCTlcA$+XXDSVAd9+XbRdMtTfXOYOVcLjcgrGbz1NZcUMAfH70";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Longer than any password [`check_strength`] accepts; [`verify`] would never match it.
    #[error("the password is longer than {MAX_CHARS} characters")]
    TooLong,
    /// Argon2 failed: the operating system gave no random salt, or the memory could not be had.
    #[error("cannot hash the password")]
    Hash {
        /// What Argon2 reported.
        #[source]
        source: argon2::password_hash::Error,
    },
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .expect("the Argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash `password` with Argon2id and a fresh random salt from the operating system; returns the PHC string to store.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    if password.len() > MAX_BYTES {
        return Err(PasswordError::TooLong);
    }
    hasher()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|source| PasswordError::Hash { source })
}

/// Whether `password` matches the PHC string `phc`. Any malformed string, any algorithm but Argon2id and any
/// parameters beyond sane bounds give `false`, never a panic. The comparison of the hashes is constant-time.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.len() > MAX_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm.as_str() != ARGON2ID_IDENT.as_str()
        || parsed.version != Some(Version::V0x13.into())
    {
        return false;
    }
    match Params::try_from(&parsed) {
        Ok(params)
            if params.m_cost() <= MAX_M_COST_KIB
                && params.t_cost() <= MAX_T_COST
                && params.p_cost() <= MAX_P_COST => {}
        _ => return false,
    }
    hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Spend the time of a real [`verify`] on nothing, for a sign-in whose account name is unknown, so that it takes
/// as long as a wrong password for a known account and the timing does not tell which names exist.
pub fn verify_nothing(password: &str) {
    std::hint::black_box(verify(std::hint::black_box(password), DUMMY_PHC));
}

/// Check that `password` is acceptable as a new password; the error is a plain-language reason to show the person.
/// The rules follow NIST SP 800-63B: a minimum length, no composition rules (no "one digit, one symbol").
pub fn check_strength(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "the password is too short: use at least {MIN_CHARS} characters (a few unrelated words work well)"
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!(
            "the password is too long: use at most {MAX_CHARS} characters"
        ));
    }
    let mut rest = password.chars();
    let first = rest.next();
    if rest.all(|c| Some(c) == first) {
        return Err(
            "the password repeats one character: use a mix, such as a few unrelated words".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_and_names_argon2id_with_owasp_parameters() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapl", &phc));
        assert!(!verify("", &phc));
        // A fresh salt each time.
        assert_ne!(phc, hash("correct horse battery staple").unwrap());
    }

    #[test]
    fn malformed_or_out_of_bounds_hashes_are_false_without_panic() {
        let huge = "$argon2id$v=19$m=19456,t=2,p=1$".to_string() + &"A".repeat(100_000);
        let garbage = "x".repeat(100_000);
        for phc in [
            "",
            "$argon2id$",
            "$argon2id$v=19$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "not a hash at all",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$argon2i$v=19$m=19456,t=2,p=1$nYf/ys+M/qcdgGbFQCTlcA$+XXDSVAd9+XbRdMtTfXOYOVcLjcgrGbz1NZcUMAfH70",
            "$argon2id$v=16$m=19456,t=2,p=1$nYf/ys+M/qcdgGbFQCTlcA$+XXDSVAd9+XbRdMtTfXOYOVcLjcgrGbz1NZcUMAfH70",
            // A planted hash asking for 4 TiB of memory is refused before any is allocated.
            "$argon2id$v=19$m=4294967295,t=2,p=1$nYf/ys+M/qcdgGbFQCTlcA$+XXDSVAd9+XbRdMtTfXOYOVcLjcgrGbz1NZcUMAfH70",
            &huge,
            &garbage,
        ] {
            assert!(!verify("correct horse battery staple", phc), "{phc:.80}");
        }
    }

    fn hash_with(m: u32, t: u32, p: u32, password: &str) -> String {
        let params = Params::new(m, t, p, None).unwrap();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes())
            .unwrap()
            .to_string()
    }

    #[test]
    fn other_parameters_verify_within_bounds_only() {
        let password = "correct horse battery staple";
        assert!(verify(password, &hash_with(8 * 1024, 3, 2, password)));
        // Correct hashes, but past the bounds: refused without computing them (cheap in memory, so quick to test).
        assert!(!verify(
            password,
            &hash_with(64, MAX_T_COST + 1, 1, password)
        ));
        assert!(!verify(
            password,
            &hash_with(8 * (MAX_P_COST + 1), 1, MAX_P_COST + 1, password)
        ));
    }

    #[test]
    fn dummy_hash_has_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_PHC).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (M_COST_KIB, T_COST, P_COST)
        );
        assert_eq!(params.output_len(), Some(Params::DEFAULT_OUTPUT_LEN));
        // It parses and passes the bounds, so verify_nothing does the full Argon2 work; no guessable password opens it.
        assert!(!verify("", DUMMY_PHC));
        verify_nothing("correct horse battery staple");
    }

    #[test]
    fn overlong_passwords_are_refused_before_hashing() {
        // Past 4 bytes per allowed character no password can be within MAX_CHARS.
        let long = "a".repeat(MAX_BYTES + 1);
        assert!(matches!(hash(&long), Err(PasswordError::TooLong)));
        assert!(!verify(&long, DUMMY_PHC));
        verify_nothing(&long);
        // 128 four-byte characters are the longest allowed password, and they hash.
        let widest = "𝄞".repeat(MAX_CHARS);
        assert!(verify(&widest, &hash(&widest).unwrap()));
    }

    #[test]
    fn strength_rules() {
        assert!(check_strength("").unwrap_err().contains("too short"));
        assert!(
            check_strength("elevenchars")
                .unwrap_err()
                .contains("at least 12")
        );
        // Characters, not bytes: 11 two-byte letters are still too short.
        assert!(check_strength(&"é".repeat(11)).is_err());
        assert!(check_strength(&"aé".repeat(6)).is_ok());
        assert_eq!(check_strength("twelve chars"), Ok(()));
        assert_eq!(check_strength(&"ab".repeat(64)), Ok(()));
        assert!(
            check_strength(&("ab".repeat(64) + "c"))
                .unwrap_err()
                .contains("too long")
        );
        assert!(
            check_strength(&"a".repeat(20))
                .unwrap_err()
                .contains("repeats one character")
        );
        assert!(
            check_strength(&" ".repeat(12))
                .unwrap_err()
                .contains("repeats one character")
        );
    }
}
