//! Markdown stage: turns the body of one document (front matter already removed) into HTML,
//! together with the facts later stages need so that nothing has to re-parse the HTML: the
//! table of contents, every heading id, every link and image destination with its line, the
//! problems found and a word count.
//!
//! Input is plain data (the markdown text and a `rewrite` closure that judges each link
//! destination); output is plain data ([`Rendered`]). This stage does no file I/O, knows nothing
//! about pages, sections or the site, and has no error type: a link the caller rejects comes
//! back as a [`Problem`], and the document is still rendered.
//!
//! Everything happens in a single pass over pulldown-cmark's events. Only the events inside a
//! heading are held back, because the heading's id depends on its text, which comes after the
//! opening tag.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;

use pulldown_cmark::{CowStr, Event, HeadingLevel, OffsetIter, Options, Parser, Tag, TagEnd, html};

mod table;

/// One heading of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Heading level, 1 for `<h1>` to 6 for `<h6>`.
    pub level: u8,
    /// The `id` attribute given to the heading, unique within the document.
    pub id: String,
    /// The heading's plain text, without HTML and with smart punctuation applied.
    pub title: String,
    /// The headings of deeper levels that follow this one, before the next heading of the same
    /// or a higher level.
    pub children: Vec<Heading>,
}

/// A link or image destination found in the markdown, after rewriting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written in the markdown (reference links resolved), before `rewrite`
    /// replaced it.
    pub dest: String,
    /// 1-based line of the link in the markdown text passed to [`render`].
    pub line: usize,
    /// Whether this is an image (`![alt](dest)`) rather than a link.
    pub is_image: bool,
}

/// A problem found while rendering, e.g. a link the rewriter rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the markdown text passed to [`render`].
    pub line: usize,
    /// Plain-language description, as given by the rewriter.
    pub message: String,
}

/// What rendering one markdown document produces.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The document's HTML.
    pub html: String,
    /// Headings nested by level: an `<h3>` sits under the `<h2>` before it. Headings with no
    /// shallower heading before them (e.g. a document that starts at `<h3>`) are top-level.
    pub toc: Vec<Heading>,
    /// Every id given to a heading, in document order, for checking `#anchor` links.
    pub heading_ids: Vec<String>,
    /// Every link and image destination, in document order.
    pub links: Vec<Link>,
    /// Problems found, in document order.
    pub problems: Vec<Problem>,
    /// Words of text a reader sees; markup is not counted, code is. `None` when not asked for ([`Wanted`]).
    pub word_count: Option<usize>,
    /// `(byte offset in html, 1-based markdown line)` at each point where the markdown line of
    /// the output changes, in order: lets `check` say which markdown line made a piece of HTML.
    pub source_map: Vec<(usize, usize)>,
}

impl Rendered {
    /// The markdown line that made a line of [`Rendered::html`] (both 1-based): the first
    /// markdown line written on that HTML line, else the one still being written when it began.
    pub fn markdown_line(&self, html_line: usize) -> usize {
        let mut starts =
            std::iter::once(0).chain(self.html.match_indices('\n').map(|(offset, _)| offset + 1));
        let start = starts
            .nth(html_line.saturating_sub(1))
            .unwrap_or(self.html.len());
        let end = self.html[start..]
            .find('\n')
            .map_or(self.html.len(), |offset| start + offset + 1);
        let first_here = self
            .source_map
            .iter()
            .find(|&&(offset, _)| (start..end).contains(&offset));
        let before = self
            .source_map
            .iter()
            .take_while(|&&(offset, _)| offset < start)
            .last();
        first_here.or(before).map_or(1, |&(_, line)| line)
    }
}

/// How a link destination should be written in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// Write the destination unchanged.
    Keep,
    /// Write this destination instead.
    Replace(String),
    /// Write the destination unchanged and report this plain-language message as a [`Problem`].
    Reject(String),
}

/// What [`render_with`] works out besides the HTML, headings and links, when it costs enough to leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// Count the words ([`Rendered::word_count`]). A site whose templates show no word count or reading time need
    /// not pay for it: it was a tenth of the markdown stage.
    pub word_count: bool,
}

