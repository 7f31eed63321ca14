//! Watching the site's sources: `content/`, `themes/`, `templates/`, `static/` and `config.toml`, never the
//! output folder. Input: file-system events from notify. Output: one call of the caller's callback per batch of
//! changes (one editor save is one batch). It knows nothing about builds or HTTP.
//!
//! Batching, with no debouncer crate: block for the first relevant event, then keep taking events until none has
//! come for [`QUIET`] (at most [`LONGEST_BATCH`]). Editors save as a burst (temporary file, rename, a second touch)
//! that lasts a few milliseconds, so a short quiet window gives one rebuild per save without the fixed 50 ms wait
//! that would eat the whole latency budget of a small site. Editor swap and backup files never count
//! ([`crate::content::is_ignored`]).

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

/// A batch ends when no relevant event has come for this long.
pub(crate) const QUIET: Duration = Duration::from_millis(15);

/// A batch never lasts longer than this, even if events keep coming (a folder being copied in).
pub(crate) const LONGEST_BATCH: Duration = Duration::from_millis(500);

/// The folders (and file) of a site that are sources, relative to the site folder.
pub(crate) const SOURCES: [&str; 5] = ["content", "themes", "templates", "static", "config.toml"];

/// One changed source file or folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    /// Relative to the site folder, with `/` separators.
    pub(crate) path: String,
    /// A stylesheet: a batch of only these is swapped in the browser without a reload.
    pub(crate) stylesheet: bool,
}

/// Whether a changed path (relative to the site folder) is a source that needs a rebuild.
pub(crate) fn classify(relative: &Path) -> Option<Change> {
    let parts: Vec<&str> = relative
        .components()
        .map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = *parts.first()?;
    let is_source = if parts.len() == 1 {
        SOURCES.contains(&first)
    } else {
        SOURCES[..4].contains(&first)
    };
    let path = parts.join("/");
    if !is_source || parts.iter().any(|part| crate::content::is_ignored(part)) {
        return None;
    }
    let stylesheet = path.ends_with(".css");
    Some(Change { path, stylesheet })
}

/// Whether a kind of event can mean a changed source (reading a file, as every build does, cannot).
fn relevant(kind: EventKind) -> bool {
    !matches!(kind, EventKind::Access(_))
}

/// The watcher of one site.
pub(crate) struct SiteWatcher {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
}

impl SiteWatcher {
    /// Start watching the sources of the site in `root` (its top level alone, and each source folder in full, so
    /// the output folder is never watched).
    pub(crate) fn new(root: &Path) -> anyhow::Result<SiteWatcher> {
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot open the site folder {}", root.display()))?;
        let (tx, events) = channel();
        let mut watcher =
            notify::recommended_watcher(tx).context("cannot watch the site's files")?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {}", root.display()))?;
        let mut site = SiteWatcher {
            root,
            watcher,
            events,
        };
        for folder in &SOURCES[..4] {
            site.watch_folder(folder);
        }
        Ok(site)
    }

    /// Watch a source folder in full, if it exists (one made later is picked up when it appears).
    fn watch_folder(&mut self, name: &str) {
        let folder = self.root.join(name);
        if folder.is_dir() {
            // A folder that vanished in between is watched again when it comes back.
            let _ = self.watcher.watch(&folder, RecursiveMode::Recursive);
        }
    }

    /// Call `on_change` once per batch of changes, until the watcher stops.
    pub(crate) fn run(mut self, mut on_change: impl FnMut(&[Change])) {
        while let Some(batch) = self.next_batch() {
            on_change(&batch);
        }
    }

    /// Wait for the next batch of source changes; `None` when the watcher has stopped.
    fn next_batch(&mut self) -> Option<Vec<Change>> {
        let mut batch: Vec<Change> = Vec::new();
        let mut started: Option<Instant> = None;
        loop {
            let event = match started {
                None => self.events.recv().ok()?,
                Some(start) => {
                    let left = LONGEST_BATCH.saturating_sub(start.elapsed());
                    match self.events.recv_timeout(QUIET.min(left)) {
                        Ok(event) => event,
                        // Quiet long enough (or the watcher stopped): the batch is complete.
                        Err(_) => return Some(batch),
                    }
                }
            };
            let changes = self.changes(event);
            if !changes.is_empty() {
                started.get_or_insert_with(Instant::now);
                for change in changes {
                    if !batch.contains(&change) {
                        batch.push(change);
                    }
                }
            }
        }
    }

    /// The source changes one event stands for. A source folder made at the top level is watched from now on.
    fn changes(&mut self, event: notify::Result<notify::Event>) -> Vec<Change> {
        let Ok(event) = event else {
            // An overflowed queue loses events: rebuild to be safe.
            return vec![Change {
                path: "(many files)".into(),
                stylesheet: false,
            }];
        };
        if !relevant(event.kind) {
            return Vec::new();
        }
        let mut changes = Vec::new();
        for path in &event.paths {
            let Ok(relative) = path.strip_prefix(&self.root) else {
                continue;
            };
            if let Some(change) = classify(relative) {
                if matches!(event.kind, EventKind::Create(_))
                    && SOURCES[..4].contains(&change.path.as_str())
                {
                    self.watch_folder(&change.path);
                }
                changes.push(change);
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> Option<bool> {
        classify(Path::new(path)).map(|c| c.stylesheet)
    }

    #[test]
    fn sources_need_a_rebuild() {
        assert_eq!(kind("content/about.md"), Some(false));
        assert_eq!(kind("content/guide/leaflet.pdf"), Some(false));
        assert_eq!(kind("themes/default/templates/base.html"), Some(false));
        assert_eq!(kind("templates/page.html"), Some(false));
        assert_eq!(kind("config.toml"), Some(false));
        assert_eq!(
            kind("content"),
            Some(false),
            "a whole folder renamed or removed"
        );
    }

    #[test]
    fn stylesheets_are_told_apart() {
        assert_eq!(kind("themes/default/static/css/site.css"), Some(true));
        assert_eq!(kind("static/extra.css"), Some(true));
    }

    #[test]
    fn output_and_other_files_are_ignored() {
        for path in [
            "public/index.html",
            "public",
            ".iopsite-staging-x1/index.html",
            "README.md",
            "data/submissions.jsonl",
            "config.toml/x",
            "static.css",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
    }

    #[test]
    fn editor_swap_and_backup_files_are_ignored() {
        for path in [
            "content/.about.md.swp",
            "content/about.md~",
            "content/.#about.md",
            "content/#about.md#",
            "content/4913",
            "content/.git/index",
            ".config.toml.swp",
            "config.toml~",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, CreateKind, ModifyKind, RemoveKind};
        assert!(!relevant(EventKind::Access(AccessKind::Any)));
        assert!(relevant(EventKind::Modify(ModifyKind::Any)));
        assert!(relevant(EventKind::Create(CreateKind::File)));
        assert!(relevant(EventKind::Remove(RemoveKind::File)));
    }
}
