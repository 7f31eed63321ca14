//! Stage 6a: Atom feeds. Turns a list of dated entries (title, address, dates, HTML) into an Atom 1.0 document
//! (RFC 4287): one `id`, `updated` and `link rel="alternate"` per entry, the feed's own `link rel="self"`, and
//! content whose links are absolute (a feed reader has no page to resolve `/benefits/` against). Pure text in,
//! text out: which pages go in a feed is the render stage's business.

use std::fmt::Write as _;

use crate::front_matter::Date;

/// What stands between a page's summary and the rest of it, as in Zola.
pub const MORE: &str = "<!-- more -->";

/// One feed.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    /// The feed's title: the site's, with the section's or term's.
    pub title: String,
    /// One sentence about it (may be empty).
    pub subtitle: &'a str,
    /// The language of its text (`en`).
    pub language: &'a str,
    /// The feed's own address.
    pub self_url: String,
    /// The page the feed is about.
    pub page_url: String,
    /// Who publishes it (the center's name).
    pub author: &'a str,
    /// Newest first.
    pub entries: Vec<Entry<'a>>,
}

/// One entry: a dated page.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The page's full address (also the entry's id).
    pub permalink: String,
    /// `date`.
    pub published: &'a Date,
    /// `updated`, when the page has one.
    pub updated: Option<&'a Date>,
    /// The page's description (may be empty).
    pub summary: &'a str,
    /// The page's HTML (or its summary), links already absolute ([`absolute_links`]).
    pub content: String,
}

/// The Atom document.
pub fn atom(feed: &Feed<'_>) -> String {
    let mut xml = String::with_capacity(
        1024 + feed
            .entries
            .iter()
            .map(|e| e.content.len() * 5 / 4 + 512)
            .sum::<usize>(),
    );
    let updated = feed
        .entries
        .iter()
        .map(|entry| timestamp(entry.updated.unwrap_or(entry.published)))
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <title>{}</title>\n",
        escape(feed.language),
        escape(&feed.title)
    );
    if !feed.subtitle.is_empty() {
        let _ = writeln!(xml, "<subtitle>{}</subtitle>", escape(feed.subtitle));
    }
    let _ = write!(
        xml,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{self_url}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{page}\"/>\n\
         <updated>{updated}</updated>\n<id>{self_url}</id>\n<author><name>{author}</name></author>\n",
        self_url = escape(&feed.self_url),
        page = escape(&feed.page_url),
        author = escape(feed.author),
    );
    for entry in &feed.entries {
        push_entry(&mut xml, entry);
    }
    xml.push_str("</feed>\n");
    xml
}

fn push_entry(xml: &mut String, entry: &Entry<'_>) {
    let published = timestamp(entry.published);
    let updated = entry.updated.map_or_else(|| published.clone(), timestamp);
    let url = escape(&entry.permalink);
    let _ = write!(
        xml,
        "<entry>\n<title>{}</title>\n<published>{published}</published>\n<updated>{updated}</updated>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n<id>{url}</id>\n",
        escape(entry.title)
    );
    if !entry.summary.is_empty() {
        let _ = writeln!(xml, "<summary>{}</summary>", escape(entry.summary));
    }
    let _ = writeln!(
        xml,
        "<content type=\"html\" xml:base=\"{url}\">{}</content>\n</entry>",
        escape(&entry.content)
    );
}

/// A page's HTML for a feed: the part before `<!-- more -->` when `summary_only` and the page has one, else all.
pub fn entry_html(html: &str, summary_only: bool) -> &str {
    match html.find(MORE) {
        Some(end) if summary_only => html[..end].trim_end(),
        _ => html,
    }
}

/// A date as Atom wants it (RFC 3339 with a time zone): a day is midnight UTC, a time without a zone is UTC.
pub fn timestamp(date: &Date) -> String {
    let text = date.0.trim();
    if let Ok(stamp) = text.parse::<jiff::Timestamp>() {
        return stamp.to_string();
    }
    if let Ok(time) = text.parse::<jiff::civil::DateTime>()
        && text.len() > 10
    {
        return format!("{}Z", time.strftime("%Y-%m-%dT%H:%M:%S"));
    }
    format!("{}T00:00:00Z", date.day())
}