impl Wanted {
    /// Everything.
    pub const ALL: Wanted = Wanted { word_count: true };
}

/// Renders one markdown document to HTML and collects its headings, links, problems and words.
///
/// Every link and image destination (inline, reference-style and autolinks) is passed to
/// `rewrite`, which decides what the HTML gets. Email autolinks such as `<me@example.com>` pass
/// the bare address; the HTML writer adds `mailto:` afterwards.
pub fn render(markdown: &str, rewrite: &dyn Fn(&str) -> Rewrite) -> Rendered {
    render_with(markdown, rewrite, Wanted::ALL)
}

/// [`render`], working out only what is [`Wanted`].
pub fn render_with(markdown: &str, rewrite: &dyn Fn(&str) -> Rewrite, wanted: Wanted) -> Rendered {
    let written = Cell::new(0);
    let mut events = DocumentEvents::new(markdown, rewrite, &written);
    events.words = wanted.word_count.then(WordCounter::default);
    // HTML is usually somewhat longer than its markdown; reserving once avoids repeated regrowth.
    let mut html = CountingWriter {
        out: String::with_capacity(markdown.len() + markdown.len() / 2),
        written: &written,
    };
    html::write_html_fmt(&mut html, &mut events).expect("writing to a String cannot fail");
    Rendered {
        html: shrunk(html.out),
        source_map: events.source_map,
        toc: events.toc,
        heading_ids: events.ids.in_order,
        links: events.links,
        problems: events.problems,
        word_count: events.words.map(|words| words.count),
    }
}

/// The parser with the markdown extensions this site supports, like mdBook's `new_cmark_parser`.
pub fn new_parser(markdown: &str) -> Parser<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES;
    Parser::new_ext(markdown, options)
}

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

/// The HTML being written, with its length shared so the events can note where each one lands.
struct CountingWriter<'w> {
    out: String,
    written: &'w Cell<usize>,
}

impl fmt::Write for CountingWriter<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.out.push_str(text);
        self.written.set(self.out.len());
        Ok(())
    }
}

/// The parser's events for one document, with heading ids added and link destinations
/// rewritten, collecting the facts for [`Rendered`] as the HTML writer pulls them.
struct DocumentEvents<'a, 'r> {
    parser: OffsetIter<'a>,
    rewrite: &'r dyn Fn(&str) -> Rewrite,
    lines: LineCursor<'a>,
    /// Bytes of HTML written so far (the writer finishes one event before asking for the next).
    written: &'r Cell<usize>,
    /// Markdown line of the event read last.
    event_line: usize,
    source_map: Vec<(usize, usize)>,
    tables: table::TableAlign,
    /// Events of a heading already read but not yet handed to the HTML writer.
    pending: VecDeque<Event<'a>>,
    /// Plain text of the heading being read; kept to reuse its allocation.
    heading_text: String,
    words: Option<WordCounter>,
    ids: HeadingIds,
    toc: Vec<Heading>,
    links: Vec<Link>,
    problems: Vec<Problem>,
}

