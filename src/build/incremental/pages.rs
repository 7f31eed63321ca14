//! The rebuilds that [`crate::render::update`] makes: after templates changed, and after markdown files of
//! `content/` changed, were added, deleted or renamed (front matter and text alike). Only the changed files are
//! read; the other pages come from memory. The site is arranged again (sections, order, neighbours, menus,
//! translations, taxonomies: all cheap next to rendering), and the render stage renders again only the pages whose
//! template would see something different. Files are written only when their bytes differ from the output
//! folder's, and the files no page or list makes any more are removed.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::{Last, Preview, Rebuilt, text::reaches_further};
use crate::content::{self, Content, SourcePage};
use crate::markdown::Wanted;
use crate::output::Updated;
use crate::render::{self, OutputFile};
use crate::site::{self, Site};
use crate::templates::TemplateSources;

impl Preview {
    /// Markdown files changed and nothing else: render what depends on them. `None` when a full build must do it.
    pub(super) fn pages(&mut self, changed: &[String]) -> Option<Rebuilt> {
        let start = Instant::now();
        let last = self.last.as_ref()?;
        let wanted = last.own_markdown?;
        let root = &self.options.root;
        let read = self.read_changed(&super::relevant(root, &last.site, changed))?;
        // From here on, giving up leaves nothing behind: the full build that follows starts afresh.
        let mut last = self.last.take()?;
        let changed_files: HashSet<String> = read.iter().map(|(file, _)| file.clone()).collect();
        let sources = with_changes(&mut last.site, read);
        if !content::duplicate_urls(&sources).is_empty() {
            return None;
        }
        let content = Content {
            pages: sources,
            assets: last.site.assets.clone(),
            ..Content::default()
        };
        let site = site::rearrange(
            last.site.config.clone(),
            content,
            Arc::clone(&last.site.library),
            wanted,
            Arc::clone(&last.site.shortcodes),
        )
        .ok()?;
        // A page's links are written as the addresses of the pages they name: when any address changed, every
        // page's markdown is rendered again.
        let moved = addresses_moved(&last.site, &site);
        let again: Vec<bool> = site
            .pages
            .iter()
            .map(|page| moved || changed_files.contains(&page.source.file))
            .collect();
        let update = render::update(
            root,
            &last.sources,
            &BTreeSet::new(),
            &site,
            &again,
            &last.renderer,
            &last.kept,
        )?;
        self.apply(last, Some(site), None, update, start)
    }

    /// Templates changed and nothing else: render again the pages whose template is one of them or uses one, and
    /// every list. `None` when a full build must do it: a shortcode (the markdown shows it), a template named by a
    /// variable, or templates that now read other pages' markdown or ask for word counts or tables of contents.
    pub(super) fn templates(&mut self, changed: &[String]) -> Option<Rebuilt> {
        let start = Instant::now();
        let last = self.last.as_ref()?;
        let wanted = last.own_markdown?;
        let theme = &last.site.config.theme;
        let theme_templates = format!("themes/{theme}/templates/");
        let is_template = |path: &String| {
            let name = path
                .strip_prefix(&theme_templates)
                .or_else(|| path.strip_prefix("templates/"));
            name.is_some_and(|name| !name.starts_with("shortcodes/"))
        };
        if changed.is_empty() || !changed.iter().all(is_template) {
            return None;
        }
        let sources = TemplateSources::read(&self.options.root, theme).ok()?;
        let asks = Wanted {
            word_count: sources.may_read_any(&["word_count", "reading_time"]),
            toc: sources.may_read_any(&["toc"]),
            ..wanted
        };
        let make_copies = sources.may_read_any(&["resize_image"]);
        if !sources.read_only_own_markdown() || asks != wanted || make_copies {
            return None;
        }
        let templates_changed = sources.changed_since(&last.sources)?;
        let again = vec![false; last.site.pages.len()];
        let update = render::update(
            &self.options.root,
            &sources,
            &templates_changed,
            &last.site,
            &again,
            &last.renderer,
            &last.kept,
        )?;
        let last = self.last.take()?;
        self.apply(last, None, Some(sources), update, start)
    }

    /// Write what an update made (the files whose bytes differ), remove what it no longer makes, and keep what the
    /// next rebuild needs: the new site and templates, when they changed.
    fn apply(
        &mut self,
        mut last: Last,
        site: Option<Site>,
        sources: Option<TemplateSources>,
        update: render::Update,
        start: Instant,
    ) -> Option<Rebuilt> {
        let now = site.as_ref().unwrap_or(&last.site);
        if !update.gone.is_empty() && comes_back(now, &update.gone)? {
            return None;
        }
        let output = &self.options.output;
        let (written, added) = write_changed(output, &update.files)?;
        for path in &update.gone {
            remove(output, path).ok()?;
        }
        let old_site = site.map(|site| std::mem::replace(&mut last.site, site));
        let old_renderer = std::mem::replace(&mut last.renderer, update.renderer);
        let old_kept = std::mem::replace(&mut last.kept, update.kept);
        render::drop_later((old_site, old_renderer, old_kept));
        if let Some(sources) = sources {
            last.sources = sources;
        }
        let rebuilt = Rebuilt {
            added,
            removed: update.gone,
            ..Rebuilt::incremental(&last, (update.pages, written), start)
        };
        self.last = Some(last);
        Some(rebuilt)
    }

