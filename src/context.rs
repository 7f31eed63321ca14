//! Stage 6a: template context. Turns the assembled [`Site`] into the values templates see, using Zola's names
//! (`page`, `section`, `config`) plus iopsite's own (`center`, `crisis_lines`, `menu`, `breadcrumbs`, `csp`,
//! `json_ld`, `form`). Every page's value is built once and shared: a section's `pages` list and `get_section` hand out
//! cheap clones of the same values, so a 1,000-entry navigation list costs no copying per page.

use std::collections::{BTreeMap, HashMap};

use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use tera::Value;

use crate::config::{Config, CrisisLine};
use crate::front_matter::Source;
use crate::markdown::{Heading, Rendered};
use crate::site::{Page, Site};
use crate::templates::Lookup;

pub mod languages;

/// A heading of a page's table of contents, as templates see it (Zola's shape).
#[derive(Serialize)]
struct TocEntry {
    level: u8,
    id: String,
    title: String,
    permalink: String,
    children: Vec<TocEntry>,
}

fn toc(headings: &[Heading], permalink: &str) -> Vec<TocEntry> {
    headings
        .iter()
        .map(|h| TocEntry {
            level: h.level,
            id: h.id.clone(),
            title: h.title.clone(),
            permalink: format!("{permalink}#{}", h.id),
            children: toc(&h.children, permalink),
        })
        .collect()
}

/// A neighbouring page, for `page.lower` / `page.higher`.
#[derive(Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    path: &'a str,
    permalink: String,
    description: &'a str,
}

/// The fields every page and section has.
#[derive(Serialize)]
struct PageFields<'a> {
    title: &'a str,
    description: &'a str,
    content: &'a str,
    path: &'a str,
    permalink: String,
    slug: &'a str,
    date: Option<&'a str>,
    updated: Option<&'a str>,
    weight: i64,
    draft: bool,
    toc: Vec<TocEntry>,
    ancestors: Vec<&'a str>,
    relative_path: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    lower: Option<Neighbour<'a>>,
    higher: Option<Neighbour<'a>>,
    /// `None` (shown as nothing) when no template mentions `word_count` or `reading_time`: then they are not counted.
    word_count: Option<usize>,
    reading_time: Option<usize>,
    reviewed_by: Option<&'a str>,
    last_reviewed: Option<&'a str>,
    sources: &'a [Source],
    aliases: &'a [String],
    subsections: Vec<&'a str>,
    taxonomies: &'a std::collections::BTreeMap<String, Vec<String>>,
    lang: &'a str,
    translations: Vec<languages::Translation>,
}

/// All the values templates use, built once per build.
pub struct SiteValues {
    /// Per page (same order as `site.pages`): the page value (for sections: with `pages`).
    pub pages: Vec<Value>,
    /// Variables shared by every render (Tera's global context).
    pub globals: tera::Context,
    /// What `get_section` / `get_page` / `get_url` look up.
    pub lookup: Lookup,
    /// Per page: its `breadcrumbs` variable ([`breadcrumbs`]). Pages with the same sections above them share one
    /// value, made once: made for every page, it was 1 % of a build.
    pub breadcrumbs: Vec<Value>,
}

/// Build every value templates need.
pub fn build(site: &Site) -> SiteValues {
    let plain: Vec<Value> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| page_value(site, i, &site.pages[i].rendered.html))
        .collect();
    with_sections(site, &plain)
}

/// Like [`build`], but each page's HTML is moved into its value rather than copied, leaving `rendered.html` empty:
/// a big site then holds its HTML once (at 10,000 pages that is about 60 MB less).
pub fn build_taking_html(site: &mut Site) -> SiteValues {
    let html: Vec<String> = site
        .pages
        .iter_mut()
        .map(|page| std::mem::take(&mut page.rendered.html))
        .collect();
    let site = &*site;
    let plain: Vec<Value> = html
        .into_par_iter()
        .enumerate()
        .map(|(i, html)| page_value(site, i, &html))
        .collect();
    with_sections(site, &plain)
}

