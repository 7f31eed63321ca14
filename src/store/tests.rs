//! Unit tests of the inquiry file: durability under concurrency, encryption, purge.

use super::*;
use crate::forms::{ContactForm, Voicemail};
use std::sync::Arc;

fn form(name: &str) -> ContactForm {
    ContactForm {
        name: name.into(),
        phone: "555 555 0100".into(),
        email: String::new(),
        preferred: None,
        safe_times: String::new(),
        voicemail: Voicemail::No,
        for_whom: None,
        message: "line one\nline two \"quoted\"".into(),
        consent: true,
    }
}

fn listing(path: &Path, identity: Option<&Identity>) -> Listing {
    read(path, Path::new("data/submissions.jsonl"), identity).unwrap()
}

#[test]
fn creates_the_folder_and_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/sub/submissions.jsonl");
    let store = Store::new(path.clone(), None);
    let id = store.append(&form("Sam")).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!store.is_readable_by_others());
    let found = listing(&path, None);
    assert_eq!(found.inquiries.len(), 1);
    assert_eq!(found.inquiries[0].id, id);
    assert_eq!(found.inquiries[0].form, form("Sam"));
    assert!(found.inquiries[0].time.parse::<Timestamp>().is_ok());
}

#[test]
fn concurrent_appends_never_tear_or_lose_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("submissions.jsonl");
    let store = Arc::new(Store::new(path.clone(), None));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| store.append(&form(&format!("{t}-{i}"))).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let found = listing(&path, None);
    assert!(found.problems.is_empty());
    let mut stored: Vec<String> = found.inquiries.into_iter().map(|i| i.id).collect();
    ids.sort();
    stored.sort();
    assert_eq!(stored.len(), 320);
    assert_eq!(stored, ids);
}

#[test]
fn a_torn_last_line_does_not_swallow_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("submissions.jsonl");
    fs::write(&path, "{\"id\":\"cut-sh").unwrap();
    Store::new(path.clone(), None)
        .append(&form("Next"))
        .unwrap();
    let found = listing(&path, None);
    assert_eq!(found.inquiries.len(), 1);
    assert_eq!(found.problems.len(), 1);
    assert!(
        found.problems[0]
            .to_string()
            .starts_with("data/submissions.jsonl:1: this line is damaged"),
        "{}",
        found.problems[0]
    );
}

#[test]
fn encrypted_lines_reveal_nothing_and_open_with_the_key() {
    let identity = Identity::generate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("submissions.jsonl");
    let store = Store::new(path.clone(), Some(identity.to_public()));
    assert!(store.is_encrypted());
    let id = store.append(&form("Secret Name")).unwrap();
    let raw = fs::read_to_string(&path).unwrap();
    assert!(!raw.contains("Secret") && !raw.contains("555") && !raw.contains("line one"));
    assert!(raw.contains(&id) && raw.contains("BEGIN AGE ENCRYPTED FILE"));
    let err = read(&path, Path::new("s.jsonl"), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--identity"), "{err}");
    let found = listing(&path, Some(&identity));
    assert_eq!(found.inquiries[0].form, form("Secret Name"));
    let wrong = listing(&path, Some(&Identity::generate()));
    assert!(wrong.inquiries.is_empty());
    assert!(wrong.problems[0].to_string().contains("another key"));
}

#[test]
fn purge_keeps_newer_and_unreadable_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("submissions.jsonl");
    let old = Inquiry {
        id: "old".into(),
        time: "2020-01-01T00:00:00Z".into(),
        form: form("Old"),
    };
    let mut text = serde_json::to_string(&old).unwrap();
    text.push_str("\nnot json\n");
    fs::write(&path, text).unwrap();
    let store = Store::new(path.clone(), Some(Identity::generate().to_public()));
    store.append(&form("New")).unwrap();
    let cutoff = "2024-01-01T00:00:00Z".parse().unwrap();
    let purged = purge(&path, Path::new("s"), cutoff).unwrap();
    assert_eq!(
        purged,
        Purged {
            kept: 2,
            removed: 1
        }
    );
    let raw = fs::read_to_string(&path).unwrap();
    assert!(!raw.contains("\"old\"") && raw.contains("not json") && raw.contains("BEGIN AGE"));
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

#[test]
fn appends_during_a_purge_land_in_the_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("submissions.jsonl");
    let old = serde_json::to_string(&Inquiry {
        id: "old".into(),
        time: "2020-01-01T00:00:00Z".into(),
        form: form("Old"),
    })
    .unwrap();
    let store = Arc::new(Store::new(path.clone(), None));
    let cutoff: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            for i in 0..200 {
                store.append(&form(&i.to_string())).unwrap();
            }
        })
    };
    for _ in 0..20 {
        // Put an old line in (under the lock, as another writer would) so every purge really replaces the file.
        let file = open_locked(&path, Access::Append).unwrap();
        (&file).write_all(format!("{old}\n").as_bytes()).unwrap();
        drop(file);
        purge(&path, Path::new("s"), cutoff).unwrap();
    }
    writer.join().unwrap();
    let found = listing(&path, None);
    assert_eq!(
        found.inquiries.len(),
        200,
        "every appended inquiry survived the purges"
    );
}