/// `html` with every site-relative address made absolute: `href="/x/"` → `href="https://site/x/"`, `href="#a"` →
/// the page's own address with `#a`; `src`, `poster` and each address of a `srcset` too. Other sites' addresses
/// are left as they are.
pub fn absolute_links(html: &str, base_url: &str, permalink: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some((before, attribute, value, after)) = next_attribute(rest) {
        out.push_str(before);
        out.push_str(attribute);
        if attribute.starts_with("srcset") {
            let parts: Vec<String> = value
                .split(',')
                .map(|part| absolute_srcset_part(part, base_url))
                .collect();
            out.push_str(&parts.join(","));
        } else {
            out.push_str(&absolute(value, base_url, permalink));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The next `href="…"`, `src="…"`, `srcset="…"` or `poster="…"`: (text before, `NAME="`, value, rest from the
/// closing quote).
fn next_attribute(text: &str) -> Option<(&str, &str, &str, &str)> {
    const NAMES: [&str; 4] = [" href=\"", " src=\"", " srcset=\"", " poster=\""];
    let (start, name) = NAMES
        .iter()
        .filter_map(|name| text.find(name).map(|at| (at, *name)))
        .min_by_key(|(at, _)| *at)?;
    let value_start = start + name.len();
    let end = value_start + text[value_start..].find('"')?;
    Some((
        &text[..=start],
        &name[1..],
        &text[value_start..end],
        &text[end..],
    ))
}

fn absolute(value: &str, base_url: &str, permalink: &str) -> String {
    if value.starts_with('/') && !value.starts_with("//") {
        [base_url, value].concat()
    } else if value.starts_with('#') {
        [permalink, value].concat()
    } else {
        value.to_string()
    }
}

fn absolute_srcset_part(part: &str, base_url: &str) -> String {
    let trimmed = part.trim_start();
    let lead = &part[..part.len() - trimmed.len()];
    if trimmed.starts_with('/') && !trimmed.starts_with("//") {
        [lead, base_url, trimmed].concat()
    } else {
        part.to_string()
    }
}

/// Text made safe inside XML text and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 does not allow at all: a page's text must not make the whole feed unreadable.
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_addresses_become_absolute() {
        let html = r##"<p><a href="/benefits/">b</a> <a href="#cost">c</a> <a href="https://samhsa.gov/">s</a> <img src="/a.png" srcset="/a-1.png 1x, /a-2.png 2x" alt=""> <a href="//x.org/">p</a></p>"##;
        let out = absolute_links(html, "https://w.org", "https://w.org/r/one/");
        assert_eq!(
            out,
            r#"<p><a href="https://w.org/benefits/">b</a> <a href="https://w.org/r/one/#cost">c</a> <a href="https://samhsa.gov/">s</a> <img src="https://w.org/a.png" srcset="https://w.org/a-1.png 1x, https://w.org/a-2.png 2x" alt=""> <a href="//x.org/">p</a></p>"#
        );
        assert_eq!(
            absolute_links("<a href=\"/x", "https://w.org", "p"),
            "<a href=\"/x",
            "an unclosed attribute is left alone"
        );
    }

    #[test]
    fn dates_are_rfc_3339_with_a_zone() {
        let stamp = |text: &str| timestamp(&Date(text.into()));
        assert_eq!(stamp("2026-11-26"), "2026-11-26T00:00:00Z");
        assert_eq!(stamp("2026-11-26T09:30:00"), "2026-11-26T09:30:00Z");
        assert_eq!(stamp("2026-11-26T09:30:00Z"), "2026-11-26T09:30:00Z");
        assert_eq!(stamp("2026-11-26T09:30:00+02:00"), "2026-11-26T07:30:00Z");
    }

    #[test]
    fn the_summary_is_the_text_before_more() {
        assert_eq!(
            entry_html("<p>a</p>\n<!-- more -->\n<p>b</p>", true),
            "<p>a</p>"
        );
        let whole = "<p>a</p>\n<!-- more -->\n<p>b</p>";
        assert_eq!(entry_html(whole, false), whole);
        assert_eq!(entry_html("<p>a</p>", true), "<p>a</p>");
    }

    #[test]
    fn text_that_xml_forbids_is_dropped_and_markup_escaped() {
        assert_eq!(escape("a\u{1}<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    }
}
