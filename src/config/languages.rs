//! Languages in `config.toml`, with Zola's names: the default language stays `language = "en"` at the top, with
//! the theme's words for it under `[translations]`; every other language is a `[languages.CODE]` table with its
//! own `title`, `description` and `[languages.CODE.translations]`. iopsite adds `name` (the language's own name,
//! for the language switcher) and `[language_help]`: the notice of free language assistance and its taglines.
//! Checked here with nothing but the text; which pages exist in which language is the `site` stage's business.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// One `[languages.CODE]` table: a language the site is published in besides the default one.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageConfig {
    /// The site title in this language.
    pub title: String,
    /// The default meta description in this language.
    pub description: String,
    /// The language's name in itself ("Español"), shown in the language switcher. Known languages have one built in.
    pub name: String,
    /// The theme's words in this language (`trans(key=…)`), over the theme's own.
    pub translations: BTreeMap<String, String>,
    /// The crisis lines as pages in this language show them (`[[languages.es.crisis]]`), in order; the default
    /// language's `[[crisis]]` when there are none. A line may differ by language (988 answers in Spanish after
    /// pressing 2).
    pub crisis: Vec<super::CrisisLine>,
}

/// `[language_help]`: where the notice of free language assistance is, and its taglines.
///
/// Health programs that receive federal money must tell people with limited English, in the state's most common
/// languages, that language help is free (Affordable Care Act Section 1557; 45 CFR 92.11 in the 2024 rule, 89 FR
/// 37522, May 6, 2024). The languages differ by state, so they are set here, not in the theme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageHelp {
    /// The notice page, a markdown file in `content/` (`language-help.md`); the theme's footer links to it from
    /// every page, in every language.
    pub page: String,
    /// One short line per language: "free language help is available, call …", written in that language.
    pub taglines: Vec<Tagline>,
}

/// One `[[language_help.taglines]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tagline {
    /// The language's code (`es`, `zh-Hant`, `vi`), for the `lang` attribute screen readers need.
    pub lang: String,
    /// The language's name in itself ("Español", "Tiếng Việt").
    pub language: String,
    /// The tagline, in that language.
    pub text: String,
}

/// Whether `code` looks like a language tag: a primary language of 2 or 3 lowercase letters, then optional
/// `-Script`/`-REGION` parts of letters and digits (`es`, `pt-BR`, `zh-Hant`).
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|part| {
            (2..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Check the languages and the language-help settings: usable codes, no second copy of the default language, and
/// every tagline complete.
pub(super) fn check(
    default: &str,
    languages: &BTreeMap<String, LanguageConfig>,
    help: &LanguageHelp,
    text: &str,
    shown: &Path,
) -> Result<()> {
    let fail = |line: usize, message: String| {
        Err(Error::Config {
            at: Location::line(shown, line),
            message,
        })
    };
    if !is_language_code(default) {
        return fail(
            top_level_line(text, "language"),
            format!("`{default}` is not a language code: write a code such as \"en\" or \"es\""),
        );
    }
    for code in languages.keys() {
        let line = table_line(text, &format!("languages.{code}"));
        if !is_language_code(code) {
            return fail(
                line,
                format!(
                    "`{code}` is not a language code: name the table after the language, for example [languages.es] for Spanish"
                ),
            );
        }
        if code == default {
            return fail(
                line,
                format!(
                    "`{code}` is already the site's main language (language = \"{code}\"): remove [languages.{code}]; its words go under [translations]"
                ),
            );
        }
    }
    for (index, tagline) in help.taglines.iter().enumerate() {
        let line = nth_table_line(text, "language_help.taglines", index);
        let missing = [
            ("lang", &tagline.lang),
            ("language", &tagline.language),
            ("text", &tagline.text),
        ]
        .into_iter()
        .find(|(_, value)| value.trim().is_empty());
        if let Some((key, _)) = missing {
            return fail(
                line,
                format!(
                    "this tagline has no `{key}`: each one needs lang = \"es\", language = \"Español\" and its text"
                ),
            );
        }
        if !is_language_code(&tagline.lang) {
            return fail(
                line,
                format!(
                    "`{}` is not a language code: write the code of the tagline's language, for example lang = \"vi\"",
                    tagline.lang
                ),
            );
        }
    }
    Ok(())
}

/// The line of a top-level `key = …` (1 when not written).
fn top_level_line(text: &str, key: &str) -> usize {
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            break;
        }
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return index + 1;
        }
    }
    1
}

