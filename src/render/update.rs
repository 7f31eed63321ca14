//! Part of the render stage, for the preview: after content files changed, render again only the outputs that can
//! differ from the last render. What a page's output depends on is not kept in a hand-written list: it is what its
//! template saw. A page is rendered again when its template, its context (its own value, its section's `pages`,
//! its neighbours, breadcrumbs, translations, pager, …) or something it looked up through a template function
//! (`get_section`, `get_page`, `get_url`: recorded while it rendered, [`crate::templates::Reads`]) differs from last
//! time. The globals (config, menus, languages, the site feed) are compared too: when they differ, every page may
//! show it, and the caller builds the whole site instead. The files made from lists (pagers, taxonomy pages,
//! feeds), the sitemap, the 404 pages and the redirects are cheap next to the pages: they are all made again, and the
//! caller writes the ones whose bytes differ.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    OutputFile, PageJob, PageRenderer, content_of, lists, other_files, page_context, page_file,
    template_for,
};
use crate::context::{self, SiteValues};
use crate::markdown::{Rendered, Wanted};
use crate::site::{Links, Markdown, Site};
use crate::templates::{Lookup, MARKDOWN_FIELDS, Reads, TemplateSources, Templates};

/// What a full render keeps besides the [`PageRenderer`], for [`update`].
pub struct Kept {
    /// The globals every template saw.
    pub(super) globals: tera::Context,
    /// What the template functions looked up.
    pub(super) lookup: Arc<Lookup>,
    /// Per content file: what its markdown made besides its HTML (which is in its page's job).
    pub(super) facts: HashMap<String, Arc<Facts>>,
    /// Every file made from pages and lists, the sitemap and the other files made here (not the copied files).
    pub(super) made: BTreeSet<String>,
}

/// What a page's markdown made besides its HTML: what the link check needs, and the image copies it shows.
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// Its headings, links and problems (no HTML).
    pub(super) links: Rendered,
    /// The output paths of the image copies it asked for.
    pub(super) copies: Vec<String>,
}

impl Facts {
    /// The facts of a page's rendered markdown, whose HTML is taken elsewhere.
    pub(super) fn of(markdown: Rendered, copies: Vec<String>) -> Facts {
        let links = Rendered {
            heading_ids: markdown.heading_ids,
            links: markdown.links,
            problems: markdown.problems,
            ..Rendered::default()
        };
        Facts { links, copies }
    }
}

impl Kept {
    /// Whether a page, a list or the render stage's other files make this output file.
    pub fn made(&self, path: &str) -> bool {
        self.made.contains(path)
    }

    /// Replace what the link check knows of one content file's markdown (after it was rendered alone).
    /// Its markdown shows no image (the one-page rebuild is only for such text).
    pub fn set_facts(&mut self, file: &str, rendered: Rendered) {
        let facts = Facts::of(rendered, Vec::new());
        self.facts.insert(file.to_string(), Arc::new(facts));
    }
}

/// What [`update`] made.
pub struct Update {
    /// The pages rendered again, then every file made from lists and the other files: the caller writes those whose
    /// bytes differ from the output folder's.
    pub files: Vec<OutputFile>,
    /// How many pages were rendered again.
    pub pages: usize,
    /// Files the last render made that this one does not (a deleted or moved page, an emptied list).
    pub gone: Vec<String>,
    /// Renders pages again with extra variables, until the next rebuild.
    pub renderer: PageRenderer,
    /// What the next update needs.
    pub kept: Kept,
}

