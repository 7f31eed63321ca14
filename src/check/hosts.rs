//! Privacy rules, on the built files. `external-resource`: nothing may make a visitor's browser contact another
//! host (scripts, stylesheets, fonts, images, frames, form targets, preconnects, CSS `url()`), unless config.toml
//! allows that host with a reason, because any such request tells that host who is reading a page about addiction
//! treatment. `tracker`: no analytics or advertising code in scripts.

use std::path::Path;

use super::css;
use super::html::{Element, Node};
use super::input::{Built, Input};
use super::links;
use super::rules::{Found, Rule};
use super::url::{self, Target};
use crate::error::Location;

/// `rel` values of `<link>` that only describe a page and make the browser fetch nothing.
const DESCRIBING_RELS: [&str; 15] = [
    "alternate",
    "author",
    "bookmark",
    "canonical",
    "external",
    "help",
    "license",
    "me",
    "next",
    "nofollow",
    "noopener",
    "noreferrer",
    "prev",
    "search",
    "tag",
];

/// Code that only analytics and advertising services use, and who runs it. A match must not follow a letter,
/// digit, `_` or `$`, so `yoga(` is not `ga(`.
const TRACKERS: [(&str, &str); 22] = [
    ("gtag(", "Google Analytics"),
    ("ga(", "Google Analytics"),
    ("_gaq", "Google Analytics"),
    ("dataLayer", "Google Tag Manager"),
    ("googletagmanager.com", "Google Tag Manager"),
    ("google-analytics.com", "Google Analytics"),
    ("fbq(", "the Meta (Facebook) Pixel"),
    ("connect.facebook.net", "the Meta (Facebook) Pixel"),
    ("_paq", "Matomo"),
    ("_hsq", "HubSpot"),
    ("hj(", "Hotjar"),
    ("_hjSettings", "Hotjar"),
    ("clarity(", "Microsoft Clarity"),
    ("ttq.", "the TikTok Pixel"),
    ("twq(", "the X (Twitter) Pixel"),
    ("snaptr(", "the Snapchat Pixel"),
    ("lintrk(", "LinkedIn Insight"),
    ("_linkedin_partner_id", "LinkedIn Insight"),
    ("mixpanel.", "Mixpanel"),
    ("analytics.track(", "Segment"),
    ("plausible(", "Plausible"),
    ("umami.track(", "Umami"),
];

/// `external-resource` and `tracker` on every built page, stylesheet and script.
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    for built in &input.pages {
        found.extend(page(input, built));
    }
    for (file, text) in &input.styles {
        for css_url in css::urls(text) {
            if let Some(message) = external(input, file, &css_url.url, "a stylesheet") {
                let at = Location::line(Path::new("public").join(file), css_url.line);
                found.push(Found::new(Rule::ExternalResource, at, message));
            }
        }
    }
    for (file, text) in &input.scripts {
        for (line, snippet, who) in trackers(text) {
            let at = Location::line(Path::new("public").join(file), line);
            found.push(Found::new(
                Rule::Tracker,
                at,
                tracker_message(&snippet, who),
            ));
        }
    }
    found
}

fn page(input: &Input<'_>, built: &Built) -> Vec<Found> {
    let mut found = Vec::new();
    let mut report = |rule: Rule, line: usize, needle: &str, message: String| {
        let at = input.locate(built, line, needle);
        found.push(Found::new(rule, at, message).on(built.page));
    };
    for (index, element) in built.doc.elements() {
        let text = match built.doc.nodes.get(index + 1) {
            Some(Node::Text(text, line)) => Some((text.as_str(), *line)),
            _ => None,
        };
        for (address, line, what) in fetched(element, text) {
            if let Some(message) = external(input, &built.file, &address, &what) {
                report(Rule::ExternalResource, line, &address, message);
            }
        }
        if let Some((text, line)) = text.filter(|_| element.name == "script" && runs_code(element))
        {
            for (at, snippet, who) in trackers(text) {
                report(
                    Rule::Tracker,
                    line + at - 1,
                    &snippet,
                    tracker_message(&snippet, who),
                );
            }
        }
    }
    found
}

