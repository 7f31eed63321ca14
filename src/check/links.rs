//! Link rules, on the built files: `broken-link` (every address inside the site, in pages and stylesheets, names a
//! built file, and every `#anchor` an id on it), `insecure-link` (plain `http://` to other sites) and `link-text`
//! (link words that say nothing about where the link goes).

use super::css;
use super::html::Element;
use super::input::{Built, Input};
use super::rules::{Found, Rule};
use super::url::{self, Target};
use crate::error::Location;

/// Attributes holding an address the browser follows or fetches.
const ADDRESSES: [(&str, &str); 15] = [
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("script", "src"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
];

/// Link words that do not say where a link goes (WCAG 2.4.4 "Link Purpose"). Compared after lowercasing and
/// trimming punctuation.
const VAGUE: [&str; 14] = [
    "click here",
    "click",
    "here",
    "read more",
    "learn more",
    "more",
    "more info",
    "more information",
    "this",
    "this page",
    "this link",
    "link",
    "continue reading",
    "details",
];

/// Every address a built element holds, with the attribute it is in.
pub(crate) fn addresses(element: &Element) -> Vec<(&'static str, &str)> {
    let mut found = Vec::new();
    for (name, attr) in ADDRESSES {
        if element.name != name {
            continue;
        }
        if let Some(value) = element.attr(attr) {
            if attr == "srcset" {
                found.extend(url::srcset(value).into_iter().map(|u| (attr, u)));
            } else {
                found.push((attr, value));
            }
        }
    }
    found
}

/// `broken-link`, `insecure-link` and `link-text` on every built page and stylesheet.
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    for built in &input.pages {
        for (index, element) in built.doc.elements() {
            for (_, address) in addresses(element) {
                found.extend(broken(input, built, element.line, address));
                found.extend(insecure(input, built, element, address));
            }
            if element.name == "a" && element.attr("href").is_some() {
                found.extend(vague(input, built, index, element));
            }
        }
    }
    for (file, text) in &input.styles {
        for css_url in css::urls(text) {
            if let Some(message) = broken_message(input, file, &css_url.url) {
                let at = Location::line(std::path::Path::new("public").join(file), css_url.line);
                found.push(Found::new(Rule::BrokenLink, at, message));
            }
        }
    }
    found
}

fn broken(input: &Input<'_>, built: &Built, line: usize, address: &str) -> Option<Found> {
    let message = broken_message(input, &built.file, address)?;
    let at = input.locate(built, line, address);
    Some(Found::new(Rule::BrokenLink, at, message).on(built.page))
}

/// What is wrong with an address inside the site, if anything.
fn broken_message(input: &Input<'_>, from: &str, address: &str) -> Option<String> {
    let Target::Internal { path, fragment } =
        url::resolve(from, address, &input.site.config.base_url)
    else {
        return None;
    };
    let Some(file) = url::exists(&input.files, &path) else {
        return Some(format!(
            "the link `{address}` leads to no page or file of the built site: correct the address or remove the link"
        ));
    };
    let fragment = fragment.filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case("top"))?;
    let ids = input.ids.get(&file)?;
    if ids.contains(&fragment) {
        return None;
    }
    let mut known: Vec<&str> = ids.iter().map(String::as_str).collect();
    known.sort_unstable();
    Some(format!(
        "the link `{address}` points to `#{fragment}`, which /{file} does not have (its ids are: {}): correct the part after #",
        known.join(", ")
    ))
}

fn insecure(input: &Input<'_>, built: &Built, element: &Element, address: &str) -> Option<Found> {
    if !matches!(element.name.as_str(), "a" | "area") {
        return None;
    }
    let Target::External { scheme, host } =
        url::resolve(&built.file, address, &input.site.config.base_url)
    else {
        return None;
    };
    if scheme != "http" || matches!(host.as_str(), "localhost" | "127.0.0.1") {
        return None;
    }
    let message = format!(
        "the link `{address}` uses plain http://, which anyone on the network can read or change: use https:// if the site offers it"
    );
    let at = input.locate(built, element.line, address);
    Some(Found::new(Rule::InsecureLink, at, message).on(built.page))
}

fn vague(input: &Input<'_>, built: &Built, index: usize, element: &Element) -> Option<Found> {
    if element.attr("aria-hidden") == Some("true") {
        return None;
    }
    let text = match element.attr("aria-label") {
        Some(label) => label.to_string(),
        None => built.doc.text_of(index),
    };
    let words = text
        .trim_matches(|c: char| {
            c.is_whitespace() || c.is_ascii_punctuation() || c == '…' || c == '→'
        })
        .to_lowercase();
    if !VAGUE.contains(&words.as_str()) {
        return None;
    }
    let message = format!(
        "the link text “{text}” does not say where the link goes (people using screen readers often hear only the links): \
         use words that name the page, such as “questions about cost”"
    );
    let at = input.locate(built, element.line, &text);
    Some(Found::new(Rule::LinkText, at, message).on(built.page))
}
