//! Stage 2a: front matter. Splits a content file into its front matter (TOML between `+++` lines, or YAML between
//! `---` lines, for staff coming from `WordPress`, Jekyll or Hugo) and its markdown body, and parses the front matter
//! into [`FrontMatter`]. Every error names the line in the file. Knows nothing of pages, URLs or sites.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The fields a page or section may set. Anything else is an error, so a typo never passes silently.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrontMatter {
    /// Page title (required: checked after parsing so the message can say how to fix it).
    pub title: Option<String>,
    /// One-sentence summary used as the meta description.
    pub description: Option<String>,
    /// Publication date.
    pub date: Option<Date>,
    /// Date of the last real change.
    pub updated: Option<Date>,
    /// Order inside the section (lower first).
    pub weight: Option<i64>,
    /// Drafts are left out of the build unless `--drafts`.
    pub draft: bool,
    /// Replaces the last part of the URL.
    pub slug: Option<String>,
    /// Template to render this page with.
    pub template: Option<String>,
    /// Old URL paths that should redirect here.
    pub aliases: Vec<String>,
    /// Show in the main navigation: `true`, or a short label.
    pub menu: Option<Menu>,
    /// Clinician who reviewed the page.
    pub reviewed_by: Option<String>,
    /// When the clinician reviewed it.
    pub last_reviewed: Option<Date>,
    /// Sources of the facts on the page.
    pub sources: Vec<Source>,
    /// Sections only: how pages are ordered.
    pub sort_by: Option<SortBy>,
    /// Sections only: the template for the section's pages.
    pub page_template: Option<String>,
    /// The page's terms in each taxonomy of `config.toml`: `[taxonomies]` then `tags = ["family"]`.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Sections only: show this many pages per page of the section (`/resources/page/2/`, …).
    pub paginate_by: Option<usize>,
    /// Sections only: make an Atom feed of the section's dated pages (`/resources/atom.xml`).
    pub generate_feeds: bool,
    /// Translations only: `false` until a qualified translator has reviewed the page (`iopsite check` warns until
    /// then); `true` once one has.
    pub translation_reviewed: Option<bool>,
    /// `iopsite check` rules turned off for this page: rule name → reason.
    pub check: BTreeMap<String, String>,
    /// Anything else, for templates (`page.extra`).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `menu = true` or `menu = "Short label"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Menu {
    /// `true` shows the page title; `false` hides it.
    Show(bool),
    /// Show with this label.
    Label(String),
}

/// One entry of `sources`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Source {
    /// What the source is.
    pub title: String,
    /// Where to read it (may be empty for print sources).
    pub url: String,
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// By `weight`, then title.
    #[default]
    Weight,
    /// Newest `date` first.
    Date,
    /// Alphabetically by title.
    Title,
    /// Zola's `none`: file order.
    None,
}

/// A date (`2026-11-26`) or date and time (`2026-11-26T09:30:00Z`), as written, checked to be real.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date(pub String);

impl Date {
    /// Check a date written by a person. The error says what a good one looks like.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let valid = text.parse::<jiff::civil::Date>().is_ok()
            || text.parse::<jiff::Timestamp>().is_ok()
            || text.parse::<jiff::civil::DateTime>().is_ok();
        if valid {
            Ok(Date(text.to_string()))
        } else {
            Err(format!(
                "`{text}` is not a date: write it as YYYY-MM-DD, for example 2026-11-26"
            ))
        }
    }

    /// The calendar day, `YYYY-MM-DD`.
    pub fn day(&self) -> &str {
        self.0.get(..10).unwrap_or(&self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date such as 2026-11-26")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        Date::parse(text).map_err(E::custom)
    }

    // TOML hands its native dates over as a one-entry map holding the date's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("empty date"));
        };
        Date::parse(&text).map_err(de::Error::custom)
    }
}

/// Which syntax a front matter block uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `+++` … `+++`
    Toml,
    /// `---` … `---`
    Yaml,
}

/// A content file cut in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// Syntax of the front matter.
    pub format: Format,
    /// The front matter text, without its delimiter lines.
    pub front_matter: &'a str,
    /// 1-based line of the first front matter line in the file.
    pub front_matter_line: usize,
    /// The markdown after the closing delimiter.
    pub body: &'a str,
    /// 1-based line of the first body line in the file.
    pub body_line: usize,
}

/// A front matter problem, located by line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        message: message.into(),
    }
}

