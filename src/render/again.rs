//! Rendering a page again after the build, for the server: the contact page with the form's messages, the preview's
//! one-page rebuild. [`PageRenderer`] keeps the templates and each page's context from a good build.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::content_of;
use crate::error::Result;
use crate::site::Site;
use crate::templates::Templates;

/// One page's template and context, kept so it can be rendered again with extra variables.
pub(super) struct PageJob {
    pub(super) template: String,
    pub(super) context: tera::Context,
    pub(super) shown: PathBuf,
    /// What its render looked up through the template functions (`get_section`, …): its output depends on them too.
    pub(super) reads: crate::templates::Reads,
}

impl PageJob {
    /// Render `template` with `context`, noting what the template functions looked up: the page's bytes and its job.
    pub(super) fn render(
        templates: &Templates,
        template: &str,
        context: tera::Context,
        shown: &Path,
    ) -> Result<(Vec<u8>, PageJob)> {
        let length = own_value(&context).map_or(0, |value| content_of(value).len());
        // Room for the page's HTML and the template's own text (the default theme adds about 5 KB).
        let (bytes, reads) = crate::templates::recording(|| {
            templates.render_bytes(template, &context, shown, length + 8192)
        });
        let job = PageJob {
            template: template.to_string(),
            context,
            shown: shown.to_path_buf(),
            reads,
        };
        Ok((bytes?, job))
    }

    /// Its `page` (or `section`), as its template saw it.
    pub(super) fn value(&self) -> Option<&tera::Value> {
        own_value(&self.context)
    }
}

/// The `page` (or, for a section, `section`) of a page's context.
fn own_value(context: &tera::Context) -> Option<&tera::Value> {
    context.get("page").or_else(|| context.get("section"))
}

/// The templates and page contexts of a good build, kept so that a server can render one page again at request
/// time with extra variables (the contact page with the form's messages) without rebuilding the site. It knows
/// nothing of HTTP: it turns a URL path and variables into HTML. Cloning it is cheap (shared templates and jobs).
#[derive(Clone)]
pub struct PageRenderer {
    templates: Arc<Templates>,
    pages: Arc<HashMap<String, Arc<PageJob>>>,
    /// (URL path, language) → the URL path of that page's translation into it.
    translations: Arc<HashMap<(String, String), String>>,
}

impl PageRenderer {
    /// The renderer of a build: its templates, each page's job by URL path, and each translation's address.
    pub(super) fn new(
        templates: Templates,
        pages: HashMap<String, Arc<PageJob>>,
        translations: HashMap<(String, String), String>,
    ) -> PageRenderer {
        PageRenderer {
            templates: Arc::new(templates),
            pages: Arc::new(pages),
            translations: Arc::new(translations),
        }
    }

    /// Render the page at `path` (`/contact/`) with `extra` added to its context (an extra variable wins over a
    /// global of the same name). `None` when there is no page there.
    pub fn render(&self, path: &str, extra: tera::Context) -> Option<Result<String>> {
        let job = self.pages.get(path)?;
        let mut context = job.context.clone();
        context.extend(extra);
        Some(self.templates.render(&job.template, &context, &job.shown))
    }

    /// The job of the page at `path`: its template, context and reads, as last rendered.
    pub(super) fn job(&self, path: &str) -> Option<&Arc<PageJob>> {
        self.pages.get(path)
    }

    /// The value of the page at `path` (`page` or `section`) as its template saw it.
    pub fn page_value(&self, path: &str) -> Option<&tera::Value> {
        self.pages.get(path)?.value()
    }

    /// Render the page at `path` again, exactly as the build did but with `value` as its `page` (or `section`), and
    /// return its file's bytes with a renderer that keeps the new value. `None` when there is no page there.
    pub fn render_again(
        &self,
        path: &str,
        value: tera::Value,
    ) -> Option<Result<(Vec<u8>, PageRenderer)>> {
        let job = self.pages.get(path)?;
        let mut context = job.context.clone();
        let key = if context.contains_key("page") {
            "page"
        } else {
            "section"
        };
        context.insert_value(key, value);
        let (bytes, again) =
            match PageJob::render(&self.templates, &job.template, context, &job.shown) {
                Ok(done) => done,
                Err(err) => return Some(Err(err)),
            };
        let mut pages = (*self.pages).clone();
        pages.insert(path.to_string(), Arc::new(again));
        let renderer = PageRenderer {
            templates: Arc::clone(&self.templates),
            pages: Arc::new(pages),
            translations: Arc::clone(&self.translations),
        };
        Some(Ok((bytes, renderer)))
    }

    /// The URL path of the page at `path` in `lang` (`/contact/` in `es`: `/es/contacto/`), when it is translated.
    pub fn translation(&self, path: &str, lang: &str) -> Option<&str> {
        self.translations
            .get(&(path.to_string(), lang.to_string()))
            .map(String::as_str)
    }
}

/// (URL path, language) → the URL path of that page's translation into it, for every translated page.
pub(super) fn translations(site: &Site) -> HashMap<(String, String), String> {
    site.pages
        .iter()
        .flat_map(|page| {
            page.translations.iter().map(|&index| {
                let other = &site.pages[index];
                let key = (page.source.path.clone(), other.lang.clone());
                (key, other.source.path.clone())
            })
        })
        .collect()
}