impl<'a, 'r> DocumentEvents<'a, 'r> {
    fn new(
        markdown: &'a str,
        rewrite: &'r dyn Fn(&str) -> Rewrite,
        written: &'r Cell<usize>,
    ) -> Self {
        Self {
            parser: new_parser(markdown).into_offset_iter(),
            rewrite,
            lines: LineCursor::new(markdown),
            written,
            event_line: 1,
            source_map: Vec::new(),
            tables: table::TableAlign::default(),
            pending: VecDeque::new(),
            heading_text: String::new(),
            words: None,
            ids: HeadingIds::default(),
            toc: Vec::new(),
            links: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The next parser event, with its link destination rewritten and its words counted.
    fn next_event(&mut self) -> Option<Event<'a>> {
        let (mut event, range) = self.parser.next()?;
        // An end event's range starts back at its element's start: following it would walk every paragraph
        // twice more for a line nothing uses (end events are left out of the source map).
        if !matches!(event, Event::End(_)) {
            self.event_line = self.lines.line_at(range.start);
        }
        if let Some(words) = &mut self.words {
            words.observe(&event);
        }
        match &mut event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.rewrite_dest(dest_url, range.start, false);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.rewrite_dest(dest_url, range.start, true);
            }
            _ => {}
        }
        Some(event)
    }

    /// Records the destination found at byte `offset` and changes it if `rewrite` says so.
    fn rewrite_dest(&mut self, dest: &mut CowStr<'a>, offset: usize, is_image: bool) {
        let line = self.lines.line_at(offset);
        self.links.push(Link {
            dest: dest.to_string(),
            line,
            is_image,
        });
        match (self.rewrite)(dest) {
            Rewrite::Keep => {}
            Rewrite::Replace(new_dest) => *dest = new_dest.into(),
            Rewrite::Reject(message) => self.problems.push(Problem { line, message }),
        }
    }

    /// Reads the rest of a heading into `pending`, ending it with its anchor link, adds it to
    /// the table of contents and returns its id.
    fn buffer_heading(&mut self, level: HeadingLevel, explicit_id: Option<CowStr<'a>>) -> String {
        self.buffer_heading_content();
        let base = match explicit_id {
            Some(explicit) if !explicit.is_empty() => explicit.into_string(),
            _ => slugify(&self.heading_text),
        };
        let id = self.ids.unique(base);
        self.pending
            .push_back(Event::InlineHtml(anchor_html(&id).into()));
        self.pending.push_back(Event::End(TagEnd::Heading(level)));
        let title = self.heading_text.trim().to_owned();
        // HeadingLevel's discriminants are the level numbers 1 to 6.
        let heading = Heading {
            level: level as u8,
            id: id.clone(),
            title,
            children: Vec::new(),
        };
        insert_heading(&mut self.toc, heading);
        id
    }

    /// Moves the events between a heading's start and end into `pending`, keeping its plain
    /// text in `heading_text`. The end event is dropped; `buffer_heading` writes its own.
    fn buffer_heading_content(&mut self) {
        self.heading_text.clear();
        while let Some(event) = self.next_event() {
            match &event {
                Event::End(TagEnd::Heading(_)) => return,
                Event::Text(text) | Event::Code(text) => self.heading_text.push_str(text),
                Event::SoftBreak | Event::HardBreak => self.heading_text.push(' '),
                _ => {}
            }
            self.pending.push_back(event);
        }
    }
}

impl<'a> Iterator for DocumentEvents<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        let event = self.next_event()?;
        // A heading's own events are buffered, so they are mapped to the heading's line. An end
        // event's range starts with its element, so it would point back up: it is left out.
        let is_end = matches!(event, Event::End(_));
        if !is_end
            && self
                .source_map
                .last()
                .is_none_or(|&(_, line)| line != self.event_line)
        {
            self.source_map.push((self.written.get(), self.event_line));
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let id = Some(self.buffer_heading(level, id).into());
                Some(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }))
            }
            event => Some(self.tables.map(event)),
        }
    }
}

/// The `#` link written at the end of every heading, pointing at the heading itself.
/// A site's HTML is kept until every page is rendered: give back what the capacity estimate reserved too much.
fn shrunk(mut html: String) -> String {
    html.shrink_to_fit();
    html
}

fn anchor_html(id: &str) -> String {
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
fn insert_heading(siblings: &mut Vec<Heading>, heading: Heading) {
    match siblings.last_mut() {
        Some(last) if last.level < heading.level => insert_heading(&mut last.children, heading),
        _ => siblings.push(heading),
    }
}

/// The heading ids given so far in one document, so that a repeated one can be made unique.
#[derive(Default)]
struct HeadingIds {
    in_order: Vec<String>,
    /// Each id given, mapped to the next `-N` suffix to try when it comes up again. Starting
    /// from there keeps many repeats of one title linear instead of quadratic.
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// Returns `base`, or `base-1`, `base-2`, … if `base` was already given.
    fn unique(&mut self, base: String) -> String {
        let id = match self.next_suffix.get(&base).copied() {
            None => base,
            Some(mut suffix) => loop {
                let candidate = format!("{base}-{suffix}");
                suffix += 1;
                if !self.next_suffix.contains_key(&candidate) {
                    self.next_suffix.insert(base, suffix);
                    break candidate;
                }
            },
        };
        self.next_suffix.insert(id.clone(), 1);
        self.in_order.push(id.clone());
        id
    }
}

/// Converts byte offsets to 1-based lines. Moving from the previous offset costs only the bytes
/// in between, so the mostly increasing offsets of one document cost O(length) in total.
struct LineCursor<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    #[expect(
        clippy::naive_bytecount,
        reason = "the `bytecount` crate would be a new dependency; this loop vectorises well enough"
    )]
    fn line_at(&mut self, offset: usize) -> usize {
        let newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count();
        if offset >= self.offset {
            self.line += newlines(&self.text[self.offset..offset]);
        } else {
            self.line -= newlines(&self.text[offset..self.offset]);
        }
        self.offset = offset;
        self.line
    }
}

