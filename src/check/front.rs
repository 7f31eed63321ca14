//! Front matter and settings rules: `description` (every page has one), `review` (a clinical page's review is
//! recent and complete), and the `[check]` tables themselves: every rule turned off, in config.toml or in a page,
//! must be a real rule and come with a reason. The reasons are how the next person knows why.
//!
//! A page is *clinical* when its front matter says a clinician reviewed it: it has `reviewed_by` or
//! `last_reviewed`. Such a page must have both, and the review must be at most 12 months old.

use std::collections::{BTreeMap, HashSet};

use jiff::ToSpan;
use jiff::civil::Date;

use super::input::Input;
use super::rules::{Found, RULES, Rule};
use crate::error::Location;

/// Rules turned off, with valid reasons: for the whole site, and per page (index into `Site::pages`).
#[derive(Debug, Default)]
pub(crate) struct Silenced {
    /// From `[check.ignore]` in config.toml.
    pub(crate) site: HashSet<Rule>,
    /// From each page's `[check]` front matter table.
    pub(crate) pages: Vec<HashSet<Rule>>,
}

/// `description` and `review` on every page.
pub(crate) fn check(input: &Input<'_>, today: Date) -> Vec<Found> {
    let mut found = Vec::new();
    for (index, page) in input.site.pages.iter().enumerate() {
        let source = &page.source;
        let fm = &source.front_matter;
        if fm
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            let message = "this page has no description: add one plain sentence about the page to the front matter, \
                           e.g. description = \"What happens in group therapy, and how it helps.\" Search engines and \
                           shared links show it";
            let at = Location::line(&source.shown, source.front_matter_line);
            found.push(Found::new(Rule::Description, at, message).on(Some(index)));
        }
        let review = match (&fm.reviewed_by, &fm.last_reviewed) {
            (None, None) => None,
            (Some(_), None) => Some((
                "reviewed_by",
                "this page names a reviewer but no review date: add last_reviewed = YYYY-MM-DD (the day of the review)"
                    .to_string(),
            )),
            (None, Some(_)) => Some((
                "last_reviewed",
                "this page has a review date but no reviewer: add reviewed_by = \"Name, credentials\"".to_string(),
            )),
            (Some(_), Some(date)) => stale(date.day(), today).map(|m| ("last_reviewed", m)),
        };
        if let Some((key, message)) = review {
            let at = Location::line(&source.shown, source.key_line(key));
            found.push(Found::new(Rule::Review, at, message).on(Some(index)));
        }
    }
    found
}

fn stale(day: &str, today: Date) -> Option<String> {
    let reviewed: Date = day.parse().ok()?;
    let limit = today.checked_sub(12.months()).ok()?;
    (reviewed < limit).then(|| {
        format!(
            "this clinical page was last reviewed on {day}, more than 12 months ago: ask a clinician to review it \
             again, then update last_reviewed (and reviewed_by if someone else reviewed it)"
        )
    })
}

/// Read the `[check]` settings of config.toml and of every page: the rules validly turned off, and a problem for
/// every unknown rule and every missing reason.
pub(crate) fn silenced(input: &Input<'_>) -> (Silenced, Vec<Found>) {
    let mut found = Vec::new();
    let config = &input.site.config.check;
    let config_line = |table: &str, key: &str| {
        Location::line("config.toml", key_line(&input.config_text, table, key))
    };
    let site = valid(
        &config.ignore,
        |key| config_line("[check.ignore]", key),
        &mut found,
    );
    for (host, reason) in &config.allowed_hosts {
        if reason.trim().is_empty() {
            let message = format!(
                "the host `{host}` is allowed without a reason: write why pages may load from it, \
                 e.g. \"{host}\" = \"our booking widget; covered by a business associate agreement\""
            );
            found.push(Found::new(
                Rule::Ignore,
                config_line("[check.allowed_hosts]", host),
                message,
            ));
        }
    }
    let pages = input
        .site
        .pages
        .iter()
        .map(|page| {
            let source = &page.source;
            let at = |key: &str| Location::line(&source.shown, source.key_line(key));
            valid(&source.front_matter.check, at, &mut found)
        })
        .collect();
    (Silenced { site, pages }, found)
}

fn valid(
    table: &BTreeMap<String, String>,
    at: impl Fn(&str) -> Location,
    found: &mut Vec<Found>,
) -> HashSet<Rule> {
    let mut rules = HashSet::new();
    for (name, reason) in table {
        match Rule::named(name) {
            None => {
                let names: Vec<&str> = RULES.iter().map(|(_, n, ..)| *n).collect();
                let message = format!(
                    "`{name}` is not a rule of iopsite check: the rules are {}",
                    names.join(", ")
                );
                found.push(Found::new(Rule::Ignore, at(name), message));
            }
            Some(_) if reason.trim().is_empty() => {
                let message = format!(
                    "the rule `{name}` is turned off without a reason, so it stays on: write why, \
                     e.g. {name} = \"quotes a study title word for word\""
                );
                found.push(Found::new(Rule::Ignore, at(name), message));
            }
            Some(rule) => {
                rules.insert(rule);
            }
        }
    }
    rules
}

/// The line of `key` inside the TOML table `header` (or the header's line when the key is not found there).
fn key_line(text: &str, header: &str, key: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == header).unwrap_or(0);
    let is_key = |line: &str| {
        let line = line.trim_start();
        let rest = line
            .strip_prefix(&format!("\"{key}\""))
            .or_else(|| line.strip_prefix(key));
        rest.is_some_and(|r| r.trim_start().starts_with('='))
    };
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| is_key(l))
        .map_or(start + 1, |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_older_than_twelve_months_is_stale() {
        let today: Date = "2026-06-15".parse().unwrap();
        assert!(stale("2025-06-15", today).is_none());
        assert!(stale("2025-06-14", today).unwrap().contains("2025-06-14"));
    }

    #[test]
    fn finds_keys_inside_their_table() {
        let text = "title = \"x\"\n[check.ignore]\nreadability = \"r\"\n[check.allowed_hosts]\n\"cdn.example.org\" = \"\"\n";
        assert_eq!(key_line(text, "[check.ignore]", "readability"), 3);
        assert_eq!(
            key_line(text, "[check.allowed_hosts]", "cdn.example.org"),
            5
        );
        assert_eq!(key_line(text, "[check.ignore]", "missing"), 2);
    }
}