/// Render again what differs from the last render (`previous`, `kept`) in `site`, whose markdown is left to this
/// stage ([`Markdown::Deferred`]). `again[i]`: page `i`'s markdown must be rendered again (its file changed, or the
/// pages' addresses did, which its links may name); the others keep the HTML of their last render. `None` when the
/// caller must build the whole site: the globals differ, a template function makes image copies, or something
/// fails (the full build reports it, with every other problem). `sources`: the templates now; every page whose
/// template is one of `templates_changed` ([`TemplateSources::changed_since`]) is rendered again.
pub fn update(
    root: &Path,
    sources: &TemplateSources,
    templates_changed: &BTreeSet<String>,
    site: &Site,
    again: &[bool],
    previous: &PageRenderer,
    kept: &Kept,
) -> Option<Update> {
    let Markdown::Deferred(wanted) = site.markdown else {
        return None;
    };
    let SiteValues {
        pages: values,
        globals,
        lookup,
        breadcrumbs,
    } = context::build(site);
    let lists = lists::Lists::new(site).ok()?;
    let same = Same::between(site, &values, &kept.lookup, &lookup);
    let changed = Changed::between(site, &same, &kept.lookup, &lookup);
    let lookup = Arc::new(lookup);
    let mut templates = Templates::load(sources, Arc::clone(&lookup)).ok()?;
    *templates.tera.global_context() = globals;
    templates
        .tera
        .global_context()
        .insert_value("feeds", lists.global_feeds());
    if *templates.tera.global_context() != kept.globals {
        return None;
    }
    let pass = Pass {
        site,
        values: &values,
        breadcrumbs: &breadcrumbs,
        lists: &lists,
        templates: &templates,
        links: Links::new(site, &[]),
        wanted,
        again,
        same: &same,
        changed: &changed,
        templates_changed,
        previous,
        kept,
    };
    let done: Vec<PageUpdate> = (0..site.pages.len())
        .into_par_iter()
        .map(|index| pass.page(index))
        .collect::<Option<_>>()?;
    let all: Vec<&Rendered> = done.iter().map(|page| &page.facts.links).collect();
    if !pass.links.errors(&all).is_empty() {
        return None;
    }
    let mut made = other_files(root, site, &templates, &lists).ok()?;
    made.extend(lists.render(&templates, site, &values, &breadcrumbs).ok()?);
    let mut next = Kept {
        globals: templates.tera.global_context().clone(),
        lookup,
        facts: HashMap::with_capacity(done.len()),
        made: made.iter().map(|file| file.path.clone()).collect(),
    };
    let mut files = Vec::new();
    let mut jobs = HashMap::with_capacity(done.len());
    for (update, page) in done.into_iter().zip(&site.pages) {
        next.made.insert(page_file(page));
        next.facts.insert(page.source.file.clone(), update.facts);
        jobs.insert(page.source.path.clone(), update.job);
        files.extend(update.file);
    }
    let pages = files.len();
    files.extend(made);
    let (copies, mut gone) = image_copies(site, kept, &next)?;
    files.extend(copies);
    gone.extend(kept.made.difference(&next.made).cloned());
    let renderer = PageRenderer::new(templates, jobs, super::again::translations(site));
    // Freeing a big site's values takes a while: not while the writer waits for the page.
    drop_later((values, breadcrumbs, lists));
    Some(Update {
        files,
        pages,
        gone,
        renderer,
        kept: next,
    })
}

/// What deciding and rendering each page needs.
struct Pass<'a> {
    site: &'a Site,
    values: &'a [tera::Value],
    breadcrumbs: &'a [tera::Value],
    lists: &'a lists::Lists,
    templates: &'a Templates,
    links: Links<'a>,
    wanted: Wanted,
    again: &'a [bool],
    same: &'a Same,
    changed: &'a Changed,
    templates_changed: &'a BTreeSet<String>,
    previous: &'a PageRenderer,
    kept: &'a Kept,
}

