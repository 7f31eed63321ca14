//! Shortcodes resolved on the parser's events, so that a call inside a code block or inline code is never seen (the
//! parser hands that text over as code, which is left alone), and the markdown around a call stays intact: an
//! inline call becomes inline HTML in the middle of its text (in a list item, a table cell, a link's text); a block
//! call (`{% name() %}` … `{% end %}`, each on a line of its own) ends the paragraph it is in and its body is
//! rendered as a markdown document of its own (container marks like `> ` or a list's indentation taken off).

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::shortcode::{self, Token};
use super::{Problem, Rendered, Shortcodes};

/// An event with the bytes of the markdown it came from.
pub(super) type Spanned<'a> = (Event<'a>, Range<usize>);

/// A call found in the text: its bytes, and the events holding its first and last byte.
struct Found {
    start: usize,
    end: usize,
    token: Token,
    first: usize,
    last: usize,
}

/// What replaces a stretch of events.
enum Item {
    Inline(Found),
    Block { open: Found, close: Found },
}

/// Whether a document may hold a shortcode at all (most do not, and pay nothing more).
pub(super) fn may_hold_calls(markdown: &str) -> bool {
    memchr::memmem::find(markdown.as_bytes(), b"{{").is_some()
        || memchr::memmem::find(markdown.as_bytes(), b"{%").is_some()
}

/// The events of `markdown` with every shortcode replaced by its HTML. Problems (with their line) and the documents
/// rendered for block bodies (to merge their links, headings and words) are pushed to `problems` and `bodies`.
pub(super) fn splice<'a>(
    markdown: &'a str,
    events: Vec<Spanned<'a>>,
    shortcodes: &Shortcodes<'_>,
    render_body: &dyn Fn(&str) -> Rendered,
    problems: &mut Vec<Problem>,
    bodies: &mut Vec<(usize, Rendered)>,
) -> Vec<Spanned<'a>> {
    let line =
        |offset: usize| 1 + memchr::memchr_iter(b'\n', &markdown.as_bytes()[..offset]).count();
    let mut problem = |offset: usize, message: String| {
        problems.push(Problem {
            line: line(offset),
            message,
        });
    };
    let found = find(markdown, &events, &mut problem);
    let items = pair(markdown, found, &mut problem);
    let mut out = Output::default();
    let mut events = events;
    let mut items = items.into_iter().peekable();
    let mut index = 0;
    while index < events.len() {
        let starts_here = items.peek().is_some_and(|item| item.first() == index);
        if !starts_here {
            let event = std::mem::replace(&mut events[index].0, Event::SoftBreak);
            out.pass(event, events[index].1.clone());
            index += 1;
            continue;
        }
        match items.next().expect("peeked") {
            Item::Inline(found) => {
                index = inline(
                    markdown,
                    &mut events,
                    &found,
                    shortcodes,
                    &mut out,
                    &mut problem,
                );
            }
            Item::Block { open, close } => {
                let Token::Open(mut call) = open.token else {
                    unreachable!("a block opens with Token::Open")
                };
                let body_text = body(markdown, open.start, open.end, close.start);
                let rendered = render_body(&body_text);
                call.body = Some(rendered.html.clone());
                bodies.push((line(open.end) - 1, rendered));
                let html = match shortcodes(&call) {
                    Ok(html) => html,
                    Err(message) => {
                        problem(open.start, message);
                        String::new()
                    }
                };
                index = out.block(
                    &events,
                    open.first,
                    close.last,
                    &html,
                    open.start..close.end,
                    &mut problem,
                );
            }
        }
    }
    out.events
}

impl Item {
    fn first(&self) -> usize {
        match self {
            Item::Inline(found) | Item::Block { open: found, .. } => found.first,
        }
    }
}

