//! The quickest rebuild: the text of one page changed, and nothing else. Its front matter (title, date, place,
//! menu, taxonomies, …) is exactly as before, so no other output can show a difference: with templates that read
//! only their own page's markdown ([`crate::templates::TemplateSources::read_only_own_markdown`]) the page's HTML
//! reaches its own file alone. Not here (the next way, or a full build): front matter edits, several files at once,
//! and text whose effects reach further than its page: images and shortcodes (image copies), a heading another
//! page may link to, a new link to another page's heading, a dated page in a feed, and a sitemap date taken from
//! the file's modification day when that day changes.

use std::collections::BTreeSet;
use std::time::Instant;

use super::{BuildOptions, Preview, Rebuilt};
use crate::content::{self, SourcePage};
use crate::markdown::Rendered;
use crate::render;
use crate::site::{Links, Site};

impl Preview {
    /// One page's text changed and nothing else: render that page alone. `None` when that is not certain to give
    /// what a full build would.
    pub(super) fn page_text(&mut self, changed: &[String]) -> Option<Rebuilt> {
        let start = Instant::now();
        let last = self.last.as_mut()?;
        let wanted = last.own_markdown?;
        let relevant = super::relevant(&self.options.root, &last.site, changed);
        let [path] = relevant.as_slice() else {
            return None;
        };
        let file = path.strip_prefix("content/")?.to_string();
        let index = *last.site.by_file.get(&file)?;
        let new = content::read_page(&self.options.root.join(path), file).ok()?;
        let site = &last.site;
        let old = &site.pages[index].source;
        let same_front_matter = new.front_matter_text == old.front_matter_text
            && new.front_matter_line == old.front_matter_line
            && new.body_line == old.body_line
            && new.path == old.path;
        if !same_front_matter || reaches_further(&old.body) || reaches_further(&new.body) {
            return None;
        }
        if in_a_feed(site, index) || !sitemap_unchanged(&self.options, site, &new) {
            return None;
        }
        let links = Links::new(site, &[]);
        let before = links.render(&site.pages[index], &old.body, wanted);
        let mut after = links.render(&site.pages[index], &new.body, wanted);
        if !same_links(&before, &after) {
            return None;
        }
        let value = fresh_value(last.renderer.page_value(&new.path)?);
        let value = crate::context::with_markdown(&value, site, index, &mut after);
        let (bytes, renderer) = last.renderer.render_again(&new.path, value)?.ok()?;
        let file = render::OutputFile {
            path: format!("{}index.html", &new.path[1..]),
            contents: render::Contents::Bytes(bytes),
        };
        // The server holds its site lock: no request reads this file while it is written.
        if crate::output::update(&self.options.output, &file).is_err() {
            // The page's file may be half written: from here only a full build knows what the output holds.
            self.last = None;
            return None;
        }
        last.renderer = renderer;
        last.kept.set_facts(&new.file, after);
        last.site.pages[index].source = new;
        Some(Rebuilt::incremental(last, (1, 1), start))
    }
}

/// Whether a page's markdown may affect other outputs than its own page: images (their published copies),
/// shortcodes (which may ask for image copies too) and raw HTML pictures or media.
pub(super) fn reaches_further(body: &str) -> bool {
    [
        "![", "{{", "{%", "<img", "<picture", "<source", "<video", "<audio",
    ]
    .iter()
    .any(|mark| body.contains(mark))
}

/// Whether a page may be shown in full in a feed: feeds hold dated pages only, with their HTML.
fn in_a_feed(site: &Site, index: usize) -> bool {
    let config = &site.config;
    let feeds = config.generate_feeds
        || config.taxonomies.iter().any(|taxonomy| taxonomy.feed)
        || site
            .pages
            .iter()
            .any(|page| page.source.front_matter.generate_feeds);
    feeds && site.pages[index].source.front_matter.date.is_some()
}

/// Whether the new text leaves every link check as the full build left it: no new problem, the same headings
/// (other pages may link to them), and no link with a `#` that was not there before (it may name another page's
/// heading, which only the full build checks). Images were ruled out before ([`reaches_further`]).
fn same_links(before: &Rendered, after: &Rendered) -> bool {
    let anchored = |rendered: &Rendered| -> BTreeSet<String> {
        rendered
            .links
            .iter()
            .filter(|link| link.dest.contains('#'))
            .map(|link| link.dest.clone())
            .collect()
    };
    after.problems.is_empty()
        && before.heading_ids == after.heading_ids
        && anchored(after).is_subset(&anchored(before))
}

/// A page's value with nothing of its markdown in it, as the build makes it before the markdown is rendered:
/// [`crate::context::with_markdown`] then fills in what the new markdown gives.
fn fresh_value(value: &tera::Value) -> tera::Value {
    let mut map = value.as_map().cloned().unwrap_or_default();
    map.insert("content".into(), tera::Value::from(""));
    map.insert(
        "toc".into(),
        tera::Value::from_serializable(&Vec::<()>::new()),
    );
    map.insert(
        "word_count".into(),
        tera::Value::from_serializable(&None::<usize>),
    );
    map.insert(
        "reading_time".into(),
        tera::Value::from_serializable(&None::<usize>),
    );
    tera::Value::from(map)
}

/// Whether `sitemap.xml` stays as it is: it gives a page with no date in its front matter the day its file was
/// last changed, which a save may have moved on.
fn sitemap_unchanged(options: &BuildOptions, site: &Site, page: &SourcePage) -> bool {
    let fm = &page.front_matter;
    if fm.date.is_some() || fm.updated.is_some() || fm.last_reviewed.is_some() {
        return true;
    }
    let Some(day) = render::last_modified(&options.root, page) else {
        return false;
    };
    let url = render::escape(&crate::context::permalink(
        &site.config.base_url,
        &page.path,
    ));
    let entry = format!("<loc>{url}</loc>\n    <lastmod>{day}</lastmod>\n");
    std::fs::read_to_string(options.output.join("sitemap.xml"))
        .is_ok_and(|sitemap| sitemap.contains(&entry))
}
