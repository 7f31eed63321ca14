//! Heading ids and the table of contents: slugs, `-1`, `-2` for repeats, and the `#` link after each heading.

use super::Heading;

/// Turns heading text into an id: lowercase letters and digits (Unicode included), with each run
/// of whitespace, `-` and `_` made into one `-`, everything else dropped, and no `-` at either
/// end. Text with nothing left gives `section`.
#[must_use]
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut separator_pending = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            // Writing the separator only before the next kept character trims a trailing `-`
            // and merges runs, even across dropped characters ("a . b" → "a-b").
            if separator_pending && !slug.is_empty() {
                slug.push('-');
            }
            separator_pending = false;
            if c.is_ascii() {
                // The usual case, without the Unicode case tables.
                slug.push(c.to_ascii_lowercase());
            } else {
                slug.extend(c.to_lowercase());
            }
        } else if c.is_whitespace() || c == '-' || c == '_' {
            separator_pending = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// The `#` link written at the end of every heading, pointing at the heading itself.
pub(super) fn anchor_html(id: &str) -> String {
    let mut anchor = String::with_capacity(id.len() + 80);
    anchor.push_str(" <a class=\"heading-anchor\" href=\"#");
    push_attribute_escaped(&mut anchor, id);
    anchor.push_str("\" aria-hidden=\"true\" tabindex=\"-1\">#</a>");
    anchor
}

/// Appends `value` escaped for a double-quoted HTML attribute. pulldown-cmark does not re-export
/// its escaping functions, and an explicit `{#id}` may hold any non-space character.
fn push_attribute_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// Adds `heading` under the last sibling of a shallower level, or as a new sibling.
pub(super) fn insert_heading(siblings: &mut Vec<Heading>, heading: Heading) {
    match siblings.last_mut() {
        Some(last) if last.level < heading.level => insert_heading(&mut last.children, heading),
        _ => siblings.push(heading),
    }
}

/// The heading ids given so far in one document, so that a repeated one can be made unique.
#[derive(Default)]
pub(super) struct HeadingIds {
    pub(super) in_order: Vec<String>,
    /// Each id given, mapped to the next `-N` suffix to try when it comes up again. Starting
    /// from there keeps many repeats of one title linear instead of quadratic. A fast hash: the
    /// ids come from the site's own markdown, and the standard hash was most of this type's cost.
    next_suffix: ahash::AHashMap<String, usize>,
}

impl HeadingIds {
    /// Returns `base`, or `base-1`, `base-2`, … if `base` was already given.
    pub(super) fn unique(&mut self, base: String) -> &str {
        let id = match self.next_suffix.get(&base).copied() {
            None => base,
            Some(mut suffix) => {
                let id = loop {
                    let candidate = format!("{base}-{suffix}");
                    suffix += 1;
                    if !self.next_suffix.contains_key(&candidate) {
                        break candidate;
                    }
                };
                self.next_suffix.insert(base, suffix);
                id
            }
        };
        self.next_suffix.insert(id.clone(), 1);
        self.in_order.push(id);
        self.in_order.last().expect("just pushed")
    }
}
