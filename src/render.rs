//! Stage 6b: render. Renders every page and section through its template (in parallel), and makes the files a
//! site needs besides pages: `404.html`, `sitemap.xml`, `robots.txt`, alias redirects, `_headers`, the theme's and
//! site's static files and the files beside pages. Output is a list of [`OutputFile`]s: nothing is written here,
//! so `check` and tests can render with no disk (`build` streams the same files into the staging folder as they
//! are made). A [`PageRenderer`] (in `render::again`) keeps what is needed to render a page again with extra variables, for the
//! server's answers to the contact form.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::SourcePage;
use crate::context::{self, SiteValues};
use crate::error::{Error, Location, Result};
use crate::markdown::Rendered;
use crate::site::{Links, Markdown, Page, Site};
use crate::templates::{TemplateSources, Templates};

/// What goes into one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file copied as it is.
    Copy(PathBuf),
    /// A file copied as it is, whose output path names its content (an image copy: `processed_images/hall-<hash>.webp`),
    /// so a file already at that path from an earlier build is this file.
    Sealed(PathBuf),
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path inside the output folder, with `/` separators: `benefits/index.html`.
    pub path: String,
    /// What to write there.
    pub contents: Contents,
}

impl OutputFile {
    fn bytes(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: Contents::Bytes(bytes.into()),
        }
    }
}

/// Whether to keep every page's context after rendering (for a [`PageRenderer`]): a server wants it, a one-off
/// build does not pay for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepPages {
    /// Keep them.
    Yes,
    /// Drop each page's context once it is rendered.
    No,
}

/// Render the whole site into output files, writing nothing, in a stable order: static files first, so a page at
/// the same path wins when the files are written in order. The site's markdown must be rendered already.
pub fn render(root: &Path, sources: &TemplateSources, site: &Site) -> Result<Vec<OutputFile>> {
    assert_eq!(
        site.markdown,
        Markdown::Rendered,
        "render needs the markdown rendered"
    );
    let bodies = vec![String::new(); site.pages.len()];
    render_with(
        root,
        sources,
        site,
        (context::build(site), bodies),
        KeepPages::No,
        Ok,
    )
    .map(|(files, ..)| files)
}

/// Render the whole site and hand each file to `emit` as soon as it is made, from several threads at once, so the
/// HTML of a big site never has to be in memory all at once. Every static file is emitted before any page, so a
/// page wins a clash. Returns how many files were emitted. Rendered markdown HTML is moved into the template
/// values ([`context::build_taking_html`]), so `rendered.html` is empty afterwards; markdown left for this stage
/// ([`Markdown::Deferred`]) is rendered just before each page's template. Either way each page's markdown body is
/// taken out of `site` and freed once it is no longer needed. With [`KeepPages::Yes`] it also returns a
/// [`PageRenderer`] for rendering pages again later, and what [`update`] needs to render only what a change
/// touches.
pub fn render_each(
    root: &Path,
    sources: &TemplateSources,
    site: &mut Site,
    keep: KeepPages,
    emit: impl Fn(&OutputFile) -> Result<()> + Sync,
) -> Result<(usize, PageRenderer, Kept)> {
    let bodies: Vec<String> = site
        .pages
        .iter_mut()
        .map(|page| std::mem::take(&mut page.source.body))
        .collect();
    let inputs = match site.markdown {
        Markdown::Rendered => {
            // Rendered already and not read again: its memory goes to the pages' HTML instead of fresh memory (at
            // 10,000 pages, peak memory 277 → 229 MB).
            drop(bodies);
            (
                context::build_taking_html(site),
                vec![String::new(); site.pages.len()],
            )
        }
        Markdown::Deferred(_) => (context::build(site), bodies),
    };
    let (emitted, pages, kept) =
        render_with(root, sources, site, inputs, keep, |file| emit(&file))?;
    Ok((emitted.len(), pages, kept))
}

