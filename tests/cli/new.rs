//! `iopsite init` and `iopsite new`.

use crate::support::{SiteTest, binary};

#[test]
fn init_makes_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("my-site");
    let status = std::process::Command::new(binary())
        .args(["init"])
        .arg(&site_dir)
        .status()
        .unwrap();
    assert!(status.success());
    let build = std::process::Command::new(binary())
        .args(["build", "--root"])
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(site_dir.join("public/index.html").is_file());
    assert!(
        site_dir
            .join("themes/default/templates/base.html")
            .is_file()
    );
    // What the build and the server make stays out of git: the output, the image cache, inquiries.
    let ignored = std::fs::read_to_string(site_dir.join(".gitignore")).unwrap();
    for line in ["/public", "/.iopsite", "/data"] {
        assert!(ignored.lines().any(|l| l == line), "{line} in {ignored}");
    }
}

#[test]
fn init_refuses_a_folder_with_files_unless_forced() {
    let site = SiteTest::fixture("basic");
    site.run(&["init", "."])
        .failure()
        .stderr_has("this folder is not empty");
    site.run(&["init", ".", "--force"]).success();
}

#[test]
fn new_writes_a_draft_with_front_matter_and_never_overwrites() {
    let site = SiteTest::fixture("basic");
    site.run(&["new", "content/guide/family-sessions.md"])
        .success();
    let text =
        std::fs::read_to_string(site.root().join("content/guide/family-sessions.md")).unwrap();
    assert!(
        text.starts_with("+++\ntitle = \"Family sessions\"\n"),
        "{text}"
    );
    assert!(text.contains("draft = true"));
    site.run(&[
        "new",
        "content/guide/family-sessions.md",
        "--title",
        "Other",
    ])
    .failure()
    .stderr_has("already exists");
    site.run(&["build"]).success();
    site.run(&["build", "--drafts"]).success();
    assert!(
        site.root()
            .join("public/guide/family-sessions/index.html")
            .is_file()
    );
}

#[test]
fn help_shows_examples() {
    let site = SiteTest::fixture("basic");
    for command in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["new", "--help"],
        vec!["init", "--help"],
    ] {
        let run = site.run(&command);
        run.success();
        assert!(
            run.stdout().contains("Example"),
            "{command:?}: {}",
            run.stdout()
        );
    }
}