/// Every call in the text events outside code blocks, in order.
fn find(
    markdown: &str,
    events: &[Spanned<'_>],
    problem: &mut impl FnMut(usize, String),
) -> Vec<Found> {
    let mut found = Vec::new();
    let mut in_code = 0usize;
    let mut after = 0;
    for (index, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(_) if in_code == 0 => {
                let text = &markdown[range.clone()];
                for (at, _) in text.match_indices('{') {
                    let start = range.start + at;
                    if start < after
                        || !(text[at..].starts_with("{{") || text[at..].starts_with("{%"))
                    {
                        continue;
                    }
                    match shortcode::read(&markdown[start..]) {
                        None => {}
                        Some(Err(message)) => {
                            problem(start, message);
                            after = markdown.len();
                        }
                        Some(Ok((token, length))) => {
                            let end = start + length;
                            let last = last_event(events, index, end);
                            found.push(Found {
                                start,
                                end,
                                token,
                                first: index,
                                last,
                            });
                            after = end;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The event holding byte `end - 1`, from `first` on.
fn last_event(events: &[Spanned<'_>], first: usize, end: usize) -> usize {
    let mut last = first;
    for (index, (event, range)) in events.iter().enumerate().skip(first) {
        if range.start >= end {
            break;
        }
        if !matches!(event, Event::End(_)) {
            last = index;
        }
    }
    last
}

/// Top-level items: inline calls outside blocks, and blocks from their opening to their `{% end %}` (calls inside a
/// block are its body's business).
fn pair(markdown: &str, found: Vec<Found>, problem: &mut impl FnMut(usize, String)) -> Vec<Item> {
    let mut items = Vec::new();
    let mut open: Vec<Found> = Vec::new();
    for found in found {
        match found.token {
            Token::Inline(_) if open.is_empty() => items.push(Item::Inline(found)),
            Token::Inline(_) => {}
            Token::Open(_) => open.push(found),
            Token::End => match open.pop() {
                None => problem(
                    found.start,
                    "this `{% end %}` closes no shortcode: remove it, or open a block before it, e.g. {% note() %}".into(),
                ),
                Some(first) if open.is_empty() => {
                    if alone_on_line(markdown, &first, problem) && alone_on_line(markdown, &found, problem) {
                        items.push(Item::Block { open: first, close: found });
                    }
                }
                Some(_) => {}
            },
        }
    }
    if let Some(first) = open.first() {
        let Token::Open(call) = &first.token else {
            unreachable!()
        };
        problem(
            first.start,
            format!(
                "the shortcode `{}` is opened here but never closed: add a line {{% end %}} after its text",
                call.name
            ),
        );
    }
    items
}

/// A block's opening and its `{% end %}` must each be alone on their line (after a list's or a quote's marks).
fn alone_on_line(markdown: &str, found: &Found, problem: &mut impl FnMut(usize, String)) -> bool {
    let line_start = markdown[..found.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &markdown[line_start..found.start];
    let after = markdown[found.end..].split('\n').next().unwrap_or_default();
    let marks_only = before.chars().all(|c| {
        c.is_whitespace() || matches!(c, '>' | '-' | '*' | '+' | '.' | ')') || c.is_ascii_digit()
    });
    if marks_only && after.trim().is_empty() {
        return true;
    }
    let what = match &found.token {
        Token::Open(call) => format!("{{% {}(…) %}}", call.name),
        _ => "{% end %}".to_string(),
    };
    problem(
        found.start,
        format!(
            "put {what} on a line of its own: a block shortcode's opening and its {{% end %}} each need their own line"
        ),
    );
    false
}

/// The body's markdown: the lines between the opening and the `{% end %}`, without the marks of the list or quote
/// the opening is in.
fn body(markdown: &str, open_start: usize, open_end: usize, close_start: usize) -> String {
    let line_start = markdown[..open_start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &markdown[line_start..open_start];
    let inner = &markdown[open_end..close_start];
    let mut text = String::with_capacity(inner.len());
    for (index, line) in inner.split_inclusive('\n').enumerate() {
        text.push_str(if index == 0 {
            line
        } else {
            strip_marks(line, prefix)
        });
    }
    text
}

fn strip_marks<'l>(line: &'l str, prefix: &str) -> &'l str {
    let mut rest = line;
    for mark in prefix.chars() {
        if mark == '>' {
            match rest.trim_start_matches(' ').strip_prefix('>') {
                Some(after) => rest = after,
                None => return rest,
            }
        } else if let Some(after) = rest.strip_prefix(' ') {
            rest = after;
        } else {
            return rest;
        }
    }
    rest
}

/// Replace an inline call; returns the index of the next event to look at (the call's last event again when text
/// follows the call in it, with only that text left).
fn inline<'a>(
    markdown: &'a str,
    events: &mut [Spanned<'a>],
    found: &Found,
    shortcodes: &Shortcodes<'_>,
    out: &mut Output<'a>,
    problem: &mut impl FnMut(usize, String),
) -> usize {
    let first_range = events[found.first].1.clone();
    if first_range.start < found.start {
        let before = &markdown[first_range.start..found.start];
        out.pass(
            Event::Text(CowStr::Borrowed(before)),
            first_range.start..found.start,
        );
    }
    let inside = events.get(found.first + 1..found.last).unwrap_or_default();
    let balanced = inside.iter().fold(0i32, |depth, (event, _)| match event {
        Event::Start(_) => depth + 1,
        Event::End(_) => depth - 1,
        _ => depth,
    }) == 0;
    let Token::Inline(call) = &found.token else {
        unreachable!("an inline item holds Token::Inline")
    };
    if !balanced {
        problem(
            found.start,
            format!(
                "the arguments of the shortcode `{}` hold markdown marks (*, _, [ or `) that pair with text outside it: remove them from the arguments",
                call.name
            ),
        );
    }
    let last_range = events[found.last].1.clone();
    // Alone in its paragraph (`{{ crisis() }}` on a line of its own), a call's HTML stands as a block: a `<div>`
    // inside a `<p>` would be invalid HTML.
    let alone = first_range.start == found.start
        && last_range.end <= found.end
        && matches!(out.events.last(), Some((Event::Start(Tag::Paragraph), _)))
        && matches!(
            events.get(found.last + 1),
            Some((Event::End(TagEnd::Paragraph), _))
        );
    let html = shortcodes(call).unwrap_or_else(|message| {
        problem(found.start, message);
        String::new()
    });
    if alone {
        out.events.pop();
        out.open.pop();
        out.events.push((
            Event::Html(format!("{}\n", html.trim_end()).into()),
            found.start..found.end,
        ));
        return found.last + 2;
    }
    out.pass(Event::InlineHtml(html.into()), found.start..found.end);
    if matches!(events[found.last].0, Event::Text(_)) && last_range.end > found.end {
        events[found.last] = (
            Event::Text(CowStr::Borrowed(&markdown[found.end..last_range.end])),
            found.end..last_range.end,
        );
        found.last
    } else {
        found.last + 1
    }
}

/// The events written so far, and which of the tags they opened are still open (`true` for a paragraph).
#[derive(Default)]
struct Output<'a> {
    events: Vec<Spanned<'a>>,
    open: Vec<bool>,
    /// Ends to drop (or, when `true`, to write as a paragraph's end): containers a block's body opened that the
    /// markdown closes only after the block.
    drop_ends: Vec<(TagEnd, bool)>,
}

impl<'a> Output<'a> {
    fn pass(&mut self, event: Event<'a>, range: Range<usize>) {
        match &event {
            Event::Start(tag) => self.open.push(matches!(tag, Tag::Paragraph)),
            Event::End(end) => {
                if let Some(&(dropped, as_paragraph)) = self.drop_ends.last()
                    && dropped == *end
                {
                    self.drop_ends.pop();
                    if as_paragraph {
                        self.open.pop();
                        self.events.push((Event::End(TagEnd::Paragraph), range));
                    }
                    return;
                }
                self.open.pop();
            }
            _ => {}
        }
        self.events.push((event, range));
    }

    /// Write a block's HTML in place of events `first..=last`, outside any paragraph; returns the next index.
    fn block(
        &mut self,
        events: &[Spanned<'a>],
        first: usize,
        last: usize,
        html: &str,
        range: Range<usize>,
        problem: &mut impl FnMut(usize, String),
    ) -> usize {
        let mut closed_paragraph = false;
        if self.open.last() == Some(&true) {
            closed_paragraph = true;
            if matches!(self.events.last(), Some((Event::Start(Tag::Paragraph), _))) {
                self.events.pop();
            } else {
                while matches!(
                    self.events.last(),
                    Some((Event::SoftBreak | Event::HardBreak, _))
                ) {
                    self.events.pop();
                }
                self.events
                    .push((Event::End(TagEnd::Paragraph), range.start..range.start));
            }
            self.open.pop();
        }
        self.events.push((
            Event::Html(format!("{}\n", html.trim_end()).into()),
            range.clone(),
        ));
        let mut next = last + 1;
        while matches!(
            events.get(next),
            Some((Event::SoftBreak | Event::HardBreak, _))
        ) {
            next += 1;
        }
        let mut opened: Vec<TagEnd> = Vec::new();
        for (event, _) in &events[first..=last] {
            match event {
                Event::Start(tag) => opened.push(tag.to_end()),
                Event::End(end) => {
                    if opened.pop().is_none() && !(closed_paragraph && *end == TagEnd::Paragraph) {
                        problem(
                            range.start,
                            "this block shortcode starts inside a list or quote and ends outside it: put its {% end %} at the same place in the list or quote".into(),
                        );
                    }
                    closed_paragraph &= *end != TagEnd::Paragraph;
                }
                _ => {}
            }
        }
        // The paragraph the block began in, when it ends after the block: its end was written before the block.
        if closed_paragraph {
            self.drop_ends.push((TagEnd::Paragraph, false));
        }
        // Containers opened inside the block and still open (text written right after `{% end %}` continues the
        // body's last paragraph or list item): they are dropped, and the text after the block gets a paragraph.
        let Some(&innermost) = opened.last() else {
            return next;
        };
        let text_follows = !matches!(events.get(next), Some((Event::End(_), _)) | None);
        for &end in &opened[..opened.len() - 1] {
            self.drop_ends.push((end, false));
        }
        if innermost == TagEnd::Paragraph {
            if text_follows {
                self.pass(Event::Start(Tag::Paragraph), range.end..range.end);
            } else {
                next += 1;
            }
        } else {
            self.drop_ends.push((innermost, text_follows));
            if text_follows {
                self.pass(Event::Start(Tag::Paragraph), range.end..range.end);
            }
        }
        next
    }
}