/// A page's value made by [`build`] before its markdown was rendered ([`crate::site::Markdown::Deferred`]), with
/// the fields that come from its markdown filled in from `rendered` (its HTML is moved, not copied): the value
/// [`build`] makes for a rendered page.
pub fn with_markdown(value: &Value, site: &Site, index: usize, rendered: &mut Rendered) -> Value {
    let mut map = value.as_map().cloned().unwrap_or_default();
    map.insert(
        "content".into(),
        Value::from(std::mem::take(&mut rendered.html)),
    );
    // The value already holds an empty table of contents and no word count, which is what a page without headings,
    // or a site whose templates show neither, gets.
    if !rendered.toc.is_empty() {
        let permalink = permalink(&site.config.base_url, &site.pages[index].source.path);
        let toc = Value::from_serializable(&toc(&rendered.toc, &permalink));
        map.insert("toc".into(), toc);
    }
    if let Some(words) = rendered.word_count {
        map.insert("word_count".into(), Value::from(words));
        map.insert("reading_time".into(), Value::from(reading_time(words)));
    }
    Value::from(map)
}

/// Minutes to read so many words, at 200 words a minute.
fn reading_time(words: usize) -> usize {
    words.div_ceil(200)
}

/// Add `pages` to the sections' values, and make the look-up tables and the globals.
fn with_sections(site: &Site, plain: &[Value]) -> SiteValues {
    let base = &site.config.base_url;
    let mut pages = plain.to_vec();
    let sections = site
        .pages
        .iter()
        .filter(|page| page.source.is_section)
        .count();
    let mut lookup = Lookup {
        sections: AHashMap::with_capacity(sections),
        pages: AHashMap::with_capacity(site.pages.len() - sections),
        urls: AHashMap::with_capacity(site.pages.len()),
        files: AHashMap::with_capacity(site.pages.len()),
        base_url: base.clone(),
        images: Some(std::sync::Arc::clone(&site.library)),
        strings: crate::languages::Strings::new(&site.config),
        default_lang: site.languages.default.clone(),
    };
    for (index, page) in site.pages.iter().enumerate() {
        lookup
            .urls
            .insert(page.source.file.clone(), page.source.path.clone());
        lookup
            .files
            .insert(page.source.path.clone(), page.source.file.clone());
        if page.source.is_section {
            let members: Vec<Value> = page.pages.iter().map(|&i| plain[i].clone()).collect();
            pages[index] = with_field(&plain[index], "pages", Value::from(members.as_slice()));
            lookup.sections.insert(
                page.source.file.clone(),
                (pages[index].clone(), plain[index].clone()),
            );
        } else {
            lookup
                .pages
                .insert(page.source.file.clone(), plain[index].clone());
        }
    }
    SiteValues {
        pages,
        globals: globals(site),
        lookup,
        breadcrumbs: shared_breadcrumbs(site),
    }
}

/// Every page's [`breadcrumbs`] as a template value, one value for all the pages under the same sections.
fn shared_breadcrumbs(site: &Site) -> Vec<Value> {
    let mut made: AHashMap<&[usize], Value> = AHashMap::new();
    let strings = crate::languages::Strings::new(&site.config);
    site.pages
        .iter()
        .map(|page| {
            made.entry(&page.ancestors)
                .or_insert_with(|| Value::from_serializable(&breadcrumbs(site, page, &strings)))
                .clone()
        })
        .collect()
}

/// A copy of a map value with one more field. The fields are shared, not copied: serialising the map again would
/// copy every string in it, including the content of every page in a section's `pages`.
fn with_field(value: &Value, key: &str, field: Value) -> Value {
    let mut map = value.as_map().cloned().unwrap_or_default();
    map.insert(key.to_string().into(), field);
    Value::from(map)
}

/// A page's full address: the site's `base_url` followed by the page's URL path. Joined with `concat`, not
/// `format!`, which cost 900 instructions a join: a page's values and context need it a few times each.
pub fn permalink(base_url: &str, path: &str) -> String {
    [base_url, path].concat()
}

fn neighbour<'a>(site: &'a Site, index: Option<usize>, base: &str) -> Option<Neighbour<'a>> {
    let page = &site.pages[index?].source;
    Some(Neighbour {
        title: page.title(),
        path: &page.path,
        permalink: permalink(base, &page.path),
        description: page.front_matter.description.as_deref().unwrap_or_default(),
    })
}