    /// The changed markdown files (`content/…` paths), read again (`None` for one that is gone). `None` when
    /// something else changed, or a file cannot be read (the full build reports why).
    fn read_changed(&self, paths: &[String]) -> Option<Vec<(String, Option<SourcePage>)>> {
        let last = self.last.as_ref()?;
        if paths.is_empty() {
            return None;
        }
        let templates_make_copies = last.sources.may_read_any(&["resize_image"]);
        let mut read = Vec::with_capacity(paths.len());
        for path in paths {
            let file = path
                .strip_prefix("content/")
                .filter(|file| file.ends_with(".md") && !content::is_ignored(file))?;
            let page = self.read(file).ok()?;
            let before = last.site.page(file).map(|page| page.source.body.as_str());
            // The image copies a page's markdown shows are followed (`render::update`); those templates make with
            // `resize_image` are not, and only a full build makes and prunes them.
            let bodies = before
                .into_iter()
                .chain(page.as_ref().map(|p| p.body.as_str()));
            if templates_make_copies && bodies.into_iter().any(reaches_further) {
                return None;
            }
            read.push((file.to_string(), page));
        }
        Some(read)
    }

    /// A changed markdown file as `content::load` would read it: `None` when it is gone or a draft left out; an
    /// error when it cannot be read or parsed (the full build reports it).
    fn read(&self, file: &str) -> crate::error::Result<Option<SourcePage>> {
        let path = self.options.root.join("content").join(file);
        if !path.is_file() {
            return Ok(None);
        }
        let page = content::read_page(&path, file.to_string())?;
        Ok((self.options.drafts || !page.front_matter.draft).then_some(page))
    }
}

/// The site's sources with the changed files read again (`None`: gone), in the order `content::load` gives: the
/// folders' walk, each folder's entries by name, which is the order of the paths' components. The site's pages are
/// taken; they are in that order already, so a new file is put in its place rather than everything sorted again.
fn with_changes(site: &mut Site, read: Vec<(String, Option<SourcePage>)>) -> Vec<SourcePage> {
    let changed: HashSet<&str> = read.iter().map(|(file, _)| file.as_str()).collect();
    let mut sources: Vec<SourcePage> = std::mem::take(&mut site.pages)
        .into_iter()
        .map(|page| page.source)
        .filter(|source| !changed.contains(source.file.as_str()))
        .collect();
    for page in read.into_iter().filter_map(|(_, page)| page) {
        let place = sources.partition_point(|other| Path::new(&other.file) < Path::new(&page.file));
        sources.insert(place, page);
    }
    sources
}

/// Whether a page was added or removed, or its address changed.
fn addresses_moved(old: &Site, new: &Site) -> bool {
    old.by_file.len() != new.by_file.len()
        || new.by_file.iter().any(|(file, &index)| {
            old.by_file
                .get(file)
                .is_none_or(|&before| old.url_paths.get(before) != new.url_paths.get(index))
        })
}

/// Whether a file no page makes any more is one of the files published as they are (a page had replaced it): the
/// full build copies it again. `None` when they cannot be listed. (Image copies have names no page has.)
fn comes_back(site: &Site, gone: &[String]) -> Option<bool> {
    let copied: HashSet<String> = site
        .library
        .originals()
        .ok()?
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    Some(gone.iter().any(|path| copied.contains(path)))
}

/// Write the files whose bytes differ from the output folder's. Returns how many were written, and the paths of
/// those that were not there.
pub(super) fn write_changed(output: &Path, files: &[OutputFile]) -> Option<(usize, Vec<String>)> {
    let (mut written, mut added) = (0, Vec::new());
    for file in files {
        match crate::output::update(output, file).ok()? {
            Updated::Same => {}
            Updated::Changed => written += 1,
            Updated::New => {
                written += 1;
                added.push(file.path.clone());
            }
        }
    }
    Some((written, added))
}

/// Remove a file of the output folder, and the folders it leaves empty.
fn remove(output: &Path, file: &str) -> std::io::Result<()> {
    let path = output.join(file);
    match std::fs::remove_file(&path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let mut folder = path.parent();
    while let Some(dir) = folder.filter(|dir| *dir != output && dir.starts_with(output)) {
        if std::fs::remove_dir(dir).is_err() {
            break;
        }
        folder = dir.parent();
    }
    Ok(())
}
