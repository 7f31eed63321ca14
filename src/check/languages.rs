//! Rules of a site in several languages. `translation` (info): a page not yet translated into one of the site's
//! languages, listed by `--format json` so a translator can work from the list. `translation-review` (warning): a
//! translation marked `translation_reviewed = false`, until a qualified translator has reviewed it.
//! `theme-words` (warning): a word the theme asks for with `trans(key="…")` that a language has no text for, so its
//! pages show the main language's word (or, when no language has it, the key itself).

use std::collections::BTreeSet;
use std::path::Path;

use super::input::Input;
use super::rules::{Found, Rule};
use crate::error::Location;
use crate::languages::{Strings, file_in};
use crate::templates::TemplateSources;

/// All three rules; nothing on a site with one language except `translation-review`.
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let mut found = reviews(input);
    if input.site.languages.is_multilingual() {
        found.extend(untranslated(input));
        found.extend(theme_words(input));
    }
    found
}

fn reviews(input: &Input<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    for (index, page) in input.site.pages.iter().enumerate() {
        let source = &page.source;
        if source.front_matter.translation_reviewed == Some(false) {
            let at = Location::line(&source.shown, source.key_line("translation_reviewed"));
            let message = "this translation has not been reviewed by a qualified translator yet \
                           (translation_reviewed = false): health information must be checked by one before it is \
                           relied on. Once it is, set translation_reviewed = true";
            found.push(Found::new(Rule::TranslationReview, at, message).on(Some(index)));
        }
    }
    found
}

fn untranslated(input: &Input<'_>) -> Vec<Found> {
    let site = input.site;
    let languages = &site.languages;
    let mut found = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        for (code, name) in &languages.all {
            let translated = *code == page.lang
                || page
                    .translations
                    .iter()
                    .any(|&i| site.pages[i].lang == *code);
            if translated {
                continue;
            }
            let file = file_in(&page.source.base, code, &languages.default);
            let message = format!(
                "this page is not yet in {name} ({code}): to translate it, write content/{file} (see README: \
                 \"Spanish pages\")"
            );
            let at = Location::file(&page.source.shown);
            found.push(Found::new(Rule::Translation, at, message).on(Some(index)));
        }
    }
    found
}

fn theme_words(input: &Input<'_>) -> Vec<Found> {
    let config = &input.site.config;
    let Ok(templates) = TemplateSources::read(&input.root, &config.theme) else {
        return Vec::new();
    };
    let strings = Strings::new(config);
    let languages = &input.site.languages;
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for (file, text) in templates.files() {
        for (line, key) in trans_keys(text) {
            if !seen.insert(key.clone()) {
                continue;
            }
            found.extend(missing_word(file, line, &key, &strings, languages));
        }
    }
    found
}

/// What to say about one theme word: each language that lacks it (the main language only when every language
/// lacks it: a word only some translations use, such as the form's notes, is fine).
fn missing_word(
    file: &Path,
    line: usize,
    key: &str,
    strings: &Strings,
    languages: &crate::languages::Languages,
) -> Vec<Found> {
    let at = || Location::line(file, line);
    let default = &languages.default;
    let nowhere = languages
        .all
        .iter()
        .all(|(code, _)| !strings.has_own(code, key));
    if nowhere {
        let message = format!(
            "the theme's word `{key}` has no text in any language, so pages show `{key}` itself: add {key} = \"…\" \
             under [translations] in config.toml (and under [languages.CODE.translations] for each other language)"
        );
        return vec![Found::new(Rule::ThemeWords, at(), message)];
    }
    let main_name = languages.name(default);
    languages.all[1..]
        .iter()
        .filter(|(code, _)| !strings.has_own(code, key) && strings.has_own(default, key))
        .map(|(code, name)| {
            let message = format!(
                "the theme's word `{key}` has no {name} ({code}) text, so {name} pages show the {main_name} one: \
                 add {key} = \"…\" under [languages.{code}.translations] in config.toml"
            );
            Found::new(Rule::ThemeWords, at(), message)
        })
        .collect()
}

/// The keys of every `trans(key="…")` of a template with a literal key, with their lines.
fn trans_keys(text: &str) -> Vec<(usize, String)> {
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (start, call) in line.match_indices("trans(") {
            let before = line[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &line[start + call.len()..];
            let after = rest
                .trim_start()
                .strip_prefix("key")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .map(str::trim_start)
                .unwrap_or_default();
            let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = after[1..].find(quote) {
                keys.push((index + 1, after[1..=end].to_string()));
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_trans_keys_with_their_lines() {
        let text = "<a>{{ trans(key=\"home\") }}</a>\n\n{{ trans( key = 'skip', lang=lang) }} {{ trans(key=name) }} \
                    {{ x | retrans(key=\"other\") }}";
        assert_eq!(
            trans_keys(text),
            [(1, "home".to_string()), (3, "skip".to_string())]
        );
    }
}
