//! Stage 5: templates. Loads the theme's templates (`themes/NAME/templates/`), lets the site's own `templates/`
//! override any of them by name, registers the functions and filters that Zola themes expect, and turns Tera's
//! errors into located ones. It renders nothing itself: that is the render stage.

use std::collections::{BTreeMap, BTreeSet};

use ahash::AHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::{ErrorKind, Kwargs, State, Tera, Value};
use walkdir::WalkDir;

use crate::error::{Error, Location, Result};
use crate::images::Library;

mod reads;

pub use reads::MARKDOWN_FIELDS;

/// The site data that template functions look things up in (`get_section`, `get_page`, `get_url`). Keyed by the
/// site's own file names, so a fast hash rather than the default DoS-resistant one: filling these maps is done before
/// any page renders, on one core.
#[derive(Debug, Default)]
pub struct Lookup {
    /// Section file (`what-to-expect/_index.md`) → (section with pages, section without pages).
    pub sections: AHashMap<String, (Value, Value)>,
    /// Page file (`benefits.md`) → page.
    pub pages: AHashMap<String, Value>,
    /// Content file → URL path, for `get_url(path="@/…")`.
    pub urls: AHashMap<String, String>,
    /// URL path → content file, for `get_url(path="/contact/", lang="es")`: the same page in another language.
    pub files: AHashMap<String, String>,
    /// `config.base_url`.
    pub base_url: String,
    /// The site's images, for `resize_image`.
    pub images: Option<Arc<Library>>,
    /// The theme's words in every language, for `trans`.
    pub strings: crate::languages::Strings,
    /// The default language's code: `get_page(…, lang=…)` of another language looks for its translation.
    pub default_lang: String,
}

/// What one render looked up through the template functions: what else its output depends on, besides its context
/// and the globals. The preview renders a page again when one of these changed ([`crate::render`]'s update).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// Section files asked for with `get_section`, with their pages.
    pub sections: Vec<String>,
    /// Section files asked for with `get_section(…, metadata_only=true)`: without their pages.
    pub section_metadata: Vec<String>,
    /// Page files asked for with `get_page`.
    pub pages: Vec<String>,
    /// Whether `get_url` was called (it reads every page's address).
    pub urls: bool,
    /// Whether `resize_image` was called (it asks for an image copy, made after the pages).
    pub images: bool,
}

thread_local! {
    /// The reads of the render running on this thread, when they are being recorded. Tera calls the functions on
    /// the thread that renders, so one slot per thread is enough.
    static READING: std::cell::RefCell<Option<Reads>> = const { std::cell::RefCell::new(None) };
}

/// Run `render` (one template render) and return what it looked up through the template functions.
pub fn recording<T>(render: impl FnOnce() -> T) -> (T, Reads) {
    let outer = READING.with(|slot| slot.replace(Some(Reads::default())));
    let result = render();
    let reads = READING.with(|slot| slot.replace(outer)).unwrap_or_default();
    (result, reads)
}

/// Note a look-up, when reads are being recorded.
fn note(read: impl FnOnce(&mut Reads)) {
    READING.with(|slot| {
        if let Some(reads) = slot.borrow_mut().as_mut() {
            read(reads);
        }
    });
}

/// The loaded templates, and where each came from (for error messages).
pub struct Templates {
    /// The Tera instance, ready to render.
    pub tera: Tera,
    /// Template name → file it was read from, relative to the site root.
    pub files: BTreeMap<String, PathBuf>,
}

/// The text of every template a site uses: the theme's, with the site's own `templates/` overriding them by name.
/// Read once per build: the build first asks what they mention, then [`Templates::load`] parses them.
pub struct TemplateSources {
    /// Template name → (file it was read from, relative to the site root; its text).
    sources: BTreeMap<String, (PathBuf, String)>,
}

impl TemplateSources {
    /// Read the theme's templates, then the site's overrides.
    pub fn read(root: &Path, theme: &str) -> Result<TemplateSources> {
        let theme_dir = root.join("themes").join(theme).join("templates");
        if !theme_dir.is_dir() {
            let message = format!(
                "the theme `{theme}` was not found: there is no folder themes/{theme}/templates. Set `theme` in config.toml to the name of a folder in themes/ (for example \"default\")"
            );
            return Err(Error::Config {
                at: Location::file("config.toml"),
                message,
            });
        }
        let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        read_dir(root, &theme_dir, &mut sources)?;
        read_dir(root, &root.join("templates"), &mut sources)?;
        Ok(TemplateSources { sources })
    }

    /// Whether any template may read one of these page fields: it names one, or it shows whole values
    /// (`json_encode`, `__tera_context`, …), which include every field ([`reads::may_read`]).
    pub fn may_read_any(&self, fields: &[&str]) -> bool {
        reads::may_read(self.sources.values().map(|(_, text)| text.as_str()), fields)
    }

