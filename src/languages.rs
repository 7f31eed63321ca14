//! Stage 1b: languages. What the rest of the pipeline needs to know about the site's languages, from `config.toml`
//! and the theme alone: which languages there are and what each is called in itself ([`Languages`]), which
//! language a content file is in (`page.es.md` → `es`, [`split_file`]), where each language's pages are published
//! (`/es/…`), and the theme's words in each language ([`Strings`], what `trans(key=…)` looks up).
//!
//! Knows nothing of pages: which page translates which is the `site` stage's business, and what templates see of
//! it is the `context` stage's.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{Config, is_language_code};
use crate::error::{Error, Location, Result};

/// Languages' names in themselves, for the language switcher: a person looking for their language recognises its
/// own name ("Español"), not its English one. `name` in `[languages.CODE]` covers any other language.
const OWN_NAMES: [(&str, &str); 20] = [
    ("ar", "العربية"),
    ("de", "Deutsch"),
    ("en", "English"),
    ("es", "Español"),
    ("fa", "فارسی"),
    ("fr", "Français"),
    ("ht", "Kreyòl ayisyen"),
    ("hi", "हिन्दी"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("so", "Soomaali"),
    ("tl", "Tagalog"),
    ("uk", "Українська"),
    ("ur", "اردو"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

/// The language's name in itself, when known: `es` → "Español", `pt-BR` → "Português".
pub fn own_name(code: &str) -> Option<&'static str> {
    let primary = code.split('-').next().unwrap_or(code);
    OWN_NAMES
        .iter()
        .find(|(known, _)| *known == primary)
        .map(|(_, name)| *name)
}

/// The language written in a content file's name, and the file's name without it: `faq.es.md` →
/// (`Some("es")`, `faq.md`); `_index.es.md` → (`Some("es")`, `_index.md`); `faq.md` → (`None`, `faq.md`). Like Zola,
/// the part before `.md` counts as a language when it looks like a language code; whether the site has that
/// language is checked later, with the file's name in the message.
pub fn split_file(file: &str) -> (Option<&str>, String) {
    let Some(stem) = file.strip_suffix(".md") else {
        return (None, file.to_string());
    };
    let name_start = stem.rfind('/').map_or(0, |slash| slash + 1);
    match stem[name_start..].rsplit_once('.') {
        Some((name, code)) if !name.is_empty() && is_language_code(code) => {
            let base = format!("{}{name}.md", &stem[..name_start]);
            (Some(code), base)
        }
        _ => (None, file.to_string()),
    }
}

/// The file that holds `base` (`faq.md`) in `lang`: `faq.es.md`, or `faq.md` itself for the default language.
pub fn file_in(base: &str, lang: &str, default: &str) -> String {
    if lang == default {
        return base.to_string();
    }
    let stem = base.strip_suffix(".md").unwrap_or(base);
    format!("{stem}.{lang}.md")
}

/// The site's languages, the default first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Languages {
    /// The default language's code (`language` in `config.toml`).
    pub default: String,
    /// Every language: code and name in itself, the default first, then the others by code.
    pub all: Vec<(String, String)>,
}

impl Languages {
    /// The languages of a site.
    pub fn new(config: &Config) -> Languages {
        let name = |code: &str, set: &str| {
            if set.is_empty() {
                own_name(code).unwrap_or(code).to_string()
            } else {
                set.to_string()
            }
        };
        let mut all = vec![(config.language.clone(), name(&config.language, ""))];
        all.extend(
            config
                .languages
                .iter()
                .map(|(code, language)| (code.clone(), name(code, &language.name))),
        );
        Languages {
            default: config.language.clone(),
            all,
        }
    }

    /// Whether the site is published in more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.all.len() > 1
    }

    /// Whether the site has this language.
    pub fn has(&self, code: &str) -> bool {
        self.all.iter().any(|(known, _)| known == code)
    }

    /// The language's name in itself.
    pub fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.all
            .iter()
            .find(|(known, _)| known == code)
            .map_or(code, |(_, name)| name)
    }

    /// The home page of a language: `/` for the default, `/es/` for the others.
    pub fn home(&self, code: &str) -> String {
        if code == self.default {
            "/".to_string()
        } else {
            format!("/{code}/")
        }
    }
}

/// The theme's words in every language: `[translations]` and `[languages.CODE.translations]` from `config.toml`,
/// over the theme's own (`themes/NAME/translations/CODE.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strings {
    default: String,
    by_language: BTreeMap<String, BTreeMap<String, String>>,
}

impl Strings {
    /// The words of a site whose config already holds the theme's ([`add_theme_strings`]).
    pub fn new(config: &Config) -> Strings {
        let mut by_language = BTreeMap::new();
        by_language.insert(config.language.clone(), config.translations.clone());
        for (code, language) in &config.languages {
            by_language.insert(code.clone(), language.translations.clone());
        }
        Strings {
            default: config.language.clone(),
            by_language,
        }
    }

