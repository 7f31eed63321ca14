//! The test harness: copy a fixture site into a temporary folder, run the real binary there, and assert on what a
//! person sees (exit code, stderr, the `<main>` of a page). The temporary folder is shown as `[ROOT]`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture site in a temporary folder.
pub(crate) struct SiteTest {
    pub(crate) dir: tempfile::TempDir,
}

/// What one run of the binary did.
pub(crate) struct Run {
    pub(crate) output: Output,
    pub(crate) root: PathBuf,
}

/// The `iopsite` binary cargo built for these tests.
pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_iopsite")
}

/// The repository root (the IOP site itself is a site too).
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy a folder recursively.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`, with the default theme copied in unless the fixture has its own `themes/`.
    pub(crate) fn fixture(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo_root().join("tests/fixtures").join(name), dir.path());
        if !dir.path().join("themes").exists() {
            copy_dir(
                &repo_root().join("themes/default"),
                &dir.path().join("themes/default"),
            );
        }
        SiteTest { dir }
    }

    /// A copy of the real IOP site (config, content, theme).
    pub(crate) fn iop_site() -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        for part in ["config.toml", "content", "themes", "static", "templates"] {
            let from = repo_root().join(part);
            if from.is_dir() {
                copy_dir(&from, &dir.path().join(part));
            } else if from.is_file() {
                fs::copy(&from, dir.path().join(part)).unwrap();
            }
        }
        SiteTest { dir }
    }

    /// Copy another fixture's files over this site (a bad-input case is `basic` plus one changed file).
    pub(crate) fn overlay(&self, name: &str) -> &Self {
        copy_dir(&repo_root().join("tests/fixtures").join(name), self.root());
        self
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Write (or replace) a file of the site.
    pub(crate) fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Run `iopsite ARGS` in the site folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        run_with_env(self, args, &[])
    }

    /// Read a built file from `public/`.
    pub(crate) fn public(&self, path: &str) -> String {
        fs::read_to_string(self.root().join("public").join(path))
            .unwrap_or_else(|err| panic!("public/{path}: {err}"))
    }

    /// The `<main>…</main>` element of a built page.
    pub(crate) fn main_html(&self, path: &str) -> String {
        let html = self.public(path);
        let start = html
            .find("<main")
            .unwrap_or_else(|| panic!("no <main> in {path}"));
        let end = html
            .rfind("</main>")
            .unwrap_or_else(|| panic!("no </main> in {path}"))
            + "</main>".len();
        html[start..end].to_string()
    }

    /// Every file under `public/`, relative, sorted, with its bytes (to prove a failed build changed nothing).
    pub(crate) fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        self.snapshot_of("public")
    }

    /// Every file under a folder of the site, relative, sorted, with its bytes.
    pub(crate) fn snapshot_of(&self, folder: &str) -> Vec<(String, Vec<u8>)> {
        let public = self.root().join(folder);
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&public)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(&public)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                (rel, fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }
}

impl Run {
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).to_string()
    }

    /// stderr with the temporary folder replaced by `[ROOT]`.
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr)
            .replace(&self.root.display().to_string(), "[ROOT]")
    }

    #[track_caller]
    pub(crate) fn success(&self) -> &Self {
        assert!(
            self.output.status.success(),
            "expected success, got {:?}\nstderr:\n{}",
            self.output.status,
            self.stderr()
        );
        self
    }

    #[track_caller]
    pub(crate) fn failure(&self) -> &Self {
        assert_eq!(
            self.output.status.code(),
            Some(1),
            "expected exit 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        assert!(
            !self.stderr().contains("panicked"),
            "a user error must never panic:\n{}",
            self.stderr()
        );
        self
    }

    /// Assert stderr contains this text.
    #[track_caller]
    pub(crate) fn stderr_has(&self, text: &str) -> &Self {
        let stderr = self.stderr();
        assert!(
            stderr.contains(text),
            "stderr does not contain {text:?}:\n{stderr}"
        );
        self
    }
}

/// Run `iopsite ARGS` in the site folder with these environment variables set.
pub(crate) fn run_with_env(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(binary())
        .args(args)
        .envs(env.iter().copied())
        .current_dir(site.root())
        .output()
        .unwrap();
    Run {
        output,
        root: site.root().to_path_buf(),
    }
}
