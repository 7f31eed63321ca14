//! Stage 4: the site. Takes the loaded content, arranges pages into sections (order, previous/next, menu,
//! breadcrumbs), renders every page's markdown (in parallel), rewrites links between pages to their URLs, and checks
//! that every linked page, file and heading exists. Output is plain data for the template stage; nothing here knows
//! Tera. The markdown can also be left for the render stage to render page by page ([`Markdown::Deferred`]), with
//! the same [`Links`].

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{Asset, Content, SourcePage};
use crate::error::{Error, Result};
use crate::front_matter::{Menu, SortBy};
use crate::images::Library;
use crate::markdown::{Rendered, Wanted};
use crate::shortcodes::Shortcodes;

/// A page or section with its rendered markdown and its place in the site.
#[derive(Debug, Clone)]
pub struct Page {
    /// What was read from `content/`.
    pub source: SourcePage,
    /// The rendered markdown.
    pub rendered: Rendered,
    /// Sections from the home page down to the one holding this page (indexes into [`Site::pages`]).
    pub ancestors: Vec<usize>,
    /// Sections only: the section's pages, in the section's order.
    pub pages: Vec<usize>,
    /// Sections only: the sections directly below, by file name.
    pub subsections: Vec<usize>,
    /// The page before this one in its section.
    pub lower: Option<usize>,
    /// The page after this one in its section.
    pub higher: Option<usize>,
    /// The page's language code (the default language's for a file without one in its name).
    pub lang: String,
    /// The same page in the site's other languages (same file name but for the language), in language order.
    pub translations: Vec<usize>,
}

/// One entry of the main navigation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MenuItem {
    /// Label.
    pub title: String,
    /// URL path.
    pub path: String,
    /// Order (lower first).
    pub weight: i64,
}

/// The whole site, ready for templates.
#[derive(Debug, Clone)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Pages and sections, sorted by file.
    pub pages: Vec<Page>,
    /// Files copied from `content/`.
    pub assets: Vec<Asset>,
    /// Every file published besides pages, with the images' copies.
    pub library: Arc<Library>,
    /// Main navigation of the default language, ordered.
    pub menu: Vec<MenuItem>,
    /// Main navigation of each other language (by code), ordered.
    pub menus: std::collections::BTreeMap<String, Vec<MenuItem>>,
    /// The site's languages.
    pub languages: crate::languages::Languages,
    /// Content file (`what-to-expect/therapy.md`) → index into `pages`.
    pub by_file: HashMap<String, usize>,
    /// Every page's URL path, in the order of `pages`.
    pub url_paths: UrlPaths,
    /// Whether the pages' markdown is rendered yet.
    pub markdown: Markdown,
    /// The shortcodes the markdown may call.
    pub shortcodes: std::sync::Arc<crate::shortcodes::Shortcodes>,
}

/// When a site's markdown is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markdown {
    /// Already: every page's [`Page::rendered`] is filled in.
    Rendered,
    /// By the render stage, page by page, working out what is wanted ([`Links::render`], then [`Links::errors`]).
    Deferred(Wanted),
}

/// Every page's URL path side by side in one string, in page order, for the link lookups: a 10,000-page site
/// has 150,000 links, and with each page's path stored apart with its page, comparing a link with a path missed the
/// cache nearly every time (4 % of a build).
#[derive(Debug, Clone, Default)]
pub struct UrlPaths {
    text: String,
    /// Where each path ends in `text`.
    ends: Vec<usize>,
}

impl UrlPaths {
    fn new(pages: &[Page]) -> UrlPaths {
        let mut paths = UrlPaths::default();
        for page in pages {
            paths.text.push_str(&page.source.path);
            paths.ends.push(paths.text.len());
        }
        paths
    }

    /// The URL path of page `index`.
    pub fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[index]]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|index| self.get(index))
    }
}

impl Site {
    /// The page made from a content file, if any.
    pub fn page(&self, file: &str) -> Option<&Page> {
        self.by_file.get(file).map(|&index| &self.pages[index])
    }
}