/// Render everything, pass each file through `emit` and keep what it returns, in the order of [`render`].
/// `bodies`: each page's markdown when the site's markdown is deferred (else unused).
fn render_with<T: Send>(
    root: &Path,
    sources: &TemplateSources,
    site: &Site,
    (values, bodies): (SiteValues, Vec<String>),
    keep: KeepPages,
    emit: impl Fn(OutputFile) -> Result<T> + Sync,
) -> Result<(Vec<T>, PageRenderer, Kept)> {
    let SiteValues {
        pages: values,
        globals,
        lookup,
        breadcrumbs,
    } = values;
    let lists = lists::Lists::new(site)?;
    let lookup = Arc::new(lookup);
    let mut templates = Templates::load(sources, Arc::clone(&lookup))?;
    *templates.tera.global_context() = globals;
    templates
        .tera
        .global_context()
        .insert_value("feeds", lists.global_feeds());
    let mut kept = Kept {
        globals: match keep {
            KeepPages::Yes => templates.tera.global_context().clone(),
            KeepPages::No => tera::Context::new(),
        },
        lookup,
        facts: HashMap::new(),
        made: std::collections::BTreeSet::new(),
    };
    let mut emitted: Vec<T> = copied(site.library.originals()?, Contents::Copy)
        .into_par_iter()
        .map(&emit)
        .collect::<Result<_>>()?;
    let pass = PagePass {
        templates: &templates,
        site,
        values: &values,
        breadcrumbs: &breadcrumbs,
        links: Links::new(site, &[]),
        keep,
        lists: &lists,
    };
    // The sitemap, the 404 page and the redirects need no page's HTML: they are made while the pages are rendered
    // (at 10,000 pages they were 2 % of a build, with one core idle), and written after them as before.
    let (rendered, others): (Vec<PageDone<T>>, _) = rayon::join(
        || {
            bodies
                .into_par_iter()
                .enumerate()
                .map(|(index, body)| pass.page(index, body, &emit))
                .collect()
        },
        || other_files(root, site, &templates, &lists),
    );
    let links = pass.links;
    if matches!(site.markdown, Markdown::Deferred(_)) {
        // Content errors first, as when the markdown is rendered before any template: staff can fix them.
        let all: Vec<&Rendered> = rendered.iter().map(|(_, facts)| &facts.links).collect();
        let errors = links.errors(&all);
        if !errors.is_empty() {
            return Err(Error::from_list(errors));
        }
    }
    let mut pages = HashMap::new();
    let mut errors = Vec::new();
    for ((result, facts), page) in rendered.into_iter().zip(&site.pages) {
        match result {
            Ok((done, job)) => {
                emitted.push(done);
                if let Some(job) = job {
                    pages.insert(page.source.path.clone(), Arc::new(job));
                    kept.facts.insert(page.source.file.clone(), Arc::new(facts));
                    kept.made.insert(page_file(page));
                }
            }
            Err(err) => errors.push(err),
        }
    }
    if !errors.is_empty() {
        return Err(Error::from_list(one_per_template_line(errors)));
    }
    let mut made = others?;
    made.extend(lists.render(&templates, site, &values, &breadcrumbs)?);
    for file in made {
        if keep == KeepPages::Yes {
            kept.made.insert(file.path.clone());
        }
        emitted.push(emit(file)?);
    }
    // Last: every page has asked for the image copies it shows.
    let copies: Vec<T> = copied(site.library.copies()?, Contents::Sealed)
        .into_par_iter()
        .map(&emit)
        .collect::<Result<_>>()?;
    emitted.extend(copies);
    let pages = PageRenderer::new(templates, pages, again::translations(site));
    Ok((emitted, pages, kept))
}

/// One page rendered: what `emit` returned and the page's job (or its error), and what the link check needs of its
/// markdown when it was rendered here.
type PageDone<T> = (Result<(T, Option<PageJob>)>, Facts);

/// What rendering each page needs.
struct PagePass<'a> {
    templates: &'a Templates,
    site: &'a Site,
    values: &'a [tera::Value],
    breadcrumbs: &'a [tera::Value],
    links: Links<'a>,
    keep: KeepPages,
    lists: &'a lists::Lists,
}

impl PagePass<'_> {
    /// Render page `index` (its markdown `body` first, when the site left the markdown to this stage), and emit
    /// its file.
    fn page<T>(
        &self,
        index: usize,
        body: String,
        emit: impl Fn(OutputFile) -> Result<T>,
    ) -> PageDone<T> {
        let (site, page) = (self.site, &self.site.pages[index]);
        let crumbs = &self.breadcrumbs[index];
        let Markdown::Deferred(wanted) = site.markdown else {
            let done = render_page(self, index, &self.values[index], crumbs);
            return (self.emitted(done, emit), Facts::default());
        };
        let (mut markdown, copies) =
            crate::images::recording_copies(|| self.links.render(page, &body, wanted));
        drop(body);
        self.lists.keep_html(index, &markdown.html);
        let value = context::with_markdown(&self.values[index], site, index, &mut markdown);
        let done = render_page(self, index, &value, crumbs);
        (self.emitted(done, emit), Facts::of(markdown, copies))
    }

    /// Emit a rendered page's file; keep its job (which holds its context, and with it the page's HTML) only when
    /// asked to.
    fn emitted<T>(
        &self,
        done: Result<(OutputFile, PageJob)>,
        emit: impl Fn(OutputFile) -> Result<T>,
    ) -> Result<(T, Option<PageJob>)> {
        let (file, job) = done?;
        Ok((emit(file)?, (self.keep == KeepPages::Yes).then_some(job)))
    }
}

