//! Part of the context stage: what templates see of a page's languages. `page.translations` (Zola's shape: `lang`,
//! `title`, `permalink`, plus `path` and the language's own `name`), and for the page being rendered: `lang`, the
//! main navigation of its language, `alternates` (the `hreflang` links of the head: the page itself and each
//! translation, with full addresses), `x_default`, and `language_links`, the language switcher's targets: the same
//! page in each other language, or that language's home page when the page has no translation.

use serde::Serialize;

use super::permalink;
use crate::site::{Page, Site};

/// One entry of `page.translations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// The language's code.
    pub lang: String,
    /// The language's name in itself.
    pub name: String,
    /// The page's title in that language.
    pub title: String,
    /// URL path.
    pub path: String,
    /// Full address.
    pub permalink: String,
}

/// One `hreflang` link of a page's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternate {
    /// The language's code.
    pub lang: String,
    /// Full address.
    pub permalink: String,
}

/// One target of the language switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageLink {
    /// The language's code (for `lang` and `hreflang`).
    pub lang: String,
    /// The language's name in itself: the link's text.
    pub name: String,
    /// URL path: the same page in that language, or that language's home page.
    pub path: String,
    /// Whether `path` is this page's translation (`false`: that language's home page).
    pub translated: bool,
}

/// The page's other languages, for `page.translations`.
pub fn translations(site: &Site, page: &Page) -> Vec<Translation> {
    page.translations
        .iter()
        .map(|&index| {
            let other = &site.pages[index];
            Translation {
                lang: other.lang.clone(),
                name: site.languages.name(&other.lang).to_string(),
                title: other.source.title().to_string(),
                path: other.source.path.clone(),
                permalink: permalink(&site.config.base_url, &other.source.path),
            }
        })
        .collect()
}

/// The `hreflang` links of a page: itself, then its translations, in the site's language order; none on a site
/// with one language.
pub fn alternates(site: &Site, page: &Page) -> Vec<Alternate> {
    if !site.languages.is_multilingual() {
        return Vec::new();
    }
    let mut all: Vec<&Page> = page
        .translations
        .iter()
        .map(|&index| &site.pages[index])
        .collect();
    all.push(page);
    site.languages
        .all
        .iter()
        .filter_map(|(code, _)| all.iter().find(|p| p.lang == *code))
        .map(|p| Alternate {
            lang: p.lang.clone(),
            permalink: permalink(&site.config.base_url, &p.source.path),
        })
        .collect()
}

/// The page for visitors whose language the site does not have (`hreflang="x-default"`): the default language's
/// version, when there is one.
pub fn x_default(site: &Site, page: &Page) -> Option<String> {
    if !site.languages.is_multilingual() {
        return None;
    }
    std::iter::once(page)
        .chain(page.translations.iter().map(|&index| &site.pages[index]))
        .find(|p| p.lang == site.languages.default)
        .map(|p| permalink(&site.config.base_url, &p.source.path))
}

/// The language switcher of a page in `lang` with these translations: every other language, to the same page
/// when it is translated, else to that language's home page.
pub fn language_links(site: &Site, lang: &str, translations: &[usize]) -> Vec<LanguageLink> {
    site.languages
        .all
        .iter()
        .filter(|(code, _)| code != lang)
        .map(|(code, name)| {
            let translation = translations
                .iter()
                .map(|&index| &site.pages[index])
                .find(|p| p.lang == *code);
            LanguageLink {
                lang: code.clone(),
                name: name.clone(),
                path: translation
                    .map_or_else(|| site.languages.home(code), |p| p.source.path.clone()),
                translated: translation.is_some(),
            }
        })
        .collect()
}

/// Add a page's language variables to its context: `lang`, its language's `menu`, `alternates`, `x_default` and
/// `language_links`.
pub fn add_to_page(site: &Site, page: &Page, context: &mut tera::Context) {
    add_for_language(site, &page.lang, context);
    context.insert("alternates", &alternates(site, page));
    context.insert("x_default", &x_default(site, page).unwrap_or_default());
    context.insert(
        "language_links",
        &language_links(site, &page.lang, &page.translations),
    );
}

/// The variables of a page in `lang` that no content file makes (the 404 page, lists of topics): `lang`, its
/// language's `menu`, no `alternates`, and a switcher to the other languages' home pages.
pub fn add_for_language(site: &Site, lang: &str, context: &mut tera::Context) {
    context.insert("lang", lang);
    if let Some(menu) = site.menus.get(lang) {
        context.insert("menu", menu);
    }
    let crisis = site.config.languages.get(lang).map(|l| &l.crisis);
    if let Some(lines) = crisis.filter(|lines| !lines.is_empty()) {
        let lines: Vec<_> = lines.iter().map(super::crisis_line).collect();
        context.insert("crisis_lines", &lines);
    }
    context.insert("alternates", &Vec::<Alternate>::new());
    context.insert("x_default", "");
    context.insert("language_links", &language_links(site, lang, &[]));
}