const SPACE: u8 = 1;
const ALPHANUMERIC: u8 = 2;

/// What each ASCII byte is to the word counter: whitespace as `char::is_whitespace` has it, a letter or digit, or
/// neither (0). One table look-up per byte is several times faster than the comparisons it replaces.
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte: u8 = 0;
    while byte < 128 {
        if matches!(byte, b'\t'..=b'\r' | b' ') {
            table[byte as usize] = SPACE;
        } else if byte.is_ascii_alphanumeric() {
            table[byte as usize] = ALPHANUMERIC;
        }
        byte += 1;
    }
    table
};

/// Counts words in text and code events. A word is a whitespace-separated run holding at least
/// one letter or digit, so a lone `-` or `|` is not a word.
#[derive(Default)]
struct WordCounter {
    count: usize,
    /// Whether the current run was already counted. It survives inline markup so that
    /// `foo*bar*` or a smart apostrophe split into separate text events is still one word.
    in_counted_word: bool,
}

impl WordCounter {
    fn observe(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) | Event::Code(text) => self.count_text(text),
            Event::Start(tag) if continues_word(tag.to_end()) => {}
            Event::End(tag) if continues_word(*tag) => {}
            _ => self.in_counted_word = false,
        }
    }

    fn count_text(&mut self, text: &str) {
        if text.is_ascii() {
            // The usual case, with a table and whole whitespace-separated runs: decoding `char`s and branching on
            // each one made word counting a tenth of a build.
            let is = |class: u8| move |byte: &u8| ASCII_CLASS[usize::from(*byte)] == class;
            let mut runs = text.as_bytes().split(is(SPACE));
            // The first run goes on from the previous text event: it is a new word only if that one was not.
            if let Some(first) = runs.next()
                && !self.in_counted_word
                && first.iter().any(is(ALPHANUMERIC))
            {
                self.count += 1;
                self.in_counted_word = true;
            }
            for run in runs {
                self.in_counted_word = run.iter().any(is(ALPHANUMERIC));
                self.count += usize::from(self.in_counted_word);
            }
        } else {
            self.count_chars(text);
        }
    }

    /// The plain definition, a `char` at a time (any text; [`WordCounter::count_text`] must agree with it).
    fn count_chars(&mut self, text: &str) {
        for c in text.chars() {
            self.step(c.is_whitespace(), c.is_alphanumeric());
        }
    }

    fn step(&mut self, is_space: bool, is_alphanumeric: bool) {
        if is_space {
            self.in_counted_word = false;
        } else if !self.in_counted_word && is_alphanumeric {
            self.count += 1;
            self.in_counted_word = true;
        }
    }
}