/// The files besides pages and static files: `404.html`, alias redirects, `sitemap.xml`, `robots.txt`, `_headers`.
fn other_files(
    root: &Path,
    site: &Site,
    templates: &Templates,
    lists: &lists::Lists,
) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for (lang, _) in &site.languages.all {
        files.extend(not_found_page(templates, site, lang)?);
    }
    files.extend(aliases(site)?);
    files.push(OutputFile::bytes(
        "sitemap.xml",
        sitemap(root, site, &lists.sitemap_paths()),
    ));
    files.push(OutputFile::bytes(
        "robots.txt",
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
            site.config.base_url
        ),
    ));
    files.push(OutputFile::bytes("_headers", headers_file(site)));
    Ok(files)
}

/// A mistake in a template fails every page that uses it: report it once, not once per page.
fn one_per_template_line(errors: Vec<Error>) -> Vec<Error> {
    let mut seen = std::collections::HashSet::new();
    errors
        .into_iter()
        .filter(|err| match err {
            Error::Template { at, .. } => seen.insert(at.clone()),
            _ => true,
        })
        .collect()
}

/// Which template renders a page: its own `template`, its section's `page_template`, or the default.
fn template_for<'a>(site: &'a Site, page: &'a Page) -> &'a str {
    let fm = &page.source.front_matter;
    if let Some(name) = &fm.template {
        return name;
    }
    if page.source.file == "_index.md" {
        return "index.html";
    }
    if page.source.is_section {
        return "section.html";
    }
    let section = page
        .ancestors
        .last()
        .map(|&i| &site.pages[i].source.front_matter);
    section
        .and_then(|s| s.page_template.as_deref())
        .unwrap_or("page.html")
}

fn render_page(
    pass: &PagePass<'_>,
    index: usize,
    value: &tera::Value,
    breadcrumbs: &tera::Value,
) -> Result<(OutputFile, PageJob)> {
    let (templates, site, page) = (pass.templates, pass.site, &pass.site.pages[index]);
    let name = template_for(site, page);
    if !templates.has(name) {
        let line = page.source.key_line("template");
        let message = format!(
            "the template `{name}` does not exist: add themes/{}/templates/{name} or templates/{name}, or change `template` in the front matter",
            site.config.theme
        );
        return Err(Error::content(
            Location::line(&page.source.shown, line),
            message,
        ));
    }
    let mut context = page_context(site, page, value, breadcrumbs);
    pass.lists
        .add_to_page(site, index, pass.values, &mut context);
    let (html, job) = PageJob::render(templates, name, context, &page.source.shown)?;
    Ok((OutputFile::bytes(page_file(page), html), job))
}

/// The `content` (the HTML of its markdown) of a page's value; empty when it has none yet.
fn content_of(value: &tera::Value) -> &str {
    value
        .as_map()
        .and_then(|fields| fields.get(&"content".into()))
        .and_then(tera::Value::as_str)
        .unwrap_or_default()
}

/// The output file of a page: `guide/first-day/index.html`.
fn page_file(page: &Page) -> String {
    [page.source.path.trim_start_matches('/'), "index.html"].concat()
}

/// The variables of one page's template, besides the globals.
fn page_context(
    site: &Site,
    page: &Page,
    value: &tera::Value,
    breadcrumbs: &tera::Value,
) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert_value(
        if page.source.is_section {
            "section"
        } else {
            "page"
        },
        value.clone(),
    );
    context.insert("current_path", &page.source.path);
    context.insert(
        "current_url",
        &context::permalink(&site.config.base_url, &page.source.path),
    );
    context.insert_value("breadcrumbs", breadcrumbs.clone());
    context.insert("json_ld", &context::json_ld(site, page));
    context::languages::add_to_page(site, page, &mut context);
    context
}

