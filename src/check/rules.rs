//! The rules of `iopsite check`: their names (used to turn one off), how serious each is, and what each looks
//! for. One table, so the help text, the README and the code cannot disagree.

use std::fmt;

use serde::Serialize;

use crate::error::Location;

/// How serious a problem is. With `--strict`, warnings count as errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Must be fixed before publishing: `check` exits 1.
    Error,
    /// Should be fixed; an error with `--strict`.
    Warning,
    /// For information (a page not translated yet): never fails a check, even with `--strict`; listed by
    /// `--format json`.
    Info,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        })
    }
}

/// One rule. [`Rule::Build`] and [`Rule::Ignore`] report problems with the site or with the check settings
/// themselves and cannot be turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The site does not build.
    Build,
    /// A `[check]` setting is wrong (unknown rule, no reason).
    Ignore,
    /// A link or anchor inside the site leads nowhere.
    BrokenLink,
    /// An image without `alt`.
    ImageAlt,
    /// More than one `h1`, or a skipped heading level.
    Headings,
    /// Something loaded from another host.
    ExternalResource,
    /// Tracking code.
    Tracker,
    /// A page without the crisis lines.
    CrisisBlock,
    /// A page without a `description`.
    Description,
    /// Reading grade above 8.
    Readability,
    /// A clinical review that is old or incomplete.
    Review,
    /// Link text that says nothing about where it goes.
    LinkText,
    /// A claim health regulators object to.
    Claims,
    /// A stigmatizing word.
    PersonFirst,
    /// A link to `http://`.
    InsecureLink,
    /// An original image far larger than a page needs.
    ImageSize,
    /// A published image that still holds metadata.
    ImageMetadata,
    /// An SVG with scripts, event handlers or other hosts' addresses.
    SvgContent,
    /// A page not translated into one of the site's languages (info).
    Translation,
    /// A translation not yet reviewed by a qualified translator.
    TranslationReview,
    /// A theme word (`trans`) with no text in a language.
    ThemeWords,
}

/// Name, level and a one-line description of every rule that can be turned off, in the order `--help` lists them.
pub const RULES: [(Rule, &str, Level, &str); 19] = [
    (
        Rule::BrokenLink,
        "broken-link",
        Level::Error,
        "a link or #anchor inside the site that leads nowhere",
    ),
    (
        Rule::ImageAlt,
        "image-alt",
        Level::Error,
        "an image without alt text (alt=\"\" marks a decorative one)",
    ),
    (
        Rule::Headings,
        "headings",
        Level::Error,
        "more than one h1, or a heading level skipped",
    ),
    (
        Rule::ExternalResource,
        "external-resource",
        Level::Error,
        "anything loaded from another host",
    ),
    (
        Rule::Tracker,
        "tracker",
        Level::Error,
        "tracking code (gtag, fbq, _paq, dataLayer, …)",
    ),
    (
        Rule::CrisisBlock,
        "crisis-block",
        Level::Error,
        "a page without the crisis lines",
    ),
    (
        Rule::Description,
        "description",
        Level::Error,
        "a page without a description",
    ),
    (
        Rule::Readability,
        "readability",
        Level::Warning,
        "English above reading grade 8 (Flesch-Kincaid); Spanish below 55 (INFLESZ)",
    ),
    (
        Rule::Review,
        "review",
        Level::Warning,
        "a clinical page reviewed more than 12 months ago",
    ),
    (
        Rule::LinkText,
        "link-text",
        Level::Warning,
        "link text such as \"click here\" or \"read more\"",
    ),
    (
        Rule::Claims,
        "claims",
        Level::Warning,
        "claims health regulators object to (\"cure\", \"guaranteed\", …)",
    ),
    (
        Rule::PersonFirst,
        "person-first",
        Level::Warning,
        "stigmatizing words, with the person-first words to use",
    ),
    (
        Rule::InsecureLink,
        "insecure-link",
        Level::Warning,
        "a link to another site over plain http://",
    ),
    (
        Rule::ImageSize,
        "image-size",
        Level::Warning,
        "an original image over 8 MB or 6000 pixels on its long edge",
    ),
    (
        Rule::ImageMetadata,
        "image-metadata",
        Level::Error,
        "a published image that still holds EXIF, GPS, XMP or comments",
    ),
    (
        Rule::SvgContent,
        "svg-content",
        Level::Error,
        "an SVG with a script, an event handler or another host's address",
    ),
    (
        Rule::Translation,
        "translation",
        Level::Info,
        "a page not yet translated into one of the site's languages",
    ),
    (
        Rule::TranslationReview,
        "translation-review",
        Level::Warning,
        "a translation marked translation_reviewed = false",
    ),
    (
        Rule::ThemeWords,
        "theme-words",
        Level::Warning,
        "a theme word (trans) with no text in one of the site's languages",
    ),
];

impl Rule {
    /// The name used in messages and in `[check]` tables.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Build => "build",
            Rule::Ignore => "check-settings",
            rule => RULES
                .iter()
                .find(|(r, ..)| *r == rule)
                .map_or("", |(_, name, ..)| name),
        }
    }

    /// The level before `--strict`.
    pub fn level(self) -> Level {
        RULES
            .iter()
            .find(|(r, ..)| *r == self)
            .map_or(Level::Error, |(_, _, level, _)| *level)
    }

    /// The rule with this name, if it can be turned off.
    pub fn named(name: &str) -> Option<Rule> {
        RULES
            .iter()
            .find(|(_, n, ..)| *n == name)
            .map(|(rule, ..)| *rule)
    }
}

/// A problem found by a rule, before rules turned off and `--strict` are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Which rule.
    pub(crate) rule: Rule,
    /// Where: a content file, a template, config.toml, or a built file under `public/`.
    pub(crate) at: Location,
    /// What is wrong and what to do.
    pub(crate) message: String,
    /// The page (index into `Site::pages`) it was found on, whose `[check]` table may turn the rule off.
    pub(crate) page: Option<usize>,
}

impl Found {
    /// A problem of `rule` at `at`.
    pub(crate) fn new(rule: Rule, at: Location, message: impl Into<String>) -> Found {
        Found {
            rule,
            at,
            message: message.into(),
            page: None,
        }
    }

    /// The same problem, found on a page.
    #[must_use]
    pub(crate) fn on(mut self, page: Option<usize>) -> Found {
        self.page = page;
        self
    }
}