impl Pass<'_> {
    /// Page `index`: its last job when its template would see nothing new, else rendered again. `None` when the
    /// whole site must be built.
    fn page(&self, index: usize) -> Option<PageUpdate> {
        let (site, page) = (self.site, &self.site.pages[index]);
        let old = self.previous.job(&page.source.path);
        let (value, facts) = self.value(index, old)?;
        let name = template_for(site, page);
        if !self.templates.has(name) {
            return None;
        }
        let mut context = page_context(site, page, &value, &self.breadcrumbs[index]);
        self.lists
            .add_to_page(site, index, self.values, &mut context);
        if let Some(job) = old.filter(|job| {
            job.template == name
                && !self.templates_changed.contains(name)
                && job.context == context
                && !self.changed.touch(&job.reads)
        }) {
            return Some(PageUpdate {
                file: None,
                job: Arc::clone(job),
                facts,
            });
        }
        if old.is_some_and(|job| job.reads.images) {
            return None;
        }
        let (html, job) =
            PageJob::render(self.templates, name, context, &page.source.shown).ok()?;
        if job.reads.images {
            return None;
        }
        Some(PageUpdate {
            file: Some(OutputFile::bytes(page_file(page), html)),
            job: Arc::new(job),
            facts,
        })
    }

    /// Page `index`'s value with its markdown's fields, and what its markdown made besides: from its last render
    /// when its markdown need not be rendered again, else rendered now.
    fn value(&self, index: usize, old: Option<&Arc<PageJob>>) -> Option<(tera::Value, Arc<Facts>)> {
        let (site, page) = (self.site, &self.site.pages[index]);
        let old_facts = self.kept.facts.get(&page.source.file);
        if let (false, Some(job), Some(facts)) = (self.again[index], old, old_facts)
            && job.shown == page.source.shown
        {
            // The same value as last time: the last one (the very same, so comparing them costs nothing).
            let value = if self.same.value[index] {
                job.value()?.clone()
            } else {
                with_markdown_of(&self.values[index], job)?
            };
            self.lists.keep_html_with(index, || content_of(&value));
            return Some((value, Arc::clone(facts)));
        }
        let (mut markdown, copies) = crate::images::recording_copies(|| {
            self.links.render(page, &page.source.body, self.wanted)
        });
        self.lists.keep_html(index, &markdown.html);
        let value = context::with_markdown(&self.values[index], site, index, &mut markdown);
        Some((value, Arc::new(Facts::of(markdown, copies))))
    }
}

/// The image copies the pages' markdown shows, from the last render's (`kept`) to this one's (`next`): the new ones
/// to write (made now unless the cache has them), and the output paths of those no page shows any more.
fn image_copies(site: &Site, kept: &Kept, next: &Kept) -> Option<(Vec<OutputFile>, Vec<String>)> {
    let shown = |kept: &Kept| -> HashSet<String> {
        (kept.facts.values())
            .flat_map(|facts| facts.copies.iter().cloned())
            .collect()
    };
    let (before, now) = (shown(kept), shown(next));
    let new: HashSet<String> = now.difference(&before).cloned().collect();
    let mut files = Vec::new();
    if !new.is_empty() {
        let made = site.library.copies_of(&new).ok()?;
        files.extend(made.into_iter().map(|(path, file)| OutputFile {
            path,
            contents: super::Contents::Sealed(file),
        }));
    }
    Some((files, before.difference(&now).cloned().collect()))
}

/// One page after an update: its file when it was rendered again, its job, and its link-check facts.
struct PageUpdate {
    file: Option<OutputFile>,
    job: Arc<PageJob>,
    facts: Arc<Facts>,
}

/// A page's new value (made before its markdown is rendered) with the fields of its markdown taken from its last
/// render: its markdown did not change, and neither did its address, which its table of contents holds.
fn with_markdown_of(value: &tera::Value, job: &PageJob) -> Option<tera::Value> {
    let old = job.value()?.as_map()?;
    let mut map = value.as_map()?.clone();
    for field in MARKDOWN_FIELDS {
        map.insert(field.into(), old.get(&field.into())?.clone());
    }
    Some(tera::Value::from(map))
}

/// What the template functions would answer differently now.
struct Changed {
    sections: HashSet<String>,
    /// Sections whose own fields changed (not only their pages).
    section_metadata: HashSet<String>,
    pages: HashSet<String>,
    urls: bool,
}

