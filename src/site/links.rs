//! What links can point at: renders a page's markdown with its links rewritten to URLs (and its images shown as
//! responsive pictures, its shortcodes called), then finds the links that lead nowhere and the anchors that name no
//! heading.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use super::{Page, Site, UrlPaths, translations};
use crate::content::{Asset, SourcePage};
use crate::error::{Error, Location};
use crate::images::Library;
use crate::markdown::{self, Picture, Rendered, Rewrite, Wanted};
use crate::shortcodes::Shortcodes;

/// What a link's destination points at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Another site, an email, a phone number: left as written.
    External,
    /// A page of the site (index), maybe with a heading.
    Page(usize, Option<String>),
    /// A heading of the same page.
    Fragment(String),
    /// A file of `content/` or an absolute path to a static file: written as this URL.
    File(String),
    /// Nothing there; the message says what to do.
    Missing(String),
}

/// What links can point at: renders a page's markdown with its links rewritten, and finds the broken ones.
pub struct Links<'a> {
    pages: &'a [Page],
    url_paths: &'a UrlPaths,
    by_file: &'a HashMap<String, usize>,
    /// Looked up for every link of every page: a fast hash, not the default DoS-resistant one (the keys are the
    /// site's own paths).
    by_path: ahash::AHashMap<&'a str, usize>,
    assets: &'a [Asset],
    library: &'a Library,
    broken: &'a [String],
    shortcodes: &'a Shortcodes,
    default_lang: &'a str,
}

