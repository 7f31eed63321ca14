//! Encryption at rest for inquiries, with the `age` crate (X25519 keys, the same format as the `age` tool).
//! [`generate`] makes a key pair and writes the private half to a file only its owner can read; [`seal`] encrypts
//! to the public key (`age1…`), [`open`] decrypts with the private one. The ciphertext is ASCII-armored, so a stored
//! line can also be read with the standard `age -d` tool.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use age::x25519::{Identity, Recipient};

use crate::error::{Error, Location, Result};

/// Read a public key (`age1…`), or say in plain words what is wrong with it.
pub fn recipient(text: &str) -> std::result::Result<Recipient, String> {
    Recipient::from_str(text.trim()).map_err(|_| {
        "this is not an age public key: it should start with age1 and be copied whole from the output of `iopsite keygen`".into()
    })
}

/// Encrypt `plain` to `to`, as armored text.
pub fn seal(to: &Recipient, plain: &[u8]) -> std::io::Result<String> {
    age::encrypt_and_armor(to, plain).map_err(std::io::Error::other)
}

/// Decrypt armored text made by [`seal`]; `None` when this key cannot open it.
pub fn open(with: &Identity, armored: &str) -> Option<Vec<u8>> {
    age::decrypt(with, armored.as_bytes()).ok()
}

/// Make a key pair, write the private key to `file` (mode 0600; an existing file is never replaced) and return
/// the public key.
pub fn generate(file: &Path) -> Result<String> {
    let identity = Identity::generate();
    let public = identity.to_public().to_string();
    let created = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
    let text = format!(
        "# created: {created}\n# public key: {public}\n# iopsite: the private key for the contact form's inquiries. Keep it off the web server.\n{}\n",
        identity.to_string().expose_secret()
    );
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Store {
                at: Location::file(file),
                message: "this file already exists, and a key is never replaced (inquiries locked with it could no longer be read): choose another file with --out".into(),
            },
            _ => Error::Write {
                path: file.to_path_buf(),
                source,
            },
        })?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|source| Error::Write {
            path: file.to_path_buf(),
            source,
        })?;
    Ok(public)
}

/// Read the private key from a key file made by [`generate`] (or by `age-keygen`).
pub fn load_identity(file: &Path) -> Result<Identity> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let found = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.trim_start().starts_with("AGE-SECRET-KEY-"));
    let Some((index, line)) = found else {
        return Err(Error::Store {
            at: Location::file(file),
            message: "this file has no private key (a line starting with AGE-SECRET-KEY-): give the file `iopsite keygen` wrote".into(),
        });
    };
    Identity::from_str(line.trim()).map_err(|_| Error::Store {
        at: Location::line(file, index + 1),
        message:
            "this private key is damaged: use an unchanged copy of the file `iopsite keygen` wrote"
                .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_seal_and_open() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key.txt");
        let public = generate(&file).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let sealed = seal(&recipient(&public).unwrap(), b"secret").unwrap();
        assert!(!sealed.contains("secret"));
        let identity = load_identity(&file).unwrap();
        assert_eq!(open(&identity, &sealed).unwrap(), b"secret");
        let other = Identity::generate();
        assert!(open(&other, &sealed).is_none());
    }

    #[test]
    fn never_replaces_a_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key.txt");
        std::fs::write(&file, "keep").unwrap();
        let err = generate(&file).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    }

    #[test]
    fn bad_keys_are_explained() {
        assert!(
            recipient("age1nope")
                .unwrap_err()
                .contains("iopsite keygen")
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key.txt");
        std::fs::write(&file, "# nothing here\n").unwrap();
        let err = load_identity(&file).err().unwrap().to_string();
        assert!(err.contains("has no private key"), "{err}");
    }
}
