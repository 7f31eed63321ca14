//! What the rules read: every built file (HTML pages parsed, stylesheets and scripts as text), and the sources a
//! problem can be traced back to. [`Input::locate`] turns a line of a built page into the place to fix it: the
//! markdown line for the page's own text, else the front matter, `config.toml` or template that holds the same
//! text, else the built file itself under `public/`.

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::html::{Document, Node};
use crate::config::line_of;
use crate::content::relative_path;
use crate::error::{Error, Location, Result};
use crate::site::{Page, Site};

/// A built HTML file.
#[derive(Debug)]
pub(crate) struct Built {
    /// Path in the output folder: `benefits/index.html`.
    pub(crate) file: String,
    /// The page it was made from (index into `Site::pages`); `None` for `404.html` and redirects.
    pub(crate) page: Option<usize>,
    /// Its tags and text.
    pub(crate) doc: Document,
    /// Lines of the file that hold the page's markdown, as HTML.
    pub(crate) content: Option<RangeInclusive<usize>>,
}

impl Built {
    /// Whether this is a redirect page made for `aliases` (it has no content of its own).
    pub(crate) fn is_redirect(&self) -> bool {
        self.doc.elements().any(|(_, e)| {
            e.name == "meta"
                && e.attr("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        })
    }
}

/// A text file that may hold the words of a problem, with the line its text starts on.
#[derive(Debug)]
struct Source {
    shown: PathBuf,
    first_line: usize,
    text: String,
}

/// Everything the rules look at.
#[derive(Debug)]
pub(crate) struct Input<'a> {
    /// The assembled site.
    pub(crate) site: &'a Site,
    /// Built HTML files, by output path.
    pub(crate) pages: Vec<Built>,
    /// Built stylesheets: output path and text.
    pub(crate) styles: Vec<(String, String)>,
    /// Built scripts: output path and text.
    pub(crate) scripts: Vec<(String, String)>,
    /// Every built file's output path.
    pub(crate) files: HashSet<String>,
    /// The `id`s (and `<a name>`s) of every built page, for `#anchor` links.
    pub(crate) ids: HashMap<String, HashSet<String>>,
    /// The text of `config.toml`.
    pub(crate) config_text: String,
    /// The site's folder.
    pub(crate) root: PathBuf,
    /// The folder the site was built into.
    pub(crate) out: PathBuf,
    sources: Vec<Source>,
}

impl<'a> Input<'a> {
    /// An input with no built file read yet, but config.toml's text; `files`: the built files known so far.
    fn empty(
        root: &'a Path,
        site: &'a Site,
        out: &Path,
        files: HashSet<String>,
    ) -> Result<Input<'a>> {
        Ok(Input {
            site,
            pages: Vec::new(),
            styles: Vec::new(),
            scripts: Vec::new(),
            files,
            ids: HashMap::new(),
            config_text: read(&root.join("config.toml"), Path::new("config.toml"))?,
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            sources: Vec::new(),
        })
    }

    /// Read the site built into `out` and the files problems can be traced to.
    pub(crate) fn load(root: &'a Path, site: &'a Site, out: &Path) -> Result<Input<'a>> {
        let by_output: HashMap<String, usize> = site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (output_of(p), i))
            .collect();
        let mut input = Input::empty(root, site, out, HashSet::new())?;
        for entry in WalkDir::new(out).sort_by_file_name().into_iter().flatten() {
            if entry.file_type().is_file() {
                input.add_file(out, entry.path(), &by_output)?;
            }
        }
        input.sources = sources(root, site, &input.config_text)?;
        Ok(input)
    }

    /// What the rules need to check only the pages `indexes` of a site built into `out`: their built files, and
    /// the ids of the pages they link to with an `#anchor`. `files`: every file of the built site.
    pub(crate) fn for_pages(
        root: &'a Path,
        site: &'a Site,
        out: &Path,
        indexes: &[usize],
        files: HashSet<String>,
    ) -> Result<Input<'a>> {
        let by_output: HashMap<String, usize> = indexes
            .iter()
            .map(|&i| (output_of(&site.pages[i]), i))
            .collect();
        let mut input = Input::empty(root, site, out, files)?;
        for file in by_output.keys() {
            input.add_file(out, &out.join(file), &by_output)?;
        }
        for file in input.anchored_targets() {
            let text = read(&out.join(&file), &Path::new("public").join(&file))?;
            input.ids.insert(file, ids(&Document::parse(&text)));
        }
        input.sources = sources(root, site, &input.config_text)?;
        Ok(input)
    }

    /// The built HTML files that the loaded pages link to with an `#anchor`, whose ids are not loaded yet.
    fn anchored_targets(&self) -> HashSet<String> {
        let base_url = &self.site.config.base_url;
        let mut targets = HashSet::new();
        for built in &self.pages {
            for (_, element) in built.doc.elements() {
                for (_, address) in super::links::addresses(element) {
                    let super::url::Target::Internal {
                        path,
                        fragment: Some(_),
                    } = super::url::resolve(&built.file, address, base_url)
                    else {
                        continue;
                    };
                    if let Some(file) = super::url::exists(&self.files, &path) {
                        targets.insert(file);
                    }
                }
            }
        }
        targets.retain(|file| file.ends_with(".html") && !self.ids.contains_key(file));
        targets
    }

    fn add_file(
        &mut self,
        out: &Path,
        path: &Path,
        by_output: &HashMap<String, usize>,
    ) -> Result<()> {
        let file = relative_path(out, path);
        self.files.insert(file.clone());
        let shown = Path::new("public").join(&file);
        if file.ends_with(".html") {
            let text = read(path, &shown)?;
            let doc = Document::parse(&text);
            self.ids.insert(file.clone(), ids(&doc));
            let page = by_output.get(&file).copied();
            let content = page.and_then(|i| content_lines(&text, &self.site.pages[i]));
            self.pages.push(Built {
                file,
                page,
                doc,
                content,
            });
        } else if file.ends_with(".css") {
            self.styles.push((file, read(path, &shown)?));
        } else if file.ends_with(".js") || file.ends_with(".mjs") {
            self.scripts.push((file, read(path, &shown)?));
        }
        Ok(())
    }

    /// The place to fix a problem seen on line `line` of a built page; `needle` is text from the problem (an
    /// attribute value, some words) to look for in the sources when the line is not the page's own markdown.
    pub(crate) fn locate(&self, built: &Built, line: usize, needle: &str) -> Location {
        if let (Some(index), Some(lines)) = (built.page, &built.content)
            && lines.contains(&line)
        {
            let page = &self.site.pages[index];
            let markdown_line = page.rendered.markdown_line(line - lines.start() + 1);
            return Location::line(
                &page.source.shown,
                page.source.body_line + markdown_line - 1,
            );
        }
        self.find(built.page, needle)
            .unwrap_or_else(|| Location::line(Path::new("public").join(&built.file), line))
    }

    /// Where `needle` is written: the page's own front matter first, then any page's, `config.toml`, templates.
    pub(crate) fn find(&self, page: Option<usize>, needle: &str) -> Option<Location> {
        let needle = needle.trim();
        if needle.chars().count() < 3 {
            return None;
        }
        let own = page.and_then(|i| {
            let shown = &self.site.pages[i].source.shown;
            self.sources.iter().find(|s| s.shown == *shown)
        });
        own.into_iter().chain(&self.sources).find_map(|source| {
            let offset = source.text.find(needle)?;
            Some(Location::line(
                &source.shown,
                source.first_line + line_of(&source.text, offset) - 1,
            ))
        })
    }
}