/// What an element fetches (address, line, what to call it): its attributes, its `style`, and a `<style>`'s
/// text (`text` is the element's first text and its line).
fn fetched(element: &Element, text: Option<(&str, usize)>) -> Vec<(String, usize, String)> {
    let what = format!("<{}>", element.name);
    let mut found: Vec<(String, usize, String)> = loaded(element)
        .into_iter()
        .map(|address| (address.to_string(), element.line, what.clone()))
        .collect();
    for css_url in css::urls(element.attr("style").unwrap_or_default()) {
        found.push((css_url.url, element.line, "a style attribute".into()));
    }
    if let Some((text, line)) = text.filter(|_| element.name == "style") {
        for css_url in css::urls(text) {
            found.push((
                css_url.url,
                line + css_url.line - 1,
                "a <style> element".into(),
            ));
        }
    }
    found
}

/// The addresses an element makes the browser fetch or send something to (links a visitor clicks are not fetched).
fn loaded(element: &Element) -> Vec<&str> {
    let mut found: Vec<&str> = links::addresses(element)
        .into_iter()
        .filter(|_| element.name != "a" && element.name != "area")
        .map(|(_, address)| address)
        .collect();
    if element.name == "link" {
        let rel = element.attr("rel").unwrap_or_default().to_ascii_lowercase();
        if !rel.is_empty() && rel.split_whitespace().all(|r| DESCRIBING_RELS.contains(&r)) {
            found.clear();
        }
    }
    let extra = match element.name.as_str() {
        "form" => element.attr("action"),
        "input"
            if element
                .attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("image")) =>
        {
            element.attr("src")
        }
        "a" | "area" => element.attr("ping"),
        _ => None,
    };
    found.extend(extra);
    found
}

/// The message for an address on another host that is not allowed, if it is one.
fn external(input: &Input<'_>, from: &str, address: &str, what: &str) -> Option<String> {
    let Target::External { host, .. } = url::resolve(from, address, &input.site.config.base_url)
    else {
        return None;
    };
    if input
        .site
        .config
        .check
        .allowed_hosts
        .get(&host)
        .is_some_and(|reason| !reason.trim().is_empty())
    {
        return None;
    }
    Some(format!(
        "{what} loads `{address}` from another host ({host}): every visitor's browser would tell {host} which page \
         they are reading. Put the file in static/ and link to it there; if the host must stay, add it to config.toml \
         under [check.allowed_hosts] with the reason, e.g. \"{host}\" = \"why it is needed\""
    ))
}

/// Whether a `<script>` holds code (not JSON data such as the page's schema.org facts).
fn runs_code(script: &Element) -> bool {
    script.attr("src").is_none()
        && script
            .attr("type")
            .is_none_or(|t| !t.to_ascii_lowercase().contains("json"))
}

/// Every tracker call in a script: its 1-based line, the line's code, and who runs the tracker.
fn trackers(code: &str) -> Vec<(usize, String, &'static str)> {
    let mut found = Vec::new();
    for (pattern, who) in TRACKERS {
        let hit = code.match_indices(pattern).find(|&(offset, _)| {
            code[..offset]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'))
        });
        if let Some((offset, _)) = hit {
            let line = code[..offset].matches('\n').count() + 1;
            let snippet = code
                .lines()
                .nth(line - 1)
                .unwrap_or(pattern)
                .trim()
                .to_string();
            found.push((line, snippet, who));
        }
    }
    found
}

fn tracker_message(snippet: &str, who: &str) -> String {
    format!(
        "tracking code for {who} (`{snippet}`): it tells a company who reads pages about addiction treatment, which \
         health-privacy rules forbid without consent. Remove it"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tracker_calls_but_not_look_alikes() {
        let code =
            "var yoga(1);\nwindow.dataLayer = [];\nfunction gtag(){dataLayer.push(arguments);}\n";
        let found: Vec<(usize, &str)> = trackers(code)
            .iter()
            .map(|(line, _, who)| (*line, *who))
            .collect();
        assert_eq!(found, [(3, "Google Analytics"), (2, "Google Tag Manager")]);
    }
}
