//! `iopsite init` and `iopsite new`: make a working site, or a page with its front matter filled in, from files
//! embedded in the binary (so an installed binary needs no checkout).

use std::fs;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::error::{Error, Location, Result};

static STARTER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/starter");
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Make a new site in `dir`: config, starter pages and the default theme. Refuses a non-empty folder unless `force`.
pub fn init(dir: &Path, force: bool) -> Result<usize> {
    let has_files = fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if has_files && !force {
        let message = "this folder is not empty: choose a new folder, or add --force to write into it anyway (files with the same names are replaced)";
        return Err(Error::Config {
            at: Location::file(dir),
            message: message.into(),
        });
    }
    let mut written = extract(&STARTER, dir)?;
    written += extract(&DEFAULT_THEME, &dir.join("themes").join("default"))?;
    Ok(written)
}

fn extract(embedded: &Dir<'_>, dir: &Path) -> Result<usize> {
    let mut count = 0;
    for entry in embedded.entries() {
        if let Some(sub) = entry.as_dir() {
            count += extract(sub, &dir.join(sub.path().file_name().unwrap_or_default()))?;
        } else if let Some(file) = entry.as_file() {
            let path = dir.join(file.path().file_name().unwrap_or_default());
            fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.to_path_buf(),
                source,
            })?;
            fs::write(&path, file.contents()).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
            count += 1;
        }
    }
    Ok(count)
}

/// Write a new draft page at `file` (inside `content/`), with its front matter filled in. Never overwrites.
pub fn page(root: &Path, file: &Path, title: Option<&str>, today: &str) -> Result<PathBuf> {
    let inside = file.strip_prefix("content").unwrap_or(file);
    if file.is_absolute() || inside.extension().is_none_or(|ext| ext != "md") {
        let message =
            "give the page's path inside content/, ending in .md, for example content/groups.md";
        return Err(Error::content(Location::file(file), message));
    }
    let path = root.join("content").join(inside);
    let shown = Path::new("content").join(inside);
    if path.exists() {
        let message = "this page already exists: choose another file name (nothing was changed)";
        return Err(Error::content(Location::file(&shown), message));
    }
    let title = title.map_or_else(|| title_from_file(inside), str::to_string);
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).map_err(|source| Error::Write {
            path: shown.clone(),
            source,
        })?;
    }
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut text = front_matter(&title, today);
    // A translation (`faq.es.md`) starts as not reviewed by a qualified translator; `iopsite check` warns until it is.
    let name = inside.to_string_lossy();
    if crate::languages::split_file(&name).0.is_some() {
        text = text.replacen("draft = true\n", UNREVIEWED, 1);
    }
    file.and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|source| Error::Write {
            path: shown.clone(),
            source,
        })?;
    Ok(shown)
}

/// What a new translation's front matter says about its review.
const UNREVIEWED: &str = "draft = true\n# Change to true only after a qualified translator has reviewed this page.\n\
                          translation_reviewed = false\n";

fn front_matter(title: &str, today: &str) -> String {
    let title = toml::Value::String(title.to_string());
    format!(
        "+++\ntitle = {title}\n# One plain sentence (70 to 160 characters) shown in search results.\ndescription = \"\"\n\
         date = {today}\n# Change to false (or delete this line) when the page is ready to publish.\ndraft = true\n+++\n\n\
         Write the page here. Use ## for headings.\n"
    )
}

/// `therapy-groups.md` → "Therapy groups".
fn title_from_file(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_default();
    let mut chars = stem.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(
            title_from_file(Path::new("what-to-expect/therapy-groups.md")),
            "Therapy groups"
        );
    }

    #[test]
    fn front_matter_quotes_the_title() {
        let text = front_matter("Say \"hi\"", "2026-11-26");
        let split = crate::front_matter::split(&text).unwrap();
        let fm = crate::front_matter::parse(&split).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Say \"hi\""));
        assert!(fm.draft);
    }
}
