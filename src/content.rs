//! Stage 2b: content. Walks `content/` and turns each markdown file into a [`SourcePage`] (front matter parsed, URL
//! path decided) and every other file into an [`Asset`] copied beside it. Reports every problem it finds, not only
//! the first. Does not render markdown or look at links: that is the site stage.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{Error, Location, Result};
use crate::front_matter::{self, FrontMatter};

/// A markdown file of `content/`, parsed but not rendered.
#[derive(Debug, Clone)]
pub struct SourcePage {
    /// Path relative to `content/`, with `/` separators: `what-to-expect/therapy.md`.
    pub file: String,
    /// Path shown in messages: `content/what-to-expect/therapy.md`.
    pub shown: PathBuf,
    /// `_index.md`: a section page (the home page is the root section).
    pub is_section: bool,
    /// The parsed front matter.
    pub front_matter: FrontMatter,
    /// The front matter text, without its delimiter lines.
    pub front_matter_text: String,
    /// 1-based line of the first front matter line in the file.
    pub front_matter_line: usize,
    /// The markdown body.
    pub body: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
    /// URL path, always starting and ending with `/`: `/what-to-expect/therapy/` (`/es/…` for a Spanish page).
    pub path: String,
    /// The language written in the file's name (`faq.es.md` → `es`); `None` for the default language.
    pub lang: Option<String>,
    /// The file's path without its language (`faq.md` for `faq.es.md`): what a page and its translations share.
    pub base: String,
}

impl SourcePage {
    /// The page's title (checked to exist when the front matter was parsed).
    pub fn title(&self) -> &str {
        self.front_matter.title.as_deref().unwrap_or_default()
    }

    /// The line of a front matter key (for messages about its value), or the first front matter line.
    pub fn key_line(&self, key: &str) -> usize {
        let found = self.front_matter_text.lines().position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        });
        self.front_matter_line + found.unwrap_or(0)
    }

    /// Folder of the file inside `content/` ("" at the top), with `/` separators: where its relative links start
    /// (a bundle page `d/x/index.md` is in `d/x`).
    pub fn folder(&self) -> &str {
        self.file.rsplit_once('/').map_or("", |(dir, _)| dir)
    }
}

/// A non-markdown file of `content/` (an image, a PDF), copied to the same place in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The file on disk.
    pub source: PathBuf,
    /// Path relative to `content/` and to the output folder, with `/` separators.
    pub file: String,
}

/// Everything found in `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Pages and sections, sorted by file path.
    pub pages: Vec<SourcePage>,
    /// Other files, sorted by path.
    pub assets: Vec<Asset>,
    /// Markdown files that could not be read or parsed: links to them are not reported as broken.
    pub broken: Vec<String>,
    /// What was wrong with them, so a build reports every problem at once.
    pub errors: Vec<Error>,
}

/// Read `root/content`. Drafts are left out unless `drafts`. Problems are collected in [`Content::errors`] and the
/// rest is still loaded, so one build can report every problem at once. Markdown files are read and parsed in
/// parallel; the result is in file order all the same.
pub fn load(root: &Path, drafts: bool) -> Content {
    let dir = root.join("content");
    let mut content = Content::default();
    let markdown = walk(root, &dir, &mut content);
    let read: Vec<(String, Result<SourcePage>)> = markdown
        .into_par_iter()
        .map(|(source, file)| (file.clone(), read_page(&source, file)))
        .collect();
    for (file, result) in read {
        match result {
            Ok(page) if drafts || !page.front_matter.draft => content.pages.push(page),
            Ok(_) => {}
            Err(err) => {
                content.broken.push(file);
                content.errors.push(err);
            }
        }
    }
    let duplicates = duplicate_urls(&content.pages);
    content.errors.extend(duplicates);
    content
}

/// Walk `dir` in file order: other files become assets, folders that cannot be read become errors, and the
/// markdown files are returned (path on disk, path inside `content/`) to be read.
fn walk(root: &Path, dir: &Path, content: &mut Content) -> Vec<(PathBuf, String)> {
    let mut markdown = Vec::new();
    // Links are followed: staff may link a shared folder in; a dangling link is reported, not skipped.
    for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) if entry.file_type().is_file() => entry,
            Ok(_) => continue,
            Err(err) => {
                content.errors.push(walk_error(root, dir, err));
                continue;
            }
        };
        let file = relative_path(dir, entry.path());
        if is_ignored(&file) {
            continue;
        }
        let source = entry.into_path();
        if file.ends_with(".md") {
            markdown.push((source, file));
        } else {
            content.assets.push(Asset { source, file });
        }
    }
    markdown
}

fn walk_error(root: &Path, dir: &Path, err: walkdir::Error) -> Error {
    let path = err.path().unwrap_or(dir);
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let source = err
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("a folder loop"));
    Error::Read {
        path: shown,
        source,
    }
}

/// Editor swap and backup files and hidden files are never content.
pub fn is_ignored(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name == "4913"
}