fn page_value(site: &Site, index: usize, content: &str) -> Value {
    let base = &site.config.base_url;
    let page: &Page = &site.pages[index];
    let (source, fm) = (&page.source, &page.source.front_matter);
    let permalink = permalink(base, &source.path);
    let word_count = page.rendered.word_count;
    let files = |indexes: &[usize]| {
        indexes
            .iter()
            .map(|&i| site.pages[i].source.file.as_str())
            .collect::<Vec<_>>()
    };
    Value::from_serializable(&PageFields {
        title: source.title(),
        description: fm.description.as_deref().unwrap_or_default(),
        content,
        path: &source.path,
        toc: toc(&page.rendered.toc, &permalink),
        permalink,
        slug: source
            .path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default(),
        date: fm.date.as_ref().map(|d| d.0.as_str()),
        updated: fm.updated.as_ref().map(|d| d.0.as_str()),
        weight: fm.weight.unwrap_or(0),
        draft: fm.draft,
        ancestors: files(&page.ancestors),
        relative_path: &source.file,
        extra: &fm.extra,
        lower: neighbour(site, page.lower, base),
        higher: neighbour(site, page.higher, base),
        word_count,
        reading_time: word_count.map(reading_time),
        reviewed_by: fm.reviewed_by.as_deref(),
        last_reviewed: fm.last_reviewed.as_ref().map(|d| d.0.as_str()),
        sources: &fm.sources,
        aliases: &fm.aliases,
        subsections: files(&page.subsections),
        taxonomies: &fm.taxonomies,
        lang: &page.lang,
        translations: languages::translations(site, page),
    })
}

/// The variables that come from `config.toml` alone: what shortcodes see (`config`, `lang`, `center`,
/// `crisis_lines`).
pub fn config_globals(config: &Config) -> tera::Context {
    let mut globals = tera::Context::new();
    globals.insert("config", config);
    globals.insert("lang", &config.language);
    globals.insert("center", &center(config));
    globals.insert(
        "crisis_lines",
        &config.crisis.iter().map(crisis_line).collect::<Vec<_>>(),
    );
    globals
}

/// What a shortcode sees in a page of each of the site's languages: `lang`, that language's `crisis_lines` (the main
/// language's when it has none of its own) and `words`, the theme's words in it (each falling back to the main
/// language's, as `trans` does).
pub fn shortcode_languages(config: &Config) -> BTreeMap<String, tera::Context> {
    let main_lines: Vec<_> = config.crisis.iter().map(crisis_line).collect();
    let mut languages = BTreeMap::new();
    let mut main = tera::Context::new();
    main.insert("lang", &config.language);
    main.insert("crisis_lines", &main_lines);
    main.insert("words", &config.translations);
    languages.insert(config.language.clone(), main);
    for (code, language) in &config.languages {
        let mut words = config.translations.clone();
        words.extend(language.translations.clone());
        let lines: Vec<_> = if language.crisis.is_empty() {
            main_lines.clone()
        } else {
            language.crisis.iter().map(crisis_line).collect()
        };
        let mut context = tera::Context::new();
        context.insert("lang", code);
        context.insert("crisis_lines", &lines);
        context.insert("words", &words);
        languages.insert(code.clone(), context);
    }
    languages
}

/// The variables every template sees.
fn globals(site: &Site) -> tera::Context {
    let config = &site.config;
    let mut globals = config_globals(config);
    globals.insert("menu", &site.menu);
    globals.insert("csp", &content_security_policy(config, false));
    // Every language with its own name and home page, for themes; then the default language's `lang`, switcher
    // and (empty) `alternates`, which each page replaces with its own.
    let all: Vec<serde_json::Value> = site
        .languages
        .all
        .iter()
        .map(
            |(code, name)| json!({ "lang": code, "name": name, "path": site.languages.home(code) }),
        )
        .collect();
    globals.insert("languages", &all);
    globals.insert("default_lang", &site.languages.default);
    languages::add_for_language(site, &site.languages.default, &mut globals);
    // The contact form, empty; the server renders the form's page again with values and messages in its place.
    globals.insert("form", &crate::forms::FormView::blank());
    globals
}

fn center(config: &Config) -> serde_json::Value {
    let c = &config.center;
    json!({
        "name": c.name, "phone": c.phone, "phone_href": tel_href(&c.phone), "email": c.email,
        "email_href": if c.email.is_empty() { String::new() } else { format!("mailto:{}", c.email) },
        "address": c.address, "hours": c.hours,
    })
}

