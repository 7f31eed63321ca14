//! `iopsite staff`: accounts for the staff inbox, made from the command line with the password on standard input,
//! stored as Argon2id hashes in a file only the server's user can read, and the audit log of what was done.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use crate::support::{SiteTest, binary};

const PASSWORD: &str = "four words make a pass";

/// Run `iopsite ARGS` with `input` on standard input; (exit code, stdout, stderr).
fn run_with_input(site: &SiteTest, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(site.root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn add(site: &SiteTest, name: &str, password: &str) -> (i32, String, String) {
    run_with_input(
        site,
        &["staff", "add", name, "--password-stdin"],
        &format!("{password}\n"),
    )
}

#[test]
fn an_account_is_stored_as_a_hash_with_an_authenticator_code() {
    let site = SiteTest::fixture("basic");
    site.overlay("contact");
    let (code, out, err) = add(&site, "maria.lopez", PASSWORD);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("otpauth://totp/Test%20Center:maria.lopez?secret="),
        "{out}"
    );
    assert!(
        out.contains('▀') || out.contains('▄') || out.contains('█'),
        "a QR code is drawn:\n{out}"
    );
    assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));

    let db = site.root().join("data/iopsite.sqlite3");
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let connection = rusqlite::Connection::open(&db).unwrap();
    let hash: String = connection
        .query_row(
            "SELECT password FROM accounts WHERE name = 'maria.lopez'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
    let secret: String = connection
        .query_row("SELECT totp_secret FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert!(out.contains(&secret), "the key to type by hand is shown");

    let list = site.run(&["staff", "list"]);
    assert!(
        list.success()
            .stdout()
            .starts_with("maria.lopez  (made or reset ")
    );

    let (code, out, _) = run_with_input(
        &site,
        &["staff", "reset", "maria.lopez", "--password-stdin"],
        "another long password\n",
    );
    assert_eq!(code, 0);
    let new_secret: String = connection
        .query_row("SELECT totp_secret FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_ne!(
        secret, new_secret,
        "a reset enrolls a new authenticator code"
    );
    assert!(out.contains("no longer work"), "{out}");

    site.run(&["staff", "remove", "maria.lopez"]).success();
    assert!(
        site.run(&["staff", "list"])
            .success()
            .stdout()
            .contains("No staff accounts")
    );
    let audit = site.run(&["staff", "audit"]);
    let stdout = audit.stdout();
    let actions: Vec<&str> = stdout
        .lines()
        .map(|l| l.split("  ").nth(2).unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        ["account-added", "account-reset", "account-removed"]
    );
}

#[test]
fn bad_names_weak_passwords_and_duplicates_change_nothing() {
    let site = SiteTest::fixture("basic");
    site.overlay("contact");
    let (code, _, err) = add(&site, "sam", "short");
    assert_eq!(code, 1);
    assert!(err.contains("the password is too short"), "{err}");
    let (code, _, err) = add(&site, "../../etc/passwd", PASSWORD);
    assert_eq!(code, 1);
    assert!(err.contains("cannot be an account name"), "{err}");
    let (code, _, err) = add(&site, "sam", &"x".repeat(100_000));
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        site.run(&["staff", "list"])
            .success()
            .stdout()
            .contains("No staff accounts")
    );
    assert_eq!(add(&site, "sam", PASSWORD).0, 0);
    let (code, _, err) = add(&site, "sam", PASSWORD);
    assert_eq!(code, 1);
    assert!(err.contains("already an account named \"sam\""), "{err}");
    site.run(&["staff", "remove", "ghost"])
        .failure()
        .stderr_has("there is no account named \"ghost\"");
    let (code, _, err) = run_with_input(
        &site,
        &["staff", "reset", "ghost", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 1);
    assert!(err.contains("no account named \"ghost\""), "{err}");
}
