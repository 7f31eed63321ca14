//! Page structure rules, on the built pages: `image-alt` (every image has alt text; an explicit `alt=""` in HTML
//! marks a decorative one), `headings` (one `h1`, no skipped level) and `crisis-block` (every page shows the crisis
//! lines: the theme marks that block with a `data-crisis-lines` attribute).

use std::path::Path;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::input::{Built, Input};
use super::rules::{Found, Rule};
use crate::error::Location;
use crate::markdown;

/// The attribute that marks the crisis block (see `themes/default/templates/partials/crisis.html`).
pub const CRISIS_MARK: &str = "data-crisis-lines";

/// `image-alt`, `headings` and `crisis-block` on every built page, and `image-alt` on the markdown.
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    for built in input.pages.iter().filter(|b| !b.is_redirect()) {
        found.extend(missing_alt(input, built));
        found.extend(headings(input, built));
    }
    found.extend(crisis(input));
    for (index, page) in input.site.pages.iter().enumerate() {
        for line in empty_markdown_alt(&page.source.body) {
            let at = Location::line(&page.source.shown, page.source.body_line + line - 1);
            let message = "this image has no alt text: write what it shows between the brackets, \
                           e.g. ![A counselor talking with a client](photo.jpg). If it is only decoration, write \
                           it in HTML with an empty alt: <img src=\"photo.jpg\" alt=\"\">";
            found.push(Found::new(Rule::ImageAlt, at, message).on(Some(index)));
        }
    }
    found
}

fn missing_alt(input: &Input<'_>, built: &Built) -> Vec<Found> {
    let mut found = Vec::new();
    for (_, element) in built.doc.elements() {
        let needs_alt = match element.name.as_str() {
            "img" => true,
            "area" => element.attr("href").is_some(),
            "input" => element
                .attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("image")),
            _ => false,
        };
        if needs_alt && element.attr("alt").is_none() {
            let src = element.attr("src").unwrap_or_default();
            let message = format!(
                "the image `{src}` has no alt attribute: add alt=\"what the image shows\", or alt=\"\" if it is only decoration"
            );
            let needle = if src.is_empty() { &element.name } else { src };
            let at = input.locate(built, element.line, needle);
            found.push(Found::new(Rule::ImageAlt, at, message).on(built.page));
        }
    }
    found
}

/// Lines (1-based, in `body`) of markdown images written with no alt text: `![](photo.jpg)`.
fn empty_markdown_alt(body: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut open: Option<(usize, bool)> = None;
    for (event, range) in markdown::new_parser(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { .. }) => open = Some((range.start, false)),
            Event::End(TagEnd::Image) => {
                if let Some((start, false)) = open.take() {
                    lines.push(body[..start].matches('\n').count() + 1);
                }
            }
            Event::Text(text) | Event::Code(text) if !text.trim().is_empty() => {
                if let Some((_, has_text)) = open.as_mut() {
                    *has_text = true;
                }
            }
            _ => {}
        }
    }
    lines
}

fn headings(input: &Input<'_>, built: &Built) -> Vec<Found> {
    let mut found = Vec::new();
    let mut previous: Option<(usize, String)> = None;
    let mut seen_h1 = false;
    for (index, element) in built.doc.elements() {
        let Some(level) = heading_level(&element.name) else {
            continue;
        };
        let text = built.doc.text_of(index);
        let message = if level == 1 && seen_h1 {
            Some(format!(
                "“{text}” is a second h1: a page has one main heading, its title. In markdown, start headings with ## (level 2)"
            ))
        } else {
            let previous_level = previous.as_ref().map_or(0, |(l, _)| *l);
            (level > previous_level + 1).then(|| skipped(level, previous.as_ref(), &text))
        };
        if let Some(message) = message {
            let at = input.locate(built, element.line, &text);
            found.push(Found::new(Rule::Headings, at, message).on(built.page));
        }
        seen_h1 |= level == 1;
        previous = Some((level, text));
    }
    found
}

fn skipped(level: usize, previous: Option<&(usize, String)>, text: &str) -> String {
    let hashes = "#".repeat(previous.map_or(1, |(l, _)| l + 1));
    match previous {
        Some((previous_level, previous_text)) => format!(
            "the heading “{text}” is level {level} but follows “{previous_text}” at level {previous_level}: headings \
             may not skip a level (screen-reader users move by them). Make it level {} ({hashes} in markdown)",
            previous_level + 1
        ),
        None => format!("the heading “{text}” is level {level}, but the page has no h1 before it"),
    }
}

fn heading_level(name: &str) -> Option<usize> {
    let digit = name.strip_prefix('h')?;
    let level: usize = digit.parse().ok()?;
    (1..=6).contains(&level).then_some(level)
}

fn crisis(input: &Input<'_>) -> Vec<Found> {
    if input.site.config.crisis.is_empty() {
        let message = "config.toml has no crisis lines, so no page shows them: add a [[crisis]] table for each \
                       line (for example name = \"988 Suicide & Crisis Lifeline\", phone = \"988\", text = \"988\")";
        return vec![Found::new(
            Rule::CrisisBlock,
            Location::line("config.toml", 1),
            message,
        )];
    }
    input
        .pages
        .iter()
        .filter(|built| !built.is_redirect())
        .filter(|built| !built.doc.elements().any(|(_, e)| e.attr(CRISIS_MARK).is_some()))
        .map(|built| {
            let message = format!(
                "this page does not show the crisis lines (the block marked {CRISIS_MARK}): include \
                 partials/crisis.html in the template that makes it"
            );
            let at = Location::file(Path::new("public").join(&built.file));
            Found::new(Rule::CrisisBlock, at, message).on(built.page)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_images_without_alt() {
        let body = "![A group](a.png)\n\ntext ![](b.png)\n\n![`code`](c.png) ![ ](d.png)\n";
        assert_eq!(empty_markdown_alt(body), [3, 5]);
    }
}