/// Render and arrange the content, working out what is `wanted` besides the HTML. Reports every broken link, not
/// only the first.
pub fn assemble(
    config: Config,
    content: Content,
    library: Library,
    wanted: Wanted,
    shortcodes: Shortcodes,
) -> Result<Site> {
    let (mut site, broken, mut errors) = arranged(
        config,
        content,
        Arc::new(library),
        Markdown::Rendered,
        Arc::new(shortcodes),
    );
    let links = Links::new(&site, &broken);
    let rendered: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|page| links.render(page, &page.source.body, wanted))
        .collect();
    errors.extend(links.errors(&rendered.iter().collect::<Vec<_>>()));
    if !errors.is_empty() {
        return Err(Error::from_list(errors));
    }
    for (page, rendered) in site.pages.iter_mut().zip(rendered) {
        page.rendered = rendered;
    }
    Ok(site)
}

/// Arrange the content without rendering its markdown: the render stage renders each page's markdown just before
/// its template, so a big site never holds all its HTML at once. Only for templates that read no other page's
/// markdown (`TemplateSources::read_only_own_markdown`). Content with errors is rendered at once instead
/// ([`assemble`]), so that its broken links are reported with them.
pub fn assemble_deferred(
    config: Config,
    content: Content,
    library: Library,
    wanted: Wanted,
    shortcodes: Shortcodes,
) -> Result<Site> {
    if !content.errors.is_empty() {
        return assemble(config, content, library, wanted, shortcodes);
    }
    rearrange(
        config,
        content,
        Arc::new(library),
        wanted,
        Arc::new(shortcodes),
    )
}

/// [`assemble_deferred`] of content without errors, with the images and shortcodes of an earlier build: the
/// preview arranges the site again after a page changed, without scanning the images or reading the shortcodes.
pub fn rearrange(
    config: Config,
    content: Content,
    library: Arc<Library>,
    wanted: Wanted,
    shortcodes: Arc<Shortcodes>,
) -> Result<Site> {
    let (site, _, errors) = arranged(
        config,
        content,
        library,
        Markdown::Deferred(wanted),
        shortcodes,
    );
    if !errors.is_empty() {
        return Err(Error::from_list(errors));
    }
    Ok(site)
}

/// The pages in their places, with no markdown rendered yet; also the files that could not be read and the
/// content's errors.
fn arranged(
    config: Config,
    content: Content,
    library: Arc<Library>,
    markdown: Markdown,
    shortcodes: Arc<Shortcodes>,
) -> (Site, Vec<String>, Vec<Error>) {
    let Content {
        pages: sources,
        assets,
        broken,
        errors,
    } = content;
    let by_file: HashMap<String, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, p)| (p.file.clone(), i))
        .collect();
    // In parallel: a page is 768 bytes to move, and this runs before any page renders.
    let mut pages: Vec<Page> = sources.into_par_iter().map(Page::new).collect();
    let languages = crate::languages::Languages::new(&config);
    let mut errors = errors;
    errors.extend(translations::link(&mut pages, &languages, &by_file));
    arrange(&mut pages, &by_file);
    let menus = languages.all[1..]
        .iter()
        .map(|(code, _)| (code.clone(), menu(&pages, code)))
        .collect();
    let menu = menu(&pages, &languages.default);
    let url_paths = UrlPaths::new(&pages);
    let site = Site {
        config,
        pages,
        assets,
        library,
        menu,
        menus,
        languages,
        by_file,
        url_paths,
        markdown,
        shortcodes,
    };
    (site, broken, errors)
}

impl Page {
    fn new(source: SourcePage) -> Page {
        Page {
            source,
            rendered: Rendered::default(),
            ancestors: vec![],
            pages: vec![],
            subsections: vec![],
            lower: None,
            higher: None,
            lang: String::new(),
            translations: vec![],
        }
    }
}

/// Fill in ancestors, section pages and subsections, and previous/next.
fn arrange(pages: &mut [Page], by_file: &HashMap<String, usize>) {
    for index in 0..pages.len() {
        let ancestors = ancestors(&pages[index].source, by_file);
        if let Some(&parent) = ancestors.last() {
            if pages[index].source.is_section {
                pages[parent].subsections.push(index);
            } else {
                pages[parent].pages.push(index);
            }
        }
        pages[index].ancestors = ancestors;
    }
    for section in 0..pages.len() {
        let sort_by = pages[section]
            .source
            .front_matter
            .sort_by
            .unwrap_or_default();
        let mut members = std::mem::take(&mut pages[section].pages);
        sort_pages(&mut members, pages, sort_by);
        for pair in members.windows(2) {
            pages[pair[0]].higher = Some(pair[1]);
            pages[pair[1]].lower = Some(pair[0]);
        }
        pages[section].pages = members;
    }
}