    /// Every template: its file (relative to the site root) and its text, by name.
    pub fn files(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.sources
            .values()
            .map(|(file, text)| (file.as_path(), text.as_str()))
    }

    /// The templates whose output can differ from what `before`'s made: those whose text changed, appeared or went,
    /// and those that extend, include or import one of them, however deep. `None` when a template names another
    /// through a variable ([`reads::uses`]).
    pub fn changed_since(&self, before: &TemplateSources) -> Option<BTreeSet<String>> {
        fn text<'s>(sources: &'s TemplateSources, name: &str) -> Option<&'s str> {
            sources.sources.get(name).map(|(_, text)| text.as_str())
        }
        let mut changed: BTreeSet<String> = (self.sources.keys())
            .chain(before.sources.keys())
            .filter(|name| text(self, name) != text(before, name))
            .cloned()
            .collect();
        let uses: Vec<(&String, Vec<String>)> = self
            .sources
            .iter()
            .map(|(name, (_, text))| Some((name, reads::uses(text)?)))
            .collect::<Option<_>>()?;
        loop {
            let reached: Vec<String> = uses
                .iter()
                .filter(|(name, used)| {
                    !changed.contains(*name) && used.iter().any(|u| changed.contains(u))
                })
                .map(|(name, _)| (*name).clone())
                .collect();
            if reached.is_empty() {
                return Some(changed);
            }
            changed.extend(reached);
        }
    }

    /// Whether the templates read no page's markdown but the one being rendered ([`reads`]).
    pub fn read_only_own_markdown(&self) -> bool {
        reads::only_own_markdown(self.sources.values().map(|(_, text)| text.as_str()))
    }
}

impl Templates {
    /// Parse the templates, with the site data for the lookup functions.
    pub fn load(sources: &TemplateSources, lookup: Arc<Lookup>) -> Result<Templates> {
        let sources = &sources.sources;
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        register(&mut tera, lookup);
        let files: BTreeMap<String, PathBuf> = sources
            .iter()
            .map(|(name, (file, _))| (name.clone(), file.clone()))
            .collect();
        tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, (_, text))| (name.as_str(), text.as_str())),
        )
        .map_err(|err| template_error(&files, None, err))?;
        Ok(Templates { tera, files })
    }

    /// Whether a template of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Render a template; errors name the template file and line, and the content file being rendered.
    pub fn render(&self, name: &str, context: &tera::Context, rendering: &Path) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(|err| template_error(&self.files, Some(rendering), err))
    }

    /// [`Templates::render`] into bytes, with room for `capacity` of them from the start (a page's output is
    /// mostly its HTML, whose length is known: the buffer then never has to grow).
    pub fn render_bytes(
        &self,
        name: &str,
        context: &tera::Context,
        rendering: &Path,
        capacity: usize,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(capacity);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|err| template_error(&self.files, Some(rendering), err))?;
        Ok(out)
    }
}

/// Read every file below `dir` into `sources`, named by its path relative to `dir`. A missing folder is fine.
fn read_dir(
    root: &Path,
    dir: &Path,
    sources: &mut BTreeMap<String, (PathBuf, String)>,
) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|err| {
            let path = err
                .path()
                .unwrap_or(dir)
                .strip_prefix(root)
                .unwrap_or(dir)
                .to_path_buf();
            Error::Read {
                path,
                source: err
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("a folder loop")),
            }
        })?;
        let name = crate::content::relative_path(dir, entry.path());
        if !entry.file_type().is_file() || crate::content::is_ignored(&name) {
            continue;
        }
        let shown = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_path_buf();
        let text = std::fs::read_to_string(entry.path()).map_err(|source| Error::Read {
            path: shown.clone(),
            source,
        })?;
        sources.insert(name, (shown, text));
    }
    Ok(())
}

/// Turn a Tera error into one that names the template file and line, and keeps Tera's report as the cause.
fn template_error(
    files: &BTreeMap<String, PathBuf>,
    rendering: Option<&Path>,
    err: tera::Error,
) -> Error {
    let (name, line, what) = describe(&err);
    let while_rendering = rendering
        .map(|file| format!(" (while rendering {})", file.display()))
        .unwrap_or_default();
    let at = match files.get(&name) {
        Some(file) => Location {
            path: file.clone(),
            line,
        },
        None => {
            Location::file(rendering.map_or_else(|| PathBuf::from("templates"), Path::to_path_buf))
        }
    };
    Error::Template {
        at,
        message: format!("{what}{while_rendering}"),
        source: Some(err),
    }
}

