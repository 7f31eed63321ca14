//! The contact form's staff tools: `iopsite keygen`, `iopsite submissions` (list, export, decrypt) and
//! `iopsite submissions purge`. The endpoint itself is tested against the real server in `contact.rs`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::SiteTest;

const OLD: &str = r#"{"id":"old-1","time":"2020-03-01T10:00:00Z","name":"Old Name","phone":"","email":"old@example.org","preferred":"email","safe_times":"","voicemail":"no","for_whom":null,"message":"","consent":true}"#;
const NEW: &str = r#"{"id":"new-1","time":"2099-01-01T10:00:00Z","name":"=New, Name","phone":"+1 555 555 0100","email":"","preferred":"text","safe_times":"after 5","voicemail":"generic","for_whom":"self","message":"two\nlines","consent":true}"#;

fn with_inquiries(lines: &[&str]) -> SiteTest {
    let site = SiteTest::fixture("basic");
    let mut text = lines.join("\n");
    text.push('\n');
    site.write("data/submissions.jsonl", &text);
    site
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The public key `iopsite keygen` printed.
fn public_key(stdout: &str) -> String {
    let start = stdout.find("recipient = \"").unwrap() + "recipient = \"".len();
    stdout[start..start + 62].to_string()
}

#[test]
fn keygen_writes_a_private_key_and_explains_where_to_keep_it() {
    let site = SiteTest::fixture("basic");
    let run = site.run(&["keygen", "--out", "key.txt"]);
    run.success();
    let stdout = run.stdout();
    assert!(public_key(&stdout).starts_with("age1"), "{stdout}");
    assert!(stdout.contains("Keep it OFF the web server"), "{stdout}");
    let key = site.root().join("key.txt");
    assert_eq!(mode(&key), 0o600);
    assert!(
        fs::read_to_string(&key)
            .unwrap()
            .contains("AGE-SECRET-KEY-1")
    );
    site.run(&["keygen", "--out", "key.txt"])
        .failure()
        .stderr_has("error: key.txt: this file already exists, and a key is never replaced");
}

#[test]
fn submissions_are_listed_newest_first() {
    let site = with_inquiries(&[NEW, OLD]);
    let run = site.run(&["submissions"]);
    run.success();
    let stdout = run.stdout();
    assert!(
        stdout.starts_with("2 inquiries in data/submissions.jsonl, newest first."),
        "{stdout}"
    );
    let (new, old) = (
        stdout.find("=New, Name").unwrap(),
        stdout.find("Old Name").unwrap(),
    );
    assert!(new < old, "{stdout}");
    assert!(
        stdout.contains("    Message: two\n             lines"),
        "{stdout}"
    );
}

#[test]
fn submissions_export_as_csv_and_json() {
    let site = with_inquiries(&[OLD, NEW]);
    let csv = site.run(&["submissions", "--format", "csv"]);
    csv.success();
    let csv = csv.stdout();
    assert!(
        csv.starts_with(
            "id,received_utc,name,phone,email,preferred,safe_times,voicemail,for,message\nnew-1,"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(r#""'=New, Name",'+1 555 555 0100,"#),
        "formulas are defused: {csv}"
    );
    let json = site.run(&["submissions", "--format", "json"]);
    json.success();
    let list: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(list[0]["id"], "new-1");
    assert_eq!(list[1]["email"], "old@example.org");
}

#[test]
fn damaged_lines_are_reported_by_line_and_skipped() {
    let site = with_inquiries(&[OLD, "{\"id\":\"cut", NEW]);
    site.run(&["submissions", "--format", "json"])
        .success()
        .stderr_has("warning: data/submissions.jsonl:2: this line is damaged and was skipped");
}

#[test]
fn purge_keeps_the_newer_ones() {
    let site = with_inquiries(&[OLD, NEW, "not json"]);
    let run = site.run(&["submissions", "purge", "--older-than", "30d"]);
    run.success();
    assert_eq!(
        run.stdout(),
        "Deleted 1 inquiry older than 30d; kept 2 inquiries in data/submissions.jsonl.\n"
    );
    let path = site.root().join("data/submissions.jsonl");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{NEW}\nnot json\n")
    );
    assert_eq!(mode(&path), 0o600);
    site.run(&["submissions", "purge", "--older-than", "soon"])
        .failure()
        .stderr_has("error: --older-than soon: write an age such as 30d (days)");
}

#[test]
fn encrypted_inquiries_open_only_with_the_key() {
    let site = SiteTest::fixture("basic");
    let public = public_key(&site.run(&["keygen", "--out", "key.txt"]).stdout());
    let recipient = public.parse().unwrap();
    let store =
        iopsite::store::Store::new(site.root().join("data/submissions.jsonl"), Some(recipient));
    let form =
        iopsite::forms::Values::decode(b"name=Private+Person&email=p%40example.org&consent=yes")
            .unwrap()
            .validate()
            .unwrap();
    store.append(&form).unwrap();
    let raw = fs::read_to_string(site.root().join("data/submissions.jsonl")).unwrap();
    assert!(
        !raw.contains("Private") && !raw.contains("example.org"),
        "{raw}"
    );
    site.run(&["submissions"]).failure().stderr_has(
        "these inquiries are encrypted: give the private key file with --identity FILE",
    );
    let run = site.run(&["submissions", "--identity", "key.txt", "--format", "json"]);
    run.success();
    assert!(
        run.stdout().contains("\"name\": \"Private Person\""),
        "{}",
        run.stdout()
    );
}

#[test]
fn a_store_inside_a_published_folder_is_refused() {
    let site = SiteTest::fixture("basic");
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[contact]\nstore = \"content/inquiries.jsonl\"\n"),
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: config.toml:20: inquiries must not be stored inside content/");
}