/// The line of the `[name]` header (1 when not found).
fn table_line(text: &str, name: &str) -> usize {
    nth_table_line(text, name, 0)
}

/// The line of the `n`th `[name]` or `[[name]]` header (1 when not found).
fn nth_table_line(text: &str, name: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let header = line.trim().trim_start_matches('[').trim_end_matches(']');
            line.trim_start().starts_with('[') && header.trim() == name
        })
        .nth(n)
        .map_or(1, |(index, _)| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("config.toml"))
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_zola_languages() {
        let config = parse(
            "language = \"en\"\n[translations]\nhome = \"Home\"\n[languages.es]\ntitle = \"Sitio\"\n[languages.es.translations]\nhome = \"Inicio\"\n",
        )
        .unwrap();
        assert_eq!(config.translations["home"], "Home");
        assert_eq!(config.languages["es"].title, "Sitio");
        assert_eq!(config.languages["es"].translations["home"], "Inicio");
    }

    #[test]
    fn language_codes() {
        for good in ["en", "es", "haw", "pt-BR", "zh-Hant", "es-419"] {
            assert!(is_language_code(good), "{good}");
        }
        for bad in ["", "e", "EN", "spanish", "es_MX", "es-", "-es", "es-x"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }

    #[test]
    fn bad_languages_name_their_line() {
        let text = "title = \"x\"\n\n[languages.Spanish]\ntitle = \"y\"\n";
        assert!(
            error(text).starts_with("config.toml:3: `Spanish` is not a language code"),
            "{}",
            error(text)
        );
        let text = "language = \"es\"\n[languages.es]\n";
        assert!(
            error(text).starts_with("config.toml:2: `es` is already the site's main language"),
            "{}",
            error(text)
        );
        let text = "title = \"x\"\nlanguage = \"English\"\n";
        assert!(
            error(text).starts_with("config.toml:2: `English` is not a language code"),
            "{}",
            error(text)
        );
        let text = "[languages.es]\ntitel = \"y\"\n";
        assert!(
            error(text).starts_with("config.toml:2: unknown field `titel`"),
            "{}",
            error(text)
        );
        let text = "[languages.es]\ntranslations = \"hola\"\n";
        assert!(error(text).starts_with("config.toml:2:"), "{}", error(text));
    }

    #[test]
    fn taglines_need_all_three_parts() {
        let good = "[language_help]\npage = \"language-help.md\"\n[[language_help.taglines]]\nlang = \"es\"\nlanguage = \"Español\"\ntext = \"Hay ayuda gratis.\"\n";
        assert_eq!(parse(good).unwrap().language_help.taglines[0].lang, "es");
        let text = "[language_help]\n[[language_help.taglines]]\nlang = \"es\"\nlanguage = \"Español\"\ntext = \"x\"\n[[language_help.taglines]]\nlang = \"vi\"\ntext = \"y\"\n";
        assert!(
            error(text).starts_with("config.toml:6: this tagline has no `language`"),
            "{}",
            error(text)
        );
        let text = "[[language_help.taglines]]\nlang = \"Spanish\"\nlanguage = \"Español\"\ntext = \"x\"\n";
        assert!(
            error(text).starts_with("config.toml:1: `Spanish` is not a language code"),
            "{}",
            error(text)
        );
        let text = "[language_help]\ntaglines = [{ lang = \"es\", idioma = \"x\" }]\n";
        assert!(
            error(text).contains("unknown field `idioma`"),
            "{}",
            error(text)
        );
    }
}