/// The output file of a page: `/benefits/` → `benefits/index.html`.
pub(crate) fn output_of(page: &Page) -> String {
    format!("{}index.html", page.source.path.trim_start_matches('/'))
}

/// The lines of `html` that hold the page's rendered markdown, when the template put it in unchanged.
fn content_lines(html: &str, page: &Page) -> Option<RangeInclusive<usize>> {
    let content = page.rendered.html.trim_end();
    if content.is_empty() {
        return None;
    }
    let start = html.find(content)?;
    Some(line_of(html, start)..=line_of(html, start + content.len()))
}

fn ids(doc: &Document) -> HashSet<String> {
    doc.nodes
        .iter()
        .filter_map(|node| match node {
            Node::Start(e) => e
                .attr("id")
                .or_else(|| e.attr("name").filter(|_| e.name == "a")),
            _ => None,
        })
        .map(str::to_string)
        .collect()
}

/// Front matter of every page, then `config.toml`, then the templates (the site's own first, as they win).
fn sources(root: &Path, site: &Site, config_text: &str) -> Result<Vec<Source>> {
    let mut sources: Vec<Source> = site
        .pages
        .iter()
        .map(|page| Source {
            shown: page.source.shown.clone(),
            first_line: page.source.front_matter_line,
            text: page.source.front_matter_text.clone(),
        })
        .collect();
    sources.push(Source {
        shown: "config.toml".into(),
        first_line: 1,
        text: config_text.to_string(),
    });
    let theme = Path::new("themes")
        .join(&site.config.theme)
        .join("templates");
    for dir in [PathBuf::from("templates"), theme] {
        for entry in WalkDir::new(root.join(&dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_file() {
                let shown = dir.join(relative_path(&root.join(&dir), entry.path()));
                let text = read(entry.path(), &shown)?;
                sources.push(Source {
                    shown,
                    first_line: 1,
                    text,
                });
            }
        }
    }
    Ok(sources)
}

/// A file's text; bytes that are not UTF-8 (a stray Latin-1 stylesheet) are replaced, not fatal.
fn read(path: &Path, shown: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: shown.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