fn crisis_line(line: &CrisisLine) -> serde_json::Value {
    let text_href = digits(&line.text)
        .map(|d| format!("sms:{d}"))
        .unwrap_or_default();
    json!({
        "name": line.name, "description": line.description, "phone": line.phone,
        "phone_href": tel_href(&line.phone), "text": line.text, "text_href": text_href,
    })
}

fn digits(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// A `tel:` link for a number as people write it. Ten-digit numbers are US numbers (+1); short codes such as 988
/// and 911 stay as they are; a number written with `+` keeps its country code.
pub fn tel_href(number: &str) -> String {
    let Some(digits) = digits(number) else {
        return String::new();
    };
    if number.trim_start().starts_with('+') {
        format!("tel:+{digits}")
    } else if digits.len() == 10 {
        format!("tel:+1{digits}")
    } else if digits.len() == 11 && digits.starts_with('1') {
        format!("tel:+{digits}")
    } else {
        format!("tel:{digits}")
    }
}

/// The Content-Security-Policy: only the site's own origin, plus the contact form's target when it is elsewhere.
/// `frame-ancestors` only works as an HTTP header (browsers warn about it in a meta tag), so it is added there only.
pub fn content_security_policy(config: &Config, for_header: bool) -> String {
    let mut form_action = "'self'".to_string();
    if let Some(origin) = origin(&config.contact.action) {
        form_action = format!("'self' {origin}");
    }
    let mut csp = format!(
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action {form_action}"
    );
    if for_header {
        csp.push_str("; frame-ancestors 'none'");
    }
    csp
}

fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// schema.org data for a page: `MedicalClinic` on the home page, `MedicalWebPage` on reviewed pages.
pub fn json_ld(site: &Site, page: &Page) -> String {
    let config = &site.config;
    let fm = &page.source.front_matter;
    let url = permalink(&config.base_url, &page.source.path);
    let data = if page.source.base == "_index.md" {
        let c = &config.center;
        json!({
            "@context": "https://schema.org", "@type": "MedicalClinic", "name": c.name, "url": url,
            "telephone": c.phone, "email": c.email, "description": config.description,
            "address": { "@type": "PostalAddress", "streetAddress": c.address },
        })
    } else if let (Some(by), Some(on)) = (&fm.reviewed_by, &fm.last_reviewed) {
        json!({
            "@context": "https://schema.org", "@type": "MedicalWebPage", "name": page.source.title(), "url": url,
            "description": fm.description, "lastReviewed": on.day(),
            "reviewedBy": { "@type": "Person", "name": by },
        })
    } else {
        return String::new();
    };
    data.to_string().replace('<', "\\u003c")
}

/// `{ title, path }` from the home page down to the page's section.
fn breadcrumbs(
    site: &Site,
    page: &Page,
    strings: &crate::languages::Strings,
) -> Vec<HashMap<&'static str, String>> {
    page.ancestors
        .iter()
        .map(|&i| {
            let section = &site.pages[i].source;
            let title = if section.base == "_index.md" {
                // The home page's crumb says "Home" in the page's language (the theme's `home` word).
                strings
                    .get(&page.lang, "home")
                    .unwrap_or("Home")
                    .to_string()
            } else {
                section.title().to_string()
            };
            HashMap::from([("title", title), ("path", section.path.clone())])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tel_links_for_us_numbers_and_short_codes() {
        assert_eq!(tel_href("(555) 555-0100"), "tel:+15555550100");
        assert_eq!(tel_href("1-800-662-4357"), "tel:+18006624357");
        assert_eq!(tel_href("988"), "tel:988");
        assert_eq!(tel_href("+44 20 7946 0000"), "tel:+442079460000");
        assert_eq!(tel_href(""), "");
    }

    #[test]
    fn csp_allows_an_external_form_service_only_for_forms() {
        let mut config = Config::default();
        assert!(content_security_policy(&config, false).ends_with("form-action 'self'"));
        config.contact.action = "https://forms.example.com/f/123".into();
        let csp = content_security_policy(&config, true);
        assert!(
            csp.contains("form-action 'self' https://forms.example.com;"),
            "{csp}"
        );
        assert!(csp.ends_with("frame-ancestors 'none'"));
    }
}