/// The 404 page in `lang`: `404.html` for the default language, `es/404.html` for Spanish, and so on.
fn not_found_page(templates: &Templates, site: &Site, lang: &str) -> Result<Option<OutputFile>> {
    if !templates.has("404.html") {
        return Ok(None);
    }
    let path = format!("{}404.html", site.languages.home(lang));
    let mut context = tera::Context::new();
    context.insert("current_path", &path);
    context.insert("current_url", &format!("{}{path}", site.config.base_url));
    context.insert("breadcrumbs", &Vec::<()>::new());
    context.insert("json_ld", "");
    context::languages::add_for_language(site, lang, &mut context);
    let file = path.trim_start_matches('/');
    let html = templates.render("404.html", &context, Path::new(file))?;
    Ok(Some(OutputFile::bytes(file, html)))
}

/// Files copied into the output: (output path, file to copy).
fn copied(files: Vec<(String, PathBuf)>, kind: fn(PathBuf) -> Contents) -> Vec<OutputFile> {
    files
        .into_iter()
        .map(|(path, source)| OutputFile {
            path,
            contents: kind(source),
        })
        .collect()
}

/// A small redirect page for every old address in `aliases`.
fn aliases(site: &Site) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for page in &site.pages {
        for alias in &page.source.front_matter.aliases {
            let path = alias.trim_matches('/');
            if path.is_empty() || path.split('/').any(|part| part == ".." || part == ".") {
                let line = page.source.key_line("aliases");
                let message = format!(
                    "the alias `{alias}` is not a usable address: write an old path such as \"/old-page/\""
                );
                return Err(Error::content(
                    Location::line(&page.source.shown, line),
                    message,
                ));
            }
            let file = if Path::new(path).extension().is_some_and(|e| e == "html") {
                path.to_string()
            } else {
                format!("{path}/index.html")
            };
            files.push(OutputFile::bytes(
                file,
                redirect_page(&site.config.base_url, &page.source.path),
            ));
        }
    }
    Ok(files)
}

fn redirect_page(base_url: &str, to: &str) -> String {
    let to = escape(to);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>This page has moved</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{}{to}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{to}\">{to}</a>.</p>\n</body>\n</html>\n",
        escape(base_url)
    )
}

/// Text made safe for HTML or XML text and double-quoted attributes (also used by the server's own pages).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `sitemap.xml`: every published page, with the date it last changed.
fn sitemap(root: &Path, site: &Site, lists: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for page in &site.pages {
        let url = escape(&context::permalink(
            &site.config.base_url,
            &page.source.path,
        ));
        xml.push_str(&format!("  <url>\n    <loc>{url}</loc>\n"));
        if let Some(day) = last_modified(root, &page.source) {
            xml.push_str(&format!("    <lastmod>{day}</lastmod>\n"));
        }
        // Each language's version of the page, itself included, as search engines ask.
        for alternate in context::languages::alternates(site, page) {
            xml.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                escape(&alternate.lang),
                escape(&alternate.permalink)
            ));
        }
        if let Some(url) = context::languages::x_default(site, page) {
            xml.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>\n",
                escape(&url)
            ));
        }
        xml.push_str("  </url>\n");
    }
    for path in lists {
        let url = escape(&context::permalink(&site.config.base_url, path));
        xml.push_str(&format!("  <url>\n    <loc>{url}</loc>\n  </url>\n"));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The newest of `updated`, `last_reviewed` and `date`; else the file's modification day.
pub(crate) fn last_modified(root: &Path, page: &SourcePage) -> Option<String> {
    let fm = &page.front_matter;
    let written = [&fm.updated, &fm.last_reviewed, &fm.date]
        .into_iter()
        .flatten()
        .map(|d| d.day().to_string())
        .max();
    written.or_else(|| {
        let modified = std::fs::metadata(root.join(&page.shown))
            .and_then(|m| m.modified())
            .ok()?;
        let timestamp = jiff::Timestamp::try_from(modified).ok()?;
        Some(timestamp.strftime("%Y-%m-%d").to_string())
    })
}

/// The HTTP headers a static host should send with every file, in the `_headers` format (Netlify, Cloudflare Pages).
pub fn security_headers(config: &crate::config::Config) -> Vec<(&'static str, String)> {
    vec![
        (
            "Content-Security-Policy",
            context::content_security_policy(config, true),
        ),
        ("Referrer-Policy", "no-referrer".into()),
        ("X-Content-Type-Options", "nosniff".into()),
    ]
}

fn headers_file(site: &Site) -> String {
    let mut text = String::from("/*\n");
    for (name, value) in security_headers(&site.config) {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    text
}

mod again;
mod lists;
mod update;

use again::PageJob;
pub use again::PageRenderer;
use update::Facts;
pub use update::{Kept, Update, drop_later, update};

#[cfg(test)]
mod tests;