impl Changed {
    /// From the pages' comparison ([`Same`]): a page or section that changed or is gone.
    fn between(site: &Site, same: &Same, old: &Lookup, new: &Lookup) -> Changed {
        let mut changed = Changed {
            sections: HashSet::new(),
            section_metadata: HashSet::new(),
            pages: HashSet::new(),
            urls: old.urls != new.urls || old.files != new.files,
        };
        for (index, page) in site.pages.iter().enumerate() {
            let file = &page.source.file;
            if !page.source.is_section && !same.value[index] {
                changed.pages.insert(file.clone());
            }
            if page.source.is_section && !same.value[index] {
                changed.sections.insert(file.clone());
            }
            if page.source.is_section && !same.metadata[index] {
                changed.section_metadata.insert(file.clone());
            }
        }
        let gone = |file: &&String| !site.by_file.contains_key(*file);
        changed.pages.extend(old.pages.keys().filter(gone).cloned());
        changed
            .sections
            .extend(old.sections.keys().filter(gone).cloned());
        changed
            .section_metadata
            .extend(old.sections.keys().filter(gone).cloned());
        changed
    }

    /// Whether a render that looked these up would see something else now.
    fn touch(&self, reads: &Reads) -> bool {
        let any = |files: &[String], changed: &HashSet<String>| {
            files.iter().any(|file| changed.contains(file))
        };
        (reads.urls && self.urls)
            || any(&reads.sections, &self.sections)
            || any(&reads.section_metadata, &self.section_metadata)
            || any(&reads.pages, &self.pages)
    }
}

/// Which pages' values are what they were at the last render, their markdown aside: compared once, here, for the
/// template functions' look-ups and for each page's own context alike.
struct Same {
    /// Per page: its value (a section's with its `pages`) is as before.
    value: Vec<bool>,
    /// Per page: a section's own fields are as before (its pages aside); for a page, as `value`.
    metadata: Vec<bool>,
}

impl Same {
    /// Compare every page's new value (`values`, the lookup `new`) with the last render's (the lookup `old`).
    fn between(site: &Site, values: &[tera::Value], old: &Lookup, new: &Lookup) -> Same {
        let metadata: Vec<bool> = site
            .pages
            .par_iter()
            .enumerate()
            .map(|(index, page)| {
                let file = &page.source.file;
                if page.source.is_section {
                    let before = old.sections.get(file).map(|(_, meta)| meta);
                    before.is_some_and(|before| {
                        Some(before) == new.sections.get(file).map(|(_, meta)| meta)
                    })
                } else {
                    old.pages.get(file) == Some(&values[index])
                }
            })
            .collect();
        // A section's `pages` hold its pages' values: the same pages in the same order, each the same, is the
        // same list (without comparing a 1,000-page list entry by entry again).
        let value = site
            .pages
            .iter()
            .enumerate()
            .map(|(index, page)| {
                if !page.source.is_section {
                    return metadata[index];
                }
                let Some((before, _)) = old.sections.get(&page.source.file) else {
                    return false;
                };
                metadata[index]
                    && same_members(before, &page.pages, site)
                    && page.pages.iter().all(|&member| metadata[member])
            })
            .collect();
        Same { value, metadata }
    }
}

/// Whether a section's last value listed these pages (by file), in this order.
fn same_members(before: &tera::Value, members: &[usize], site: &Site) -> bool {
    let Some(listed) = before
        .as_map()
        .and_then(|fields| fields.get(&"pages".into()))
        .and_then(tera::Value::as_array)
    else {
        return false;
    };
    listed.len() == members.len()
        && listed.iter().zip(members).all(|(value, &member)| {
            let file = value
                .as_map()
                .and_then(|fields| fields.get(&"relative_path".into()))
                .and_then(tera::Value::as_str);
            file == Some(site.pages[member].source.file.as_str())
        })
}

/// Free something on another thread: a rebuild's old values are many small pieces, and freeing them one by one took
/// a tenth of a rebuild at 10,000 pages.
pub fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}