/// Cut a file's text into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("").trim_end();
    let (format, fence) = match first {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Err(problem(
                1,
                "front matter is missing: start the file with a line `+++`, then `title = \"…\"`, then another line `+++`",
            ));
        }
    };
    let start = first_line_end(text);
    let mut offset = start;
    for (line, raw) in (2..).zip(text[start..].split_inclusive('\n')) {
        if raw.trim_end() == fence {
            let body_start = offset + raw.len();
            return Ok(Split {
                format,
                front_matter: &text[start..offset],
                front_matter_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset += raw.len();
    }
    Err(problem(
        1,
        format!(
            "the front matter is not closed: add a line with only `{fence}` after the last front matter line"
        ),
    ))
}

fn first_line_end(text: &str) -> usize {
    text.find('\n').map_or(text.len(), |i| i + 1)
}

/// Parse the front matter of a split file, and check the fields a person must fill in.
pub fn parse(split: &Split<'_>) -> Result<FrontMatter, Problem> {
    let front_matter = match split.format {
        Format::Toml => parse_toml(split)?,
        Format::Yaml => parse_yaml(split)?,
    };
    match &front_matter.title {
        Some(title) if !title.trim().is_empty() => Ok(front_matter),
        _ => Err(problem(
            split.front_matter_line,
            "the page has no `title`: add a line such as `title = \"Our program\"` to the front matter",
        )),
    }
}

fn parse_toml(split: &Split<'_>) -> Result<FrontMatter, Problem> {
    toml::from_str(split.front_matter).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        let line = split.front_matter_line + crate::config::line_of(split.front_matter, offset) - 1;
        problem(
            line,
            format!("front matter: {}", crate::config::toml_message(&err)),
        )
    })
}

fn parse_yaml(split: &Split<'_>) -> Result<FrontMatter, Problem> {
    if split.front_matter.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    serde_norway::from_str(split.front_matter).map_err(|err| {
        let line = err.location().map_or(0, |at| at.line().saturating_sub(1));
        let message = err.to_string();
        // serde_norway appends " at line X column Y": we give the line ourselves.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        problem(
            split.front_matter_line + line,
            format!("front matter: {message}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front_matter(text: &str) -> Result<FrontMatter, Problem> {
        parse(&split(text)?)
    }

    #[test]
    fn splits_toml_and_counts_body_line() {
        let split = split("+++\ntitle = \"A\"\n+++\nHello\n").unwrap();
        assert_eq!(split.format, Format::Toml);
        assert_eq!(split.front_matter, "title = \"A\"\n");
        assert_eq!(split.body, "Hello\n");
        assert_eq!(split.body_line, 4);
    }

    #[test]
    fn reads_yaml_front_matter() {
        let fm = front_matter("---\ntitle: A\ndate: 2026-11-26\nmenu: Short\n---\nbody").unwrap();
        assert_eq!(fm.title.as_deref(), Some("A"));
        assert_eq!(fm.date, Some(Date("2026-11-26".into())));
        assert_eq!(fm.menu, Some(Menu::Label("Short".into())));
    }

    #[test]
    fn reads_toml_dates_and_menu_flag() {
        let fm = front_matter("+++\ntitle = \"A\"\ndate = 1990-01-19\nmenu = true\n+++\n").unwrap();
        assert_eq!(fm.date.unwrap().day(), "1990-01-19");
        assert_eq!(fm.menu, Some(Menu::Show(true)));
    }

    #[test]
    fn unclosed_block_is_an_error_on_line_one() {
        let err = split("+++\ntitle = \"A\"\nbody\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("not closed"));
    }

    #[test]
    fn missing_title_says_how_to_fix() {
        let err = front_matter("+++\ndescription = \"x\"\n+++\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("title = "));
    }

    #[test]
    fn unknown_key_names_its_line_in_the_file() {
        let err = front_matter("+++\ntitle = \"A\"\n\ncolour = \"red\"\n+++\n").unwrap_err();
        assert_eq!(err.line, 4, "{}", err.message);
        assert!(
            err.message.contains("unknown field `colour`"),
            "{}",
            err.message
        );
        let err = front_matter("---\ntitle: A\ncolour: red\n---\n").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.message);
        assert!(
            err.message.contains("unknown field `colour`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn malformed_toml_points_at_the_line() {
        let err = front_matter("+++\ntitle = \"A\"\ndate = \n+++\n").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.message);
    }

    #[test]
    fn bad_date_says_the_format() {
        let err = front_matter("---\ntitle: A\ndate: 26/11/2026\n---\n").unwrap_err();
        assert!(err.message.contains("YYYY-MM-DD"), "{}", err.message);
    }

    #[test]
    fn no_front_matter_is_explained() {
        let err = split("Hello").unwrap_err();
        assert!(err.message.contains("front matter is missing"));
    }
}