/// Which template, which line, and what went wrong, from any Tera error.
fn describe(err: &tera::Error) -> (String, Option<usize>, String) {
    match err.kind() {
        ErrorKind::SyntaxError(report) => {
            let what = format!("template syntax error: {}", report.message());
            (
                report.filename().to_string(),
                Some(report.span().start_line),
                what,
            )
        }
        ErrorKind::RenderingError(report) => {
            let what = format!("template error: {}", report.message());
            (
                report.filename().to_string(),
                Some(report.span().start_line),
                what,
            )
        }
        ErrorKind::TemplateNotFound(name) => (
            String::new(),
            None,
            format!("the template `{name}` does not exist in the theme or in templates/"),
        ),
        ErrorKind::MissingParent { current, parent } => (
            current.clone(),
            None,
            format!("the template extends `{parent}`, which does not exist"),
        ),
        ErrorKind::Msg(text) => parse_report(text).unwrap_or_else(|| {
            let first = text.lines().next().unwrap_or_default();
            (String::new(), None, format!("template error: {first}"))
        }),
        other => (String::new(), None, format!("template error: {other}")),
    }
}

/// Tera reports some checks (unknown blocks, filters, functions) only as text in its rustc-style format:
/// `error: MESSAGE` then ` --> NAME:LINE:COLUMN`. Read the first report back into its parts.
fn parse_report(text: &str) -> Option<(String, Option<usize>, String)> {
    let mut lines = text.lines();
    let message = lines.next()?.strip_prefix("error: ")?;
    let place = lines.next()?.trim_start().strip_prefix("--> ")?;
    let mut parts = place.rsplitn(3, ':');
    let (_column, line, name) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?);
    Some((
        name.to_string(),
        Some(line),
        format!("template error: {message}"),
    ))
}

/// The functions and filters Zola themes use, plus the date helpers from tera-contrib.
fn register(tera: &mut Tera, lookup: Arc<Lookup>) {
    tera.register_filter("date", tera_contrib::dates::date);
    tera.register_function("now", tera_contrib::dates::now);
    tera.register_filter("urlencode", tera_contrib::urlencode::urlencode);
    tera.register_filter(
        "urlencode_strict",
        tera_contrib::urlencode::urlencode_strict,
    );
    tera.register_filter("slugify", |text: &str, _: Kwargs, _: &State| {
        crate::markdown::slugify(text)
    });
    tera.register_filter("json_encode", |value: Value, _: Kwargs, _: &State| {
        json_encode(&value)
    });
    tera.register_filter("markdown", |text: &str, _: Kwargs, _: &State| {
        Value::safe_string(&crate::markdown::render(text, &|_| crate::markdown::Rewrite::Keep).html)
    });
    let sections = Arc::clone(&lookup);
    tera.register_function("get_section", move |kwargs: Kwargs, _: &State| {
        get_section(&sections, &kwargs)
    });
    let pages = Arc::clone(&lookup);
    tera.register_function("get_page", move |kwargs: Kwargs, _: &State| {
        get_page(&pages, &kwargs)
    });
    let urls = Arc::clone(&lookup);
    let taxonomy_urls = Arc::clone(&lookup);
    tera.register_function("get_taxonomy_url", move |kwargs: Kwargs, _: &State| {
        get_taxonomy_url(&taxonomy_urls.base_url, &kwargs)
    });
    tera.register_function("get_url", move |kwargs: Kwargs, _: &State| {
        get_url(&urls, &kwargs)
    });
    let words = Arc::clone(&lookup);
    tera.register_function("trans", move |kwargs: Kwargs, state: &State| {
        trans(&words, &kwargs, state)
    });
    tera.register_function("resize_image", move |kwargs: Kwargs, _: &State| {
        resize_image(&lookup, &kwargs)
    });
}

/// Zola's `trans(key="…", lang="…")`: the theme's word for `key` in `lang` (by default the language of the page
/// being rendered), else in the default language, else the key itself. Never an error: `iopsite check` reports the
/// missing words, and a page with one English word is better than no page.
fn trans(lookup: &Lookup, kwargs: &Kwargs, state: &State) -> tera::TeraResult<Value> {
    let key: &str = kwargs.must_get("key")?;
    let lang = match kwargs.get::<&str>("lang")? {
        Some(lang) => lang.to_string(),
        None => state
            .get::<String>("lang")?
            .unwrap_or_else(|| lookup.default_lang.clone()),
    };
    Ok(Value::from(lookup.strings.get(&lang, key).unwrap_or(key)))
}

/// The content file asked for, in the language asked for (`lang=` of `get_page`, `get_section`, `get_url`).
fn in_language(lookup: &Lookup, file: &str, kwargs: &Kwargs) -> tera::TeraResult<String> {
    Ok(match kwargs.get::<&str>("lang")? {
        Some(lang) => crate::languages::file_in(file, lang, &lookup.default_lang),
        None => file.to_string(),
    })
}