impl<'a> Links<'a> {
    /// The site's link targets. `broken`: content files that could not be read (links to them are not reported:
    /// the file has its own error).
    pub fn new(site: &'a Site, broken: &'a [String]) -> Links<'a> {
        Links {
            pages: &site.pages,
            url_paths: &site.url_paths,
            by_file: &site.by_file,
            by_path: site
                .url_paths
                .iter()
                .enumerate()
                .map(|(i, path)| (path, i))
                .collect(),
            assets: &site.assets,
            library: &site.library,
            broken,
            shortcodes: &site.shortcodes,
            default_lang: &site.languages.default,
        }
    }

    /// Render a page's markdown (`body`, kept apart so it can be freed as soon as it is rendered) with its links
    /// rewritten to URLs.
    pub fn render(&self, page: &Page, body: &str, wanted: Wanted) -> Rendered {
        let from = &page.source;
        let rewrite = |dest: &str| match self.resolve(from, dest) {
            Target::External | Target::Fragment(_) => Rewrite::Keep,
            Target::Page(index, fragment) => {
                let path = self.url_paths.get(index);
                Rewrite::Replace(
                    fragment.map_or(Cow::Borrowed(path), |f| Cow::Owned(format!("{path}#{f}"))),
                )
            }
            Target::File(url) => Rewrite::Replace(Cow::Owned(url)),
            Target::Missing(message) => Rewrite::Reject(message),
        };
        let pictures = |dest: &str| self.picture(dest);
        let shortcodes = |call: &markdown::Call| self.shortcodes.render(call, &page.lang);
        markdown::render_with_shortcodes(body, &rewrite, &pictures, wanted, Some(&shortcodes))
    }

    /// Every rejected link and every anchor that names no heading of its target, once all pages are rendered
    /// (`rendered[i]`: what page `i`'s markdown made, its HTML not needed).
    pub fn errors(&self, rendered: &[&Rendered]) -> Vec<Error> {
        (0..self.pages.len())
            .into_par_iter()
            .flat_map_iter(|index| self.page_errors(index, rendered))
            .collect()
    }

    /// Rejected links and anchors that name no heading of their target.
    fn page_errors(&self, index: usize, all: &[&Rendered]) -> Vec<Error> {
        let (source, out) = (&self.pages[index].source, all[index]);
        let at = |line: usize| Location::line(&source.shown, source.body_line + line - 1);
        let mut errors: Vec<Error> = out
            .problems
            .iter()
            .map(|p| Error::content(at(p.line), p.message.clone()))
            .collect();
        // Only a link with a `#` can name a missing heading; the others were checked while rendering.
        for link in out.links.iter().filter(|link| link.dest.contains('#')) {
            let (ids, fragment, name) = match self.resolve(source, &link.dest) {
                Target::Page(index, Some(fragment)) => (
                    &all[index].heading_ids,
                    fragment,
                    self.pages[index].source.shown.display().to_string(),
                ),
                Target::Fragment(fragment) => (&out.heading_ids, fragment, "this page".to_string()),
                _ => continue,
            };
            if !ids.contains(&fragment) {
                let known = if ids.is_empty() {
                    "it has no headings".to_string()
                } else {
                    format!("its headings are: {}", ids.join(", "))
                };
                errors.push(Error::content(
                    at(link.line),
                    format!("the link `{}` points to a heading `#{fragment}` that {name} does not have ({known})", link.dest),
                ));
            }
        }
        errors
    }

    /// How a markdown image is shown, given its destination as rewritten (`/about/entrance.jpg`): responsive when
    /// it is a raster image the site publishes. An address on this site with no file there is an error.
    fn picture(&self, dest: &str) -> std::result::Result<Option<Picture>, String> {
        let Some(path) = dest.strip_prefix('/').filter(|_| !dest.starts_with("//")) else {
            return Ok(None);
        };
        let path = path.split(['?', '#']).next().unwrap_or(path);
        if let Some(picture) = self.library.picture(path) {
            return Ok(Some(picture));
        }
        if self.library.has_file(path) || self.by_path.contains_key(dest) {
            return Ok(None);
        }
        Err(format!(
            "the image `{dest}` does not exist: put the file in static/{path} (or next to this page and write its \
             name only), or check the spelling"
        ))
    }

    fn resolve(&self, from: &SourcePage, dest: &str) -> Target {
        if dest.is_empty() || has_scheme(dest) || dest.starts_with("//") {
            return Target::External;
        }
        // `memchr` rather than `split_once`: a link is short, and `str`'s searcher costs more to start than to run.
        let (path, fragment) = match memchr::memchr(b'#', dest.as_bytes()) {
            Some(hash) => (&dest[..hash], Some(dest[hash + 1..].to_string())),
            None => (dest, None),
        };
        let path = memchr::memchr(b'?', path.as_bytes()).map_or(path, |query| &path[..query]);
        if path.is_empty() {
            return fragment.map_or(Target::External, Target::Fragment);
        }
        if let Some(absolute) = path.strip_prefix("@/") {
            return self.resolve_file(absolute, fragment, dest);
        }
        if path.starts_with('/') {
            return self.resolve_url(path, fragment, dest);
        }
        match join(from.folder(), path) {
            // Within the page's language first: `benefits.md` from a Spanish page is `benefits.es.md` when there is one.
            Some(file) => match translations::in_language(&file, from.lang.as_deref()) {
                Some(translated) if self.by_file.contains_key(&translated) => {
                    self.resolve_file(&translated, fragment, dest)
                }
                _ => self.resolve_file(&file, fragment, dest),
            },
            None => Target::Missing(format!("the link `{dest}` goes above the content folder")),
        }
    }

    fn resolve_file(&self, file: &str, fragment: Option<String>, dest: &str) -> Target {
        if let Some(&index) = self.by_file.get(file) {
            return Target::Page(index, fragment);
        }
        // `faq.en.md` names the default language's `faq.md` when English is the default.
        if let (Some(lang), base) = crate::languages::split_file(file)
            && lang == self.default_lang
            && let Some(&index) = self.by_file.get(&base)
        {
            return Target::Page(index, fragment);
        }
        // That file has its own error already; a second one about the link would only confuse.
        if self.broken.iter().any(|b| b == file) {
            return Target::External;
        }
        if std::path::Path::new(file)
            .extension()
            .is_some_and(|ext| ext == "md")
        {
            return Target::Missing(format!(
                "the link `{dest}` points to content/{file}, which does not exist (or is a draft): check the file name"
            ));
        }
        if self.assets.iter().any(|asset| asset.file == file) {
            return Target::File(format!("/{file}"));
        }
        Target::Missing(format!(
            "the link `{dest}` points to content/{file}, which does not exist. To link to a page, link to its \
             markdown file, for example `benefits.md` or `../faq.md#cost`"
        ))
    }

    // Absolute paths: a page address must belong to a page; other files (CSS, images in static/) are left alone.
    fn resolve_url(&self, path: &str, fragment: Option<String>, dest: &str) -> Target {
        let page = self
            .by_path
            .get(path)
            .or_else(|| self.by_path.get(format!("{path}/").as_str()));
        if let Some(&index) = page {
            return Target::Page(index, fragment);
        }
        if path.ends_with('/') {
            return Target::Missing(format!(
                "the link `{dest}` points to {path}, but no page has that address"
            ));
        }
        Target::File(path.to_string())
    }
}

/// Whether a destination starts with a scheme (`https:`, `mailto:`): a `:` before any `/`, `?` or `#`.
pub(super) fn has_scheme(dest: &str) -> bool {
    dest.bytes()
        .find(|byte| matches!(byte, b':' | b'/' | b'?' | b'#'))
        == Some(b':')
}

/// Join a relative link to a folder, resolving `.` and `..`. `None` when it climbs out of `content/`.
pub(super) fn join(folder: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}
