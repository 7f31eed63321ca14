//! Which page translates which: every page gets its language and the indexes of the same page in the other
//! languages (pages whose files differ only by the language in their name: `faq.md`, `faq.es.md`). A file named for
//! a language the site does not have is an error that says how to fix it.

use std::collections::HashMap;

use super::Page;
use crate::error::{Error, Location};
use crate::languages::{Languages, split_file};

/// Set every page's `lang` and `translations`; the errors are the files in languages `config.toml` does not list.
pub(super) fn link(
    pages: &mut [Page],
    languages: &Languages,
    by_file: &HashMap<String, usize>,
) -> Vec<Error> {
    let mut errors = Vec::new();
    for page in pages.iter_mut() {
        let source = &page.source;
        page.lang = source
            .lang
            .clone()
            .unwrap_or_else(|| languages.default.clone());
        if !languages.has(&page.lang) || source.lang.as_deref() == Some(&languages.default) {
            errors.push(unknown_language(page, languages));
        }
    }
    errors.extend(nest_paths(pages, by_file));
    for page in pages.iter_mut() {
        let base = &page.source.base;
        let translations: Vec<usize> = languages
            .all
            .iter()
            .filter(|(code, _)| *code != page.lang)
            .filter_map(|(code, _)| {
                let file = crate::languages::file_in(base, code, &languages.default);
                by_file.get(&file).copied()
            })
            .collect();
        page.translations = translations;
    }
    errors
}

/// A translated page's address follows its translated section's: with `guide/_index.es.md` at `/es/guia/` (its
/// `slug`), `guide/start.es.md` is at `/es/guia/start/` (or `/es/guia/SLUG/`), not `/es/guide/start/`. Sections are
/// done before the pages below them.
fn nest_paths(pages: &mut [Page], by_file: &HashMap<String, usize>) -> Vec<Error> {
    let mut taken: std::collections::HashSet<String> =
        pages.iter().map(|page| page.source.path.clone()).collect();
    let mut errors = Vec::new();
    let mut order: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].source.lang.is_some())
        .collect();
    order.sort_by_key(|&i| pages[i].source.base.matches('/').count());
    for index in order {
        let source = &pages[index].source;
        let Some(parent) = parent_section(&source.base, source.lang.as_deref(), by_file) else {
            continue;
        };
        let parent_path = pages[parent].source.path.clone();
        let source = &mut pages[index].source;
        let last = source
            .path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let path = format!("{parent_path}{last}/");
        if path == source.path {
            continue;
        }
        if !taken.insert(path.clone()) {
            let message = format!(
                "this page's address would be {path}, which another page has already: change its `slug`"
            );
            errors.push(Error::content(Location::file(&source.shown), message));
            continue;
        }
        source.path = path;
    }
    errors
}

/// The section in the same language directly above a file (`guide/start.md` → `guide/_index.es.md`), when there is
/// one and it is not the language's home page (whose address, `/es/`, is already the start of every address).
fn parent_section(
    base: &str,
    lang: Option<&str>,
    by_file: &HashMap<String, usize>,
) -> Option<usize> {
    let own_folder = base.rsplit_once('/').map_or("", |(dir, _)| dir);
    let is_index = base.ends_with("_index.md") || base.ends_with("/index.md");
    let folder = if is_index {
        own_folder.rsplit_once('/').map_or("", |(dir, _)| dir)
    } else {
        own_folder
    };
    if folder.is_empty() {
        return None;
    }
    let file = in_language(&format!("{folder}/_index.md"), lang)?;
    by_file.get(&file).copied()
}

fn unknown_language(page: &Page, languages: &Languages) -> Error {
    let code = &page.lang;
    let message = if *code == languages.default {
        format!(
            "the file name says `{code}`, the site's main language, whose pages need no language in their name: \
             rename it to {}",
            page.source.base
        )
    } else {
        format!(
            "the file name says this page is in the language `{code}`, which config.toml does not list: add a \
             [languages.{code}] table to config.toml (with its title), or rename the file (for Spanish: {}, where \
             `es` is the language)",
            crate::languages::file_in(&page.source.base, "es", &languages.default)
        )
    };
    Error::content(Location::file(&page.source.shown), message)
}

/// The same content file in `lang` (`faq.md` → `faq.es.md`), when `lang` is given and `file` is a markdown file that
/// names no language of its own; `None` otherwise.
pub(super) fn in_language(file: &str, lang: Option<&str>) -> Option<String> {
    let lang = lang?;
    let (own, base) = split_file(file);
    let stem = base.strip_suffix(".md")?;
    own.is_none().then(|| format!("{stem}.{lang}.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_a_language() {
        assert_eq!(
            in_language("faq.md", Some("es")).as_deref(),
            Some("faq.es.md")
        );
        assert_eq!(
            in_language("d/_index.md", Some("es")).as_deref(),
            Some("d/_index.es.md")
        );
        assert_eq!(in_language("faq.en.md", Some("es")), None);
        assert_eq!(in_language("faq.md", None), None);
        assert_eq!(in_language("leaflet.pdf", Some("es")), None);
    }
}
