//! Part of the build stage, for `serve`: the rebuild after a saved change. A [`Preview`] keeps what its last good
//! full build read and made (the arranged site with every page's markdown, the templates' texts, every page's
//! template, context and look-ups, the globals), and for a batch of changed files renders only the outputs that can
//! differ, with the bytes a full build would write. When it cannot be sure, it runs the full build, which stays the
//! reference: the `incremental` integration test compares the two after random edit sequences.
//!
//! The ways, tried in order:
//! - [`text`]: the text of one page changed and nothing else it shows elsewhere: that page alone, in a few
//!   milliseconds at any size.
//! - [`pages`]: markdown files of `content/` changed, were added, deleted or renamed (front matter, text, photos and
//!   shortcodes alike): the site is arranged again from the pages in memory (only the changed files are read), and
//!   the render stage's [`crate::render::update`] renders the pages whose context or look-ups differ, and every
//!   list, feed and sitemap (written only when their bytes differ); image copies no page shows any more go.
//! - [`pages`] too: templates changed: the pages whose template is one of them, or extends, includes or imports
//!   one, however deep, are rendered again, and every list.
//! - [`statics`]: files published as they are (a stylesheet, a PDF) changed: each is copied.
//! - Everything else is a full build: `config.toml`, image files, static files added or deleted, shortcode
//!   templates, templates that call `resize_image`, a change of the globals (a menu entry), and anything either way
//!   above is unsure of.
//!
//! A failed rebuild leaves the output as the last good build made it, so what that build read is kept (unless a
//! way above had given it up), and the save that fixes the mistake starts from it with every path changed since.

use std::path::Path;
use std::time::Instant;

use super::{Bodies, BuildOptions, Summary, build_site};
use crate::config::Config;
use crate::error::Result;
use crate::markdown::Wanted;
use crate::output::Leftover;
use crate::render::{self, KeepPages, PageRenderer};
use crate::site::{Markdown, Site};
use crate::templates::TemplateSources;

mod pages;
mod statics;
mod text;

/// The rebuilds of one `serve`: what its last good full build read.
pub struct Preview {
    options: BuildOptions,
    last: Option<Last>,
    /// The paths changed since the last good build by saves whose rebuild failed. A failed build leaves the output
    /// as that build made it, so the next rebuild can start from it again, with these paths too.
    unbuilt: Vec<String>,
}

/// What the last good build read and made.
struct Last {
    /// The arranged site, with every page's markdown body kept in its source.
    site: Site,
    /// Every page's template and context, as rendered.
    renderer: PageRenderer,
    /// The markdown options of a site whose templates read only their own page's markdown; `None` otherwise.
    own_markdown: Option<Wanted>,
    /// What the render stage needs to render only what a change touches.
    kept: render::Kept,
    /// The templates' texts.
    sources: TemplateSources,
}

/// What a rebuild did.
pub struct Rebuilt {
    /// What the build did (after an incremental rebuild: the pages rendered again, the files written).
    pub summary: Summary,
    /// Renders pages again with extra variables, until the next rebuild.
    pub pages: PageRenderer,
    /// The configuration the site was built with.
    pub config: Config,
    /// After a full build: the previous output, for the caller to remove once it has announced the new site.
    pub leftover: Option<Leftover>,
    /// Whether only what the change touches was rendered, rather than the whole site.
    pub incremental: bool,
    /// After an incremental rebuild: the output files that were not there before (paths inside the output folder).
    pub added: Vec<String>,
    /// After an incremental rebuild: the output files removed (a deleted or moved page, an emptied list).
    pub removed: Vec<String>,
}

impl Rebuilt {
    /// An incremental rebuild that rendered `pages` pages and wrote `files` files since `start`, leaving `last`.
    fn incremental(last: &Last, (pages, files): (usize, usize), start: Instant) -> Rebuilt {
        Rebuilt {
            summary: Summary {
                pages,
                files,
                elapsed: start.elapsed(),
                images: crate::images::Work::default(),
            },
            pages: last.renderer.clone(),
            config: last.site.config.clone(),
            leftover: None,
            incremental: true,
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl Preview {
    /// Rebuilds for a server with these options; the first [`Preview::rebuild`] is a full build.
    pub fn new(options: BuildOptions) -> Preview {
        Preview {
            options,
            last: None,
            unbuilt: Vec::new(),
        }
    }

    /// Rebuild after `changed` (paths relative to the site folder, `/` separators; empty: build everything):
    /// only what depends on them when that is known for sure, else the whole site. A failed build leaves the output
    /// as it was, and the next rebuild is a full one.
    pub fn rebuild(&mut self, changed: &[String]) -> Result<Rebuilt> {
        if changed.is_empty() {
            self.last = None;
            self.unbuilt.clear();
            return self.full();
        }
        let mut paths = std::mem::take(&mut self.unbuilt);
        paths.extend_from_slice(changed);
        paths.sort();
        paths.dedup();
        let rebuilt = self.rebuild_paths(&paths);
        if rebuilt.is_err() {
            self.unbuilt = paths;
        }
        rebuilt
    }

    /// [`Preview::rebuild`] of these changed paths: the first way that is sure, else the full build. When that
    /// fails, what the last good build read is kept, if no way had given it up: the output is still what it made.
    fn rebuild_paths(&mut self, changed: &[String]) -> Result<Rebuilt> {
        if let Some(rebuilt) = self.page_text(changed) {
            return Ok(rebuilt);
        }
        if let Some(rebuilt) = self.pages(changed) {
            return Ok(rebuilt);
        }
        if let Some(rebuilt) = self.templates(changed) {
            return Ok(rebuilt);
        }
        if let Some(rebuilt) = self.static_files(changed) {
            return Ok(rebuilt);
        }
        let last = self.last.take();
        let full = self.full();
        if full.is_err() {
            self.last = last;
        }
        full
    }

    /// The site as the last good build read it (every page's markdown body in its source), for the preview's
    /// checks; `None` until a build has worked.
    pub fn site_mut(&mut self) -> Option<&mut Site> {
        self.last.as_mut().map(|last| &mut last.site)
    }

    /// The whole site, as `build` makes it, keeping what later rebuilds need.
    fn full(&mut self) -> Result<Rebuilt> {
        let full = build_site(&self.options, KeepPages::Yes, Bodies::Keep)?;
        let own_markdown = match full.site.markdown {
            Markdown::Deferred(wanted) => Some(wanted),
            Markdown::Rendered => None,
        };
        let config = full.site.config.clone();
        let renderer = full.pages.clone();
        self.last = Some(Last {
            site: full.site,
            renderer: full.pages,
            own_markdown,
            kept: full.kept,
            sources: full.sources,
        });
        Ok(Rebuilt {
            summary: full.summary,
            pages: renderer,
            config,
            leftover: Some(full.leftover),
            incremental: false,
            added: Vec::new(),
            removed: Vec::new(),
        })
    }
}

/// The changed paths that can matter: a file under `content/` that is gone now and that the last build did not
/// read (an editor's temporary file, saved and renamed within one batch) cannot.
fn relevant(root: &Path, site: &Site, changed: &[String]) -> Vec<String> {
    changed
        .iter()
        .filter(|path| {
            let Some(file) = path.strip_prefix("content/") else {
                return true;
            };
            root.join(path.as_str()).exists()
                || site.by_file.contains_key(file)
                || site.assets.iter().any(|asset| asset.file == file)
        })
        .cloned()
        .collect()
}