/// `path` inside `dir`, with `/` separators whatever the platform: `what-to-expect/therapy.md`.
pub fn relative_path(dir: &Path, path: &Path) -> String {
    if let Some(text) = relative_text(dir, path) {
        return text.to_owned();
    }
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` inside `dir` when `path` is `dir` with names joined to it (as a folder walk makes them) and is UTF-8: the
/// bytes after `dir`'s. Comparing paths part by part, as `Path::strip_prefix` does, cost 1,400 instructions a file.
pub fn relative_text<'p>(dir: &Path, path: &'p Path) -> Option<&'p str> {
    let dir = dir.as_os_str().as_encoded_bytes();
    let rest = path.as_os_str().as_encoded_bytes().strip_prefix(dir)?;
    let rest = match rest {
        [b'/', rest @ ..] => rest,
        _ if dir.ends_with(b"/") => rest,
        _ => return None,
    };
    let text = std::str::from_utf8(rest).ok()?;
    text.split('/')
        .all(|part| !part.is_empty() && part != "." && part != "..")
        .then_some(text)
}

/// Read and parse one markdown file of `content/` (`file`: its path inside `content/`), as [`load`] does.
pub(crate) fn read_page(path: &Path, file: String) -> Result<SourcePage> {
    let shown = Path::new("content").join(&file);
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let line = crate::config::line_of(&String::from_utf8_lossy(err.as_bytes()), err.utf8_error().valid_up_to());
        Error::content(
            Location::line(&shown, line),
            "this file is not UTF-8 text: open it in your editor and save it with the encoding \"UTF-8\"",
        )
    })?;
    let located = |problem: front_matter::Problem| {
        Error::content(Location::line(&shown, problem.line), problem.message)
    };
    let split = front_matter::split(&text).map_err(located)?;
    let front_matter = front_matter::parse(&split).map_err(located)?;
    let (lang, base) = crate::languages::split_file(&file);
    let lang = lang.map(str::to_string);
    let is_section = base == "_index.md" || base.ends_with("/_index.md");
    let mut path = url_path(&base, front_matter.slug.as_deref());
    if let Some(lang) = &lang {
        path = format!("/{lang}{path}");
    }
    let front_matter_text = split.front_matter.to_string();
    let (front_matter_line, body_line) = (split.front_matter_line, split.body_line);
    // The body is the end of the text: keep the text's memory for it rather than copy it.
    let body_start = text.len() - split.body.len();
    let mut body = text;
    body.drain(..body_start);
    Ok(SourcePage {
        file,
        shown,
        is_section,
        front_matter,
        front_matter_text,
        front_matter_line,
        body,
        body_line,
        path,
        lang,
        base,
    })
}

/// The URL path of a content file: `x.md` → `/x/`, `d/_index.md` → `/d/`, `d/x/index.md` → `/d/x/`.
pub fn url_path(file: &str, slug: Option<&str>) -> String {
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let stem = stem
        .strip_suffix("_index")
        .or_else(|| stem.strip_suffix("/index"))
        .unwrap_or(stem);
    let stem = stem.trim_end_matches('/');
    let mut parts: Vec<&str> = stem.split('/').filter(|part| !part.is_empty()).collect();
    if let (Some(slug), Some(last)) = (slug, parts.last_mut()) {
        *last = slug.trim_matches('/');
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

pub(crate) fn duplicate_urls(pages: &[SourcePage]) -> Vec<Error> {
    let mut seen: ahash::AHashMap<&str, &SourcePage> = ahash::AHashMap::with_capacity(pages.len());
    let mut errors = Vec::new();
    for page in pages {
        if let Some(first) = seen.insert(&page.path, page) {
            let message = format!(
                "this page and {} both make the address {}: change the file name or the `slug` of one of them",
                first.shown.display(),
                page.path
            );
            errors.push(Error::content(Location::file(&page.shown), message));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_follow_zola() {
        assert_eq!(url_path("_index.md", None), "/");
        assert_eq!(url_path("benefits.md", None), "/benefits/");
        assert_eq!(
            url_path("what-to-expect/_index.md", None),
            "/what-to-expect/"
        );
        assert_eq!(
            url_path("what-to-expect/therapy.md", None),
            "/what-to-expect/therapy/"
        );
        assert_eq!(url_path("stories/one/index.md", None), "/stories/one/");
        assert_eq!(
            url_path("what-to-expect/therapy.md", Some("groups")),
            "/what-to-expect/groups/"
        );
    }

    #[test]
    fn relative_paths_are_the_names_below_the_folder() {
        let cases = [
            ("content", "content/a/b.md", Some("a/b.md")),
            ("content/", "content/a.md", Some("a.md")),
            ("/x/content", "/x/content/a.md", Some("a.md")),
            ("content", "contents/a.md", None),
            ("content", "content", None),
            ("content", "content/./a.md", None),
        ];
        for (dir, path, text) in cases {
            assert_eq!(
                relative_text(Path::new(dir), Path::new(path)),
                text,
                "{path}"
            );
        }
        assert_eq!(
            relative_path(Path::new("content"), Path::new("content/./a//b.md")),
            "a/b.md"
        );
        assert_eq!(
            relative_path(Path::new("content"), Path::new("content")),
            ""
        );
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            "a/.page.md.swp",
            "page.md~",
            ".#page.md",
            "4913",
            "a/#page.md#",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("what-to-expect/therapy.md"));
    }

    #[test]
    fn the_body_is_what_follows_the_front_matter_with_or_without_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        for start in ["", "\u{feff}"] {
            let path = dir.path().join("page.md");
            std::fs::write(
                &path,
                format!("{start}+++\ntitle = \"Hi\"\n+++\n# Hello\n\nText.\n"),
            )
            .unwrap();
            let page = read_page(&path, "page.md".into()).unwrap();
            assert_eq!(page.body, "# Hello\n\nText.\n");
            assert_eq!(
                (
                    page.front_matter_text.as_str(),
                    page.front_matter_line,
                    page.body_line
                ),
                ("title = \"Hi\"\n", 2, 4)
            );
        }
    }
}