/// Sections holding a file, outermost first: the nearest `_index.md` in each folder above it.
fn ancestors(page: &SourcePage, by_file: &HashMap<String, usize>) -> Vec<usize> {
    let mut folder = page.folder();
    if page.is_section || page.base.ends_with("/index.md") {
        if page.base == "_index.md" {
            return vec![];
        }
        folder = folder.rsplit_once('/').map_or("", |(up, _)| up);
    }
    let mut found = Vec::new();
    let mut current = Some(folder);
    while let Some(dir) = current {
        let index_file = if dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{dir}/_index.md")
        };
        // A page's sections are those of its own language.
        let index_file =
            translations::in_language(&index_file, page.lang.as_deref()).unwrap_or(index_file);
        found.extend(by_file.get(&index_file));
        current = if dir.is_empty() {
            None
        } else {
            Some(dir.rsplit_once('/').map_or("", |(up, _)| up))
        };
    }
    found.reverse();
    found
}

fn sort_pages(members: &mut [usize], pages: &[Page], sort_by: SortBy) {
    let fm = |i: usize| &pages[i].source.front_matter;
    match sort_by {
        SortBy::Weight => members.sort_by(|&a, &b| {
            (fm(a).weight.unwrap_or(0), pages[a].source.title())
                .cmp(&(fm(b).weight.unwrap_or(0), pages[b].source.title()))
        }),
        SortBy::Date => members.sort_by(|&a, &b| fm(b).date.cmp(&fm(a).date)),
        SortBy::Title => {
            members.sort_by(|&a, &b| pages[a].source.title().cmp(pages[b].source.title()));
        }
        SortBy::None => {}
    }
}

/// The main navigation of one language: its pages with `menu` set.
fn menu(pages: &[Page], lang: &str) -> Vec<MenuItem> {
    let mut items: Vec<MenuItem> = pages
        .iter()
        .filter(|page| page.lang == lang)
        .filter_map(|page| {
            let fm = &page.source.front_matter;
            let title = match fm.menu.as_ref()? {
                Menu::Show(false) => return None,
                Menu::Show(true) => page.source.title().to_string(),
                Menu::Label(label) => label.clone(),
            };
            Some(MenuItem {
                title,
                path: page.source.path.clone(),
                weight: fm.weight.unwrap_or(0),
            })
        })
        .collect();
    items.sort_by(|a, b| (a.weight, &a.title).cmp(&(b.weight, &b.title)));
    items
}

mod links;
mod translations;

pub use links::Links;

#[cfg(test)]
mod tests {
    use super::links::{has_scheme, join};
    use super::*;

    #[test]
    fn joins_relative_links() {
        assert_eq!(
            join("what-to-expect", "../faq.md").as_deref(),
            Some("faq.md")
        );
        assert_eq!(join("", "./benefits.md").as_deref(), Some("benefits.md"));
        assert_eq!(join("a/b", "c/d.md").as_deref(), Some("a/b/c/d.md"));
        assert_eq!(join("", "../x.md"), None);
    }

    #[test]
    fn schemes_are_external() {
        assert!(has_scheme("https://example.org/x"));
        assert!(has_scheme("tel:+15550100"));
        assert!(has_scheme("mailto:a@b.org"));
        assert!(!has_scheme("faq.md#a:b"));
        assert!(!has_scheme("dir/x.md"));
        assert!(!has_scheme("x?at=1:2"));
        assert!(!has_scheme("/a:b"));
    }

    #[test]
    fn url_paths_are_the_pages_paths_in_order() {
        let pages: Vec<Page> = ["/", "/a/", "/a/long-name/"]
            .map(|path| {
                Page::new(SourcePage {
                    file: String::new(),
                    shown: std::path::PathBuf::new(),
                    is_section: false,
                    front_matter: crate::front_matter::FrontMatter::default(),
                    front_matter_text: String::new(),
                    front_matter_line: 1,
                    body: String::new(),
                    body_line: 1,
                    path: path.to_string(),
                    lang: None,
                    base: String::new(),
                })
            })
            .into();
        let paths = UrlPaths::new(&pages);
        assert_eq!(
            paths.iter().collect::<Vec<_>>(),
            ["/", "/a/", "/a/long-name/"]
        );
        assert_eq!(paths.get(1), "/a/");
    }
}