/// Whether a word can run on across this tag, as it does across `*emphasis*` but not across a
/// paragraph or table cell boundary.
fn continues_word(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn keep(_: &str) -> Rewrite {
        Rewrite::Keep
    }

    fn render_kept(markdown: &str) -> Rendered {
        render(markdown, &keep)
    }

    fn heading(level: u8, id: &str, title: &str, children: Vec<Heading>) -> Heading {
        Heading {
            level,
            id: id.to_owned(),
            title: title.to_owned(),
            children,
        }
    }

    fn anchor(id: &str) -> String {
        format!(
            r##" <a class="heading-anchor" href="#{id}" aria-hidden="true" tabindex="-1">#</a>"##
        )
    }

    #[test]
    fn heading_gets_slug_id_and_anchor() {
        let rendered = render_kept("## Hello *World*\n");
        assert_eq!(
            rendered.html,
            format!(
                "<h2 id=\"hello-world\">Hello <em>World</em>{}</h2>\n",
                anchor("hello-world")
            )
        );
        assert_eq!(
            rendered.toc,
            vec![heading(2, "hello-world", "Hello World", vec![])]
        );
    }

    #[test]
    fn repeated_heading_ids_get_numbered() {
        let rendered = render_kept("# Intro\n\n## Intro\n\n## Intro\n\n## Intro 1\n");
        assert_eq!(
            rendered.heading_ids,
            ["intro", "intro-1", "intro-2", "intro-1-1"]
        );
        assert!(rendered.html.contains("<h2 id=\"intro-2\">Intro"));
    }

    #[test]
    fn explicit_id_is_used_and_counts_for_duplicates() {
        let rendered =
            render_kept("## Title {#custom-id}\n\n## Custom id\n\n## Other {#custom-id .wide}\n");
        assert_eq!(
            rendered.heading_ids,
            ["custom-id", "custom-id-1", "custom-id-2"]
        );
        assert_eq!(rendered.toc[0], heading(2, "custom-id", "Title", vec![]));
        let expected_last = format!(
            "<h2 id=\"custom-id-2\" class=\"wide\">Other{}</h2>\n",
            anchor("custom-id-2")
        );
        assert!(rendered.html.ends_with(&expected_last), "{}", rendered.html);
    }

    #[test]
    fn explicit_id_is_escaped_in_html() {
        let rendered = render_kept("## A {#a\"b}\n");
        assert_eq!(rendered.heading_ids, ["a\"b"]);
        assert_eq!(
            rendered.html,
            format!("<h2 id=\"a&quot;b\">A{}</h2>\n", anchor("a&quot;b"))
        );
    }

    #[test]
    fn toc_nests_by_level() {
        let rendered = render_kept("## One\n### One A\n### One B\n## Two\n");
        let expected = vec![
            heading(
                2,
                "one",
                "One",
                vec![
                    heading(3, "one-a", "One A", vec![]),
                    heading(3, "one-b", "One B", vec![]),
                ],
            ),
            heading(2, "two", "Two", vec![]),
        ];
        assert_eq!(rendered.toc, expected);
    }

    #[test]
    fn toc_of_document_starting_at_h3() {
        let rendered = render_kept("### Deep\n#### Deeper\n## Up\n### Down\n");
        let expected = vec![
            heading(
                3,
                "deep",
                "Deep",
                vec![heading(4, "deeper", "Deeper", vec![])],
            ),
            heading(2, "up", "Up", vec![heading(3, "down", "Down", vec![])]),
        ];
        assert_eq!(rendered.toc, expected);
    }

    #[test]
    fn toc_title_has_smart_punctuation_and_no_html() {
        let rendered = render_kept("## \"Don't\" -- `x<y` & <b>bold</b>\n");
        assert_eq!(
            rendered.toc[0].title,
            "\u{201c}Don\u{2019}t\u{201d} \u{2013} x<y & bold"
        );
        assert_eq!(rendered.toc[0].id, "dont-xy-bold");
    }

    fn site_rewrite(dest: &str) -> Rewrite {
        match dest.strip_prefix("@/") {
            Some("missing.md") => Rewrite::Reject("no page `@/missing.md`".to_owned()),
            Some(path) => Rewrite::Replace(format!("/{}/", path.trim_end_matches(".md"))),
            None => Rewrite::Keep,
        }
    }

    #[test]
    fn links_are_rewritten_and_recorded_with_lines() {
        let markdown = "# Title\n\nFirst paragraph\nstill first.\n\nSee [post](@/blog/post.md) and\n[gone](@/missing.md).\n\n![pic](img.png) [ref][r] <https://x.org>\n\n[r]: @/about.md\n";
        let rendered = render(markdown, &site_rewrite);
        let link = |dest: &str, line, is_image| Link {
            dest: dest.to_owned(),
            line,
            is_image,
        };
        let expected = vec![
            link("@/blog/post.md", 6, false),
            link("@/missing.md", 7, false),
            link("img.png", 9, true),
            link("@/about.md", 9, false),
            link("https://x.org", 9, false),
        ];
        assert_eq!(rendered.links, expected);
        assert_eq!(
            rendered.problems,
            vec![Problem {
                line: 7,
                message: "no page `@/missing.md`".to_owned()
            }]
        );
        let body = rendered.html.split_once("</h1>\n").unwrap().1;
        assert_eq!(
            body,
            "<p>First paragraph\nstill first.</p>\n\
             <p>See <a href=\"/blog/post/\">post</a> and\n<a href=\"@/missing.md\">gone</a>.</p>\n\
             <p><img src=\"img.png\" alt=\"pic\" /> <a href=\"/about/\">ref</a> <a href=\"https://x.org\">https://x.org</a></p>\n"
        );
    }

    #[test]
    fn link_lines_count_crlf_and_footnote_definitions() {
        let markdown = "a\r\n\r\nText[^n]\r\n\r\n[^n]: see [it](x)\r\n\r\nafter [b](y)\r\n";
        let lines: Vec<usize> = render_kept(markdown)
            .links
            .iter()
            .map(|link| link.line)
            .collect();
        assert_eq!(lines, [5, 7]);
    }

    #[test]
    fn link_in_heading_is_rewritten() {
        let rendered = render("text\n\n## See [post](@/post.md)\n", &site_rewrite);
        assert_eq!(
            rendered.links,
            vec![Link {
                dest: "@/post.md".to_owned(),
                line: 3,
                is_image: false
            }]
        );
        assert_eq!(
            rendered.html,
            format!(
                "<p>text</p>\n<h2 id=\"see-post\">See <a href=\"/post/\">post</a>{}</h2>\n",
                anchor("see-post")
            )
        );
    }

    #[test]
    fn html_lines_map_back_to_markdown_lines() {
        let markdown =
            "# Title\n\nFirst line\nsecond line\n\n- item\n- ![](x.png)\n\n| a |\n|---|\n| b |\n";
        let rendered = render_kept(markdown);
        let lines: Vec<usize> = (1..=rendered.html.lines().count())
            .map(|line| rendered.markdown_line(line))
            .collect();
        // h1, p + soft break, ul, li, li, /ul, table head, row b, /table
        assert_eq!(lines, [1, 3, 4, 6, 6, 7, 7, 9, 11, 11], "{}", rendered.html);
        assert_eq!(
            rendered.markdown_line(99),
            11,
            "past the end: the last line"
        );
    }

    #[test]
    fn footnotes_render() {
        let rendered = render_kept("Text[^1].\n\n[^1]: The note.\n");
        assert_eq!(
            rendered.html,
            "<p>Text<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup>.</p>\n\
             <div class=\"footnote-definition\" id=\"1\"><sup class=\"footnote-definition-label\">1</sup>\n\
             <p>The note.</p>\n</div>\n"
        );
    }

    #[test]
    fn tables_render() {
        let rendered = render_kept("| a | b |\n|---|:-:|\n| 1 | 2 |\n");
        assert_eq!(
            rendered.html,
            "<table><thead><tr><th>a</th><th class=\"align-center\">b</th></tr></thead><tbody>\n\
             <tr><td>1</td><td class=\"align-center\">2</td></tr>\n</tbody></table>\n"
        );
    }

    #[test]
    fn strikethrough_and_task_lists_render() {
        let rendered = render_kept("~~old~~ new\n\n- [x] done\n- [ ] todo\n");
        assert_eq!(
            rendered.html,
            "<p><del>old</del> new</p>\n<ul>\n\
             <li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n\
             <li><input disabled=\"\" type=\"checkbox\"/>\ntodo</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_and_comments_pass_through() {
        let rendered =
            render_kept("<!-- note -->\n<div class=\"x\">hi</div>\n\nA <span>b</span>.\n");
        assert_eq!(
            rendered.html,
            "<!-- note -->\n<div class=\"x\">hi</div>\n<p>A <span>b</span>.</p>\n"
        );
    }

    #[test]
    fn slugify_cases() {
        let cases = [
            ("Hello, World!", "hello-world"),
            ("Café Über", "café-über"),
            ("snake_case  and--dashes", "snake-case-and-dashes"),
            ("  --Leading & trailing!--  ", "leading-trailing"),
            ("a . b", "a-b"),
            ("Version 2.0", "version-20"),
            ("???", "section"),
            ("", "section"),
        ];
        for (text, slug) in cases {
            assert_eq!(slugify(text), slug, "slugify({text:?})");
        }
    }

    #[test]
    fn empty_heading_gets_section_id() {
        let rendered = render_kept("##\n\n## !!\n");
        assert_eq!(rendered.heading_ids, ["section", "section-1"]);
    }

    #[test]
    fn word_count_counts_text_and_code_not_markup() {
        let markdown = "# Two words\n\nfoo*bar* is *one* [link](http://a.b/c) - here.\n\n```\nlet x = 1;\n```\n\n<div>not counted</div>\n";
        // two words (2) + foobar is one link here (5) + let x 1 (3)
        assert_eq!(render_kept(markdown).word_count, Some(10));
        let uncounted = render_with(markdown, &keep, Wanted { word_count: false });
        assert_eq!(uncounted.word_count, None);
        assert_eq!(uncounted.html, render_kept(markdown).html);
    }

    #[test]
    fn fast_word_count_agrees_with_counting_chars() {
        let events: [&[&str]; 7] = [
            &["two words", " and\tthree"],
            &["(quoted", " - | ", "x"],
            &["foo", "bar", " baz "],
            &["  ", "", "a", "b c  "],
            &["end.", "\n", "next"],
            &["---", "", " 1 "],
            &["\u{b}x\u{c}y\r"],
        ];
        for pieces in events {
            let (mut fast, mut plain) = (WordCounter::default(), WordCounter::default());
            for piece in pieces {
                fast.count_text(piece);
                plain.count_chars(piece);
                assert_eq!(
                    (fast.count, fast.in_counted_word),
                    (plain.count, plain.in_counted_word),
                    "{pieces:?}"
                );
            }
        }
    }

    #[test]
    fn fast_word_count_agrees_with_counting_chars_on_random_text() {
        // Bytes chosen to hit every class, in pieces of random length, as text events come.
        const ALPHABET: &[u8] = b"ab1 -\t\n.|_\x0b";
        let mut state: u32 = 12345;
        let mut next = |bound: usize| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as usize % bound
        };
        for _ in 0..500 {
            let (mut fast, mut plain) = (WordCounter::default(), WordCounter::default());
            for _ in 0..=next(5) {
                let piece: String = (0..next(200))
                    .map(|_| char::from(ALPHABET[next(ALPHABET.len())]))
                    .collect();
                fast.count_text(&piece);
                plain.count_chars(&piece);
                assert_eq!(
                    (fast.count, fast.in_counted_word),
                    (plain.count, plain.in_counted_word),
                    "{piece:?}"
                );
            }
        }
    }

    #[test]
    fn five_kilobyte_document_renders() {
        let section = "## Section title\n\nSome *text* with a [link](@/page.md) and `code`.\n\n- item one\n- item two\n\n";
        let markdown = section.repeat(5 * 1024 / section.len() + 1);
        assert!(markdown.len() >= 5 * 1024);
        let rendered = render(&markdown, &site_rewrite);
        let sections = markdown.matches("## ").count();
        assert_eq!(rendered.heading_ids.len(), sections);
        assert_eq!(
            rendered.heading_ids.last().unwrap(),
            &format!("section-title-{}", sections - 1)
        );
        assert_eq!(rendered.links.len(), sections);
        assert_eq!(rendered.links.last().unwrap().line, 7 * (sections - 1) + 3);
        assert_eq!(rendered.word_count, Some(13 * sections));
        assert!(rendered.problems.is_empty());
    }
}