/// Zola's `resize_image(path, width, height, op, format, quality)`: a copy of an image, made after the pages
/// render; returns `url`, `static_path`, `width`, `height`, `orig_width`, `orig_height`.
fn resize_image(lookup: &Lookup, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let path: &str = kwargs.must_get("path")?;
    let width = kwargs.get::<u32>("width")?;
    let height = kwargs.get::<u32>("height")?;
    let op = kwargs.get::<&str>("op")?.unwrap_or("fill");
    let format = kwargs.get::<&str>("format")?.unwrap_or("auto");
    let quality = kwargs.get::<u8>("quality")?;
    note(|reads| reads.images = true);
    let images = lookup
        .images
        .as_ref()
        .ok_or_else(|| tera::Error::message("resize_image: no images here"))?;
    let resized = images
        .resize(path, (width, height), op, format, quality, &lookup.base_url)
        .map_err(tera::Error::message)?;
    Ok(Value::from_serializable(&resized))
}

fn get_section(lookup: &Lookup, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let path: &str = kwargs.must_get("path")?;
    let metadata_only = kwargs.get::<bool>("metadata_only")?.unwrap_or(false);
    let path = in_language(lookup, path.trim_start_matches("@/"), kwargs)?;
    let path = path.as_str();
    note(|reads| {
        let asked = if metadata_only {
            &mut reads.section_metadata
        } else {
            &mut reads.sections
        };
        asked.push(path.to_string());
    });
    match lookup.sections.get(path) {
        Some((full, metadata)) => Ok(if metadata_only {
            metadata.clone()
        } else {
            full.clone()
        }),
        None => Err(tera::Error::message(format!(
            "get_section: there is no section `{path}` (write the path of an _index.md file inside content/, e.g. \"what-to-expect/_index.md\")"
        ))),
    }
}

fn get_page(lookup: &Lookup, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let path: &str = kwargs.must_get("path")?;
    let path = in_language(lookup, path.trim_start_matches("@/"), kwargs)?;
    let path = path.as_str();
    note(|reads| reads.pages.push(path.to_string()));
    lookup.pages.get(path).cloned().ok_or_else(|| {
        tera::Error::message(format!("get_page: there is no page `{path}` (write the path of a markdown file inside content/, e.g. \"benefits.md\")"))
    })
}

fn get_url(lookup: &Lookup, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let path: &str = kwargs.must_get("path")?;
    let trailing_slash = kwargs.get::<bool>("trailing_slash")?.unwrap_or(false);
    let lang = kwargs.get::<&str>("lang")?;
    note(|reads| reads.urls = true);
    let url_path = if let Some(file) = path.strip_prefix("@/") {
        // In the language asked for when the page is translated, else the page itself (like `trans`).
        let translated = in_language(lookup, file, kwargs)?;
        lookup
            .urls
            .get(&translated)
            .or_else(|| lookup.urls.get(file))
            .cloned()
            .ok_or_else(|| tera::Error::message(format!("get_url: there is no page `{path}`")))?
    } else if let (Some(_), Some(file)) = (lang, lookup.files.get(path)) {
        // A page's address: the same page in the language asked for, when it is translated.
        let (_, base) = crate::languages::split_file(file);
        let translated = in_language(lookup, &base, kwargs)?;
        lookup
            .urls
            .get(&translated)
            .cloned()
            .unwrap_or_else(|| path.to_string())
    } else {
        let prefix = match lang {
            Some(lang) if lang != lookup.default_lang => format!("/{lang}"),
            _ => String::new(),
        };
        let mut url_path = format!("{prefix}/{}", path.trim_start_matches('/'));
        if trailing_slash && !url_path.ends_with('/') {
            url_path.push('/');
        }
        url_path
    };
    // `path_only=true` (iopsite's own): the URL path alone, as the default theme writes its links.
    if kwargs.get::<bool>("path_only")?.unwrap_or(false) {
        return Ok(Value::from(url_path));
    }
    Ok(Value::from(format!("{}{url_path}", lookup.base_url)))
}

/// Zola's `get_taxonomy_url(kind="tags", name="Family")`: the address of a term's page.
fn get_taxonomy_url(base_url: &str, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let kind: &str = kwargs.must_get("kind")?;
    let name: &str = kwargs.must_get("name")?;
    let slug = crate::taxonomy::term_slug(name).map_err(tera::Error::message)?;
    Ok(Value::from(format!("{base_url}/{kind}/{slug}/")))
}

/// JSON for use inside `<script type="application/ld+json">`: `<` is escaped so no text can close the script.
pub fn json_encode(value: &Value) -> Value {
    let json = serde_json::to_string(value).unwrap_or_default();
    Value::safe_string(&json.replace('<', "\\u003c"))
}