    /// The text of `key` in `lang`; else in the default language; else `None` (`iopsite check` reports both).
    pub fn get(&self, lang: &str, key: &str) -> Option<&str> {
        let find = |code: &str| self.by_language.get(code)?.get(key).map(String::as_str);
        find(lang).or_else(|| find(&self.default))
    }

    /// Whether `lang` itself has a text for `key` (no fallback).
    pub fn has_own(&self, lang: &str, key: &str) -> bool {
        self.by_language
            .get(lang)
            .is_some_and(|words| words.contains_key(key))
    }
}

/// Add the theme's words (`themes/THEME/translations/CODE.toml`, one `key = "text"` per line) to the config's,
/// for every language of the site; a key the config sets wins. A theme without the folder adds nothing.
pub fn add_theme_strings(root: &Path, config: &mut Config) -> Result<()> {
    let dir = root.join("themes").join(&config.theme).join("translations");
    let mut codes = vec![config.language.clone()];
    codes.extend(config.languages.keys().cloned());
    for code in codes {
        let shown = Path::new("themes")
            .join(&config.theme)
            .join("translations")
            .join(format!("{code}.toml"));
        let text = match std::fs::read_to_string(dir.join(format!("{code}.toml"))) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(Error::Read {
                    path: shown,
                    source,
                });
            }
        };
        let words: BTreeMap<String, String> = toml::from_str(&text).map_err(|err| {
            let line = err
                .span()
                .map_or(1, |span| crate::config::line_of(&text, span.start));
            Error::Config {
                at: Location::line(&shown, line),
                message: format!("{}: each line is key = \"text\"", err.message().trim()),
            }
        })?;
        let target = if code == config.language {
            &mut config.translations
        } else {
            &mut config
                .languages
                .get_mut(&code)
                .expect("listed from the config")
                .translations
        };
        for (key, text) in words {
            target.entry(key).or_insert(text);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_name_their_language_like_zola() {
        assert_eq!(split_file("faq.es.md"), (Some("es"), "faq.md".into()));
        assert_eq!(
            split_file("what-to-expect/_index.es.md"),
            (Some("es"), "what-to-expect/_index.md".into())
        );
        assert_eq!(
            split_file("stories/one/index.pt-BR.md"),
            (Some("pt-BR"), "stories/one/index.md".into())
        );
        assert_eq!(split_file("faq.md"), (None, "faq.md".into()));
        assert_eq!(split_file("v2.0.md"), (None, "v2.0.md".into()));
        assert_eq!(split_file("a.b/faq.md"), (None, "a.b/faq.md".into()));
        assert_eq!(split_file(".es.md"), (None, ".es.md".into()));
        assert_eq!(file_in("faq.md", "es", "en"), "faq.es.md");
        assert_eq!(file_in("faq.md", "en", "en"), "faq.md");
    }

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("config.toml")).unwrap()
    }

    #[test]
    fn languages_have_their_own_names_and_homes() {
        let languages = Languages::new(&config(
            "[languages.es]\n[languages.ht]\nname = \"Kreyòl\"\n[languages.xx]\n",
        ));
        assert_eq!(
            languages.all,
            [
                ("en".to_string(), "English".to_string()),
                ("es".to_string(), "Español".to_string()),
                ("ht".to_string(), "Kreyòl".to_string()),
                ("xx".to_string(), "xx".to_string())
            ]
        );
        assert_eq!(languages.home("es"), "/es/");
        assert_eq!(languages.home("en"), "/");
        assert!(languages.is_multilingual() && languages.has("es") && !languages.has("fr"));
    }

    #[test]
    fn words_fall_back_to_the_default_language() {
        let strings = Strings::new(&config(
            "[translations]\nhome = \"Home\"\nskip = \"Skip\"\n[languages.es.translations]\nhome = \"Inicio\"\n",
        ));
        assert_eq!(strings.get("es", "home"), Some("Inicio"));
        assert_eq!(strings.get("es", "skip"), Some("Skip"));
        assert_eq!(strings.get("es", "nothing"), None);
        assert!(!strings.has_own("es", "skip"));
    }

    #[test]
    fn theme_words_fill_in_what_the_config_leaves_out() {
        let dir = tempfile::tempdir().unwrap();
        let words = dir.path().join("themes/default/translations");
        std::fs::create_dir_all(&words).unwrap();
        std::fs::write(
            words.join("es.toml"),
            "home = \"Portada\"\nskip = \"Saltar\"\n",
        )
        .unwrap();
        let mut site = config("[languages.es.translations]\nhome = \"Inicio\"\n");
        site.theme = "default".into();
        add_theme_strings(dir.path(), &mut site).unwrap();
        let strings = Strings::new(&site);
        assert_eq!(strings.get("es", "home"), Some("Inicio"));
        assert_eq!(strings.get("es", "skip"), Some("Saltar"));
        std::fs::write(words.join("es.toml"), "home = \"Portada\"\nskip = 3\n").unwrap();
        let err = add_theme_strings(dir.path(), &mut site).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("themes/default/translations/es.toml:2: invalid type"),
            "{err}"
        );
    }
}
