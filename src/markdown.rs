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

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;

use pulldown_cmark::{CowStr, Event, HeadingLevel, OffsetIter, Options, Parser, Tag, TagEnd, html};

mod headings;
mod shortcode;
mod splice;
mod table;
mod words;

pub use shortcode::{Arg, Call};

pub use headings::slugify;
use headings::{HeadingIds, anchor_html, insert_heading};
use words::WordCounter;

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

/// How an image is shown: a responsive `<img>` made of copies at several widths (`srcset`), with its size, so the
/// page does not move when it loads. The caller decides ([`render_with`]'s `pictures`); markdown writes the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The copy for browsers that do not read `srcset`.
    pub src: String,
    /// `url 480w, url 800w, …`; empty for an image shown as it is.
    pub srcset: String,
    /// Which width the image is shown at, for the browser to choose from `srcset`.
    pub sizes: String,
    /// Shown width in CSS pixels (the `width` attribute).
    pub width: u32,
    /// Shown height.
    pub height: u32,
}

impl Picture {
    /// The `<img>` tag. The first image of a page is likely the largest thing on screen when it loads: it is
    /// fetched first; the others load lazily, when the reader scrolls near them.
    fn html(&self, alt: &str, title: &str, first: bool) -> String {
        let escape = |text: &str| {
            let mut out = String::with_capacity(text.len());
            pulldown_cmark_escape::escape_html(&mut out, text)
                .expect("writing to a String cannot fail");
            out
        };
        let mut tag = format!("<img src=\"{}\"", escape(&self.src));
        if !self.srcset.is_empty() {
            tag.push_str(&format!(
                " srcset=\"{}\" sizes=\"{}\"",
                escape(&self.srcset),
                escape(&self.sizes)
            ));
        }
        tag.push_str(&format!(
            " width=\"{}\" height=\"{}\" alt=\"{}\"",
            self.width,
            self.height,
            escape(alt)
        ));
        if !title.is_empty() {
            tag.push_str(&format!(" title=\"{}\"", escape(title)));
        }
        tag.push_str(if first {
            " fetchpriority=\"high\">"
        } else {
            " loading=\"lazy\" decoding=\"async\">"
        });
        tag
    }
}

/// What rendering one markdown document produces.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The document's HTML.
    pub html: String,
    /// Headings nested by level: an `<h3>` sits under the `<h2>` before it. Headings with no
    /// shallower heading before them (e.g. a document that starts at `<h3>`) are top-level. Empty when not
    /// [`Wanted::toc`].
    pub toc: Vec<Heading>,
    /// Every id given to a heading, in document order, for checking `#anchor` links.
    pub heading_ids: Vec<String>,
    /// Every link and image destination, in document order (without [`Wanted::checks`], only those naming a
    /// heading: the ones a build checks).
    pub links: Vec<Link>,
    /// Problems found, in document order.
    pub problems: Vec<Problem>,
    /// Words of text a reader sees; markup is not counted, code is. `None` when not asked for ([`Wanted`]).
    pub word_count: Option<usize>,
    /// `(byte offset in html, 1-based markdown line)` at each point where the markdown line of
    /// the output changes, in order: lets `check` say which markdown line made a piece of HTML. Empty without
    /// [`Wanted::checks`].
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
pub enum Rewrite<'a> {
    /// Write the destination unchanged.
    Keep,
    /// Write this destination instead (borrowed when it lives as long as the markdown: most links are to a page,
    /// whose address need not be copied).
    Replace(Cow<'a, str>),
    /// Write the destination unchanged and report this plain-language message as a [`Problem`].
    Reject(String),
}

/// What [`render_with`] works out besides the HTML, headings and links, when it costs enough to leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// Count the words ([`Rendered::word_count`]). A site whose templates show no word count or reading time need
    /// not pay for it: it was a tenth of the markdown stage.
    pub word_count: bool,
    /// Make the table of contents ([`Rendered::toc`]). Heading ids are made either way. Most templates show no
    /// table of contents, and turning it into template values cost a twentieth of a build.
    pub toc: bool,
    /// What only `iopsite check` reads: the [`Rendered::source_map`] and the links that name no heading.
    pub checks: bool,
}

impl Wanted {
    /// Everything.
    pub const ALL: Wanted = Wanted {
        word_count: true,
        toc: true,
        checks: true,
    };
}

/// Renders one markdown document to HTML and collects its headings, links, problems and words.
///
/// Every link and image destination (inline, reference-style and autolinks) is passed to
/// `rewrite`, which decides what the HTML gets. Email autolinks such as `<me@example.com>` pass
/// the bare address; the HTML writer adds `mailto:` afterwards.
pub fn render<'a>(markdown: &'a str, rewrite: &dyn Fn(&str) -> Rewrite<'a>) -> Rendered {
    render_with(markdown, rewrite, &|_| Ok(None), Wanted::ALL)
}

/// Renders a shortcode call to HTML, or says in plain words what is wrong with it (see [`render_with_shortcodes`]).
pub type Shortcodes<'s> = dyn Fn(&Call) -> Result<String, String> + Sync + 's;

/// How a markdown image is shown: `None` leaves the plain `<img>`; an error is reported as a [`Problem`].
pub type Pictures<'p> = dyn Fn(&str) -> Result<Option<Picture>, String> + 'p;

/// [`render`], working out only what is [`Wanted`]. `pictures` is asked how to show each image, with its
/// destination as rewritten. Shortcode calls stay text.
pub fn render_with<'a>(
    markdown: &'a str,
    rewrite: &dyn Fn(&str) -> Rewrite<'a>,
    pictures: &Pictures<'_>,
    wanted: Wanted,
) -> Rendered {
    render_with_shortcodes(markdown, rewrite, pictures, wanted, None)
}

/// [`render_with`], with Zola's shortcodes (`{{ name(key="value") }}`, `{% name() %}…{% end %}`) replaced by what
/// `shortcodes` makes of them. A call it refuses, or one written wrongly, is a [`Problem`] on its line.
pub fn render_with_shortcodes<'a>(
    markdown: &'a str,
    rewrite: &dyn Fn(&str) -> Rewrite<'a>,
    pictures: &Pictures<'_>,
    wanted: Wanted,
    shortcodes: Option<&Shortcodes<'_>>,
) -> Rendered {
    let written = Cell::new(0);
    let mut events = DocumentEvents::new(markdown, rewrite, &written, wanted);
    events.pictures = pictures;
    let mut bodies = Vec::new();
    if let Some(shortcodes) = shortcodes.filter(|_| splice::may_hold_calls(markdown)) {
        let parsed: Vec<splice::Spanned<'a>> = new_parser(markdown).into_offset_iter().collect();
        let render_body = |body: &str| -> Rendered {
            render_with_shortcodes(
                body,
                &|dest: &str| own(rewrite(dest)),
                pictures,
                wanted,
                Some(shortcodes),
            )
        };
        let spliced = splice::splice(
            markdown,
            parsed,
            shortcodes,
            &render_body,
            &mut events.problems,
            &mut bodies,
        );
        events.parser = Source::Spliced(spliced.into_iter());
    }
    // HTML is usually somewhat longer than its markdown; reserving once avoids repeated regrowth.
    let mut html = CountingWriter {
        out: String::with_capacity(markdown.len() + markdown.len() / 2),
        written: &written,
    };
    html::write_html_fmt(&mut html, &mut events).expect("writing to a String cannot fail");
    let mut rendered = Rendered {
        html: html.out,
        source_map: events.source_map,
        toc: events.toc,
        heading_ids: events.ids.in_order,
        links: events.links,
        problems: events.problems,
        word_count: events.words.map(|words| words.count),
    };
    for (lines_before, body) in bodies {
        merge_body(&mut rendered, lines_before, body);
    }
    rendered
}

/// A rewrite whose replacement no longer borrows from the page (a block shortcode's body is a text of its own).
fn own(rewrite: Rewrite<'_>) -> Rewrite<'static> {
    match rewrite {
        Rewrite::Keep => Rewrite::Keep,
        Rewrite::Replace(dest) => Rewrite::Replace(Cow::Owned(dest.into_owned())),
        Rewrite::Reject(message) => Rewrite::Reject(message),
    }
}

/// Add what a block shortcode's body held (links, problems, heading ids, words) to its page's, on the page's lines.
fn merge_body(rendered: &mut Rendered, lines_before: usize, body: Rendered) {
    rendered
        .links
        .extend(body.links.into_iter().map(|mut link| {
            link.line += lines_before;
            link
        }));
    rendered
        .problems
        .extend(body.problems.into_iter().map(|mut problem| {
            problem.line += lines_before;
            problem
        }));
    rendered.problems.sort_by_key(|problem| problem.line);
    rendered.heading_ids.extend(body.heading_ids);
    if let (Some(words), Some(more)) = (&mut rendered.word_count, body.word_count) {
        *words += more;
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
    parser: Source<'a>,
    rewrite: &'r dyn Fn(&str) -> Rewrite<'a>,
    pictures: &'r Pictures<'r>,
    /// Images shown as a [`Picture`] so far.
    pictures_shown: usize,
    /// What to work out; with [`Wanted::checks`], the markdown line of every event is followed for the source map
    /// and every link is recorded.
    wanted: Wanted,
    lines: LineCursor<'a>,
    /// Bytes of HTML written so far (the writer finishes one event before asking for the next).
    written: &'r Cell<usize>,
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
        rewrite: &'r dyn Fn(&str) -> Rewrite<'a>,
        written: &'r Cell<usize>,
        wanted: Wanted,
    ) -> Self {
        Self {
            parser: Source::Parser(new_parser(markdown).into_offset_iter()),
            rewrite,
            pictures: &|_| Ok(None),
            pictures_shown: 0,
            wanted,
            lines: LineCursor::new(markdown),
            written,
            source_map: Vec::new(),
            tables: table::TableAlign::default(),
            pending: VecDeque::new(),
            heading_text: String::new(),
            words: wanted.word_count.then(WordCounter::default),
            ids: HeadingIds::default(),
            toc: Vec::new(),
            links: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The next parser event inside a heading, with its link destination rewritten and its words counted (no
    /// source map or table change: a heading holds no table, and its events are mapped to the heading's line).
    fn next_in_heading(&mut self) -> Option<Event<'a>> {
        let (mut event, range) = self.parser.next()?;
        if let Some(words) = &mut self.words {
            words.observe(&event);
        }
        self.rewrite_link(&mut event, range.start);
        Some(event)
    }

    /// Rewrites the destination of a link or image start found at byte `offset`; other events are left alone.
    fn rewrite_link(&mut self, event: &mut Event<'a>, offset: usize) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => self.rewrite_dest(dest_url, offset, false),
            Event::Start(Tag::Image { dest_url, .. }) => self.rewrite_dest(dest_url, offset, true),
            _ => {}
        }
    }

    /// Notes where the HTML of an event that starts at byte `offset` of the markdown begins, if its line is not
    /// the one noted last. An end event's range starts back at its element's start: following it would walk
    /// every paragraph twice more and point back up, so end events are left out.
    #[inline(never)]
    fn map_source(&mut self, event: &Event<'a>, offset: usize) {
        if matches!(event, Event::End(_)) {
            return;
        }
        let line = self.lines.line_at(offset);
        if self.source_map.last().is_none_or(|&(_, last)| last != line) {
            self.source_map.push((self.written.get(), line));
        }
    }

    /// Changes one of the few events [`needs_change`] picks out: rewrites a link's destination, gives a heading
    /// its id (reading the rest of the heading) or writes a table cell's alignment as a class.
    #[inline(never)]
    fn change(&mut self, event: &mut Event<'a>, offset: usize) {
        if let Event::Start(Tag::Heading { level, id, .. }) = event {
            *id = Some(self.buffer_heading(*level, id.take()).into());
        } else {
            self.rewrite_link(event, offset);
            self.show_picture(event, offset);
            self.tables.map(event);
        }
    }

    /// Replaces an image (its start event, and the alt text up to its end) with the tag `pictures` asks for.
    fn show_picture(&mut self, event: &mut Event<'a>, offset: usize) {
        let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = event
        else {
            return;
        };
        let picture = match (self.pictures)(dest_url) {
            Ok(Some(picture)) => picture,
            Ok(None) => return,
            Err(message) => {
                let line = self.lines.line_at(offset);
                self.problems.push(Problem { line, message });
                return;
            }
        };
        let title = title.to_string();
        let alt = self.image_alt();
        *event = Event::InlineHtml(picture.html(&alt, &title, self.pictures_shown == 0).into());
        self.pictures_shown += 1;
    }

    /// Reads an image's alt text, up to and including the image's end, as plain text.
    fn image_alt(&mut self) -> String {
        let mut alt = String::new();
        let mut depth = 0;
        for (event, _) in self.parser.by_ref() {
            match event {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) if depth == 0 => break,
                Event::End(TagEnd::Image) => depth -= 1,
                Event::Text(text) | Event::Code(text) | Event::InlineMath(text) => {
                    alt.push_str(&text);
                }
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                _ => {}
            }
        }
        alt
    }

    /// Records the destination found at byte `offset` and changes it if `rewrite` says so.
    fn rewrite_dest(&mut self, dest: &mut CowStr<'a>, offset: usize, is_image: bool) {
        // The line is worked out only when it is kept: most links of a build are neither recorded nor rejected.
        if self.wanted.checks || dest.contains('#') {
            self.links.push(Link {
                dest: dest.to_string(),
                line: self.lines.line_at(offset),
                is_image,
            });
        }
        match (self.rewrite)(dest) {
            Rewrite::Keep => {}
            Rewrite::Replace(Cow::Borrowed(new_dest)) => *dest = CowStr::Borrowed(new_dest),
            Rewrite::Replace(Cow::Owned(new_dest)) => *dest = new_dest.into(),
            Rewrite::Reject(message) => self.problems.push(Problem {
                line: self.lines.line_at(offset),
                message,
            }),
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
        let id = self.ids.unique(base).to_owned();
        self.pending
            .push_back(Event::InlineHtml(anchor_html(&id).into()));
        self.pending.push_back(Event::End(TagEnd::Heading(level)));
        if self.wanted.toc {
            // HeadingLevel's discriminants are the level numbers 1 to 6.
            let heading = Heading {
                level: level as u8,
                id: id.clone(),
                title: self.heading_text.trim().to_owned(),
                children: Vec::new(),
            };
            insert_heading(&mut self.toc, heading);
        }
        id
    }

    /// Moves the events between a heading's start and end into `pending`, keeping its plain
    /// text in `heading_text`. The end event is dropped; `buffer_heading` writes its own.
    fn buffer_heading_content(&mut self) {
        self.heading_text.clear();
        while let Some(event) = self.next_in_heading() {
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
        if !self.pending.is_empty() {
            return self.pending.pop_front();
        }
        // This runs for each of a document's events (hundreds), so the common path only looks at the event:
        // events are large, and passing each one through more functions cost more than the rest of this layer.
        let (mut event, range) = self.parser.next()?;
        if self.wanted.checks {
            self.map_source(&event, range.start);
        }
        if let Some(words) = &mut self.words {
            words.observe(&event);
        }
        if needs_change(&event) {
            self.change(&mut event, range.start);
        }
        Some(event)
    }
}

/// Where a document's events come from: the parser, or the parser's events with shortcodes replaced.
#[expect(
    clippy::large_enum_variant,
    reason = "one per document, on the stack; boxing the parser would add a pointer chase to every event"
)]
enum Source<'a> {
    Parser(OffsetIter<'a>),
    Spliced(std::vec::IntoIter<splice::Spanned<'a>>),
}

impl<'a> Iterator for Source<'a> {
    type Item = splice::Spanned<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Source::Parser(parser) => parser.next(),
            Source::Spliced(events) => events.next(),
        }
    }
}

/// Whether [`DocumentEvents::change`] may change this event: a link or image start (its destination), a heading
/// start (its id) or a table event (alignment, [`table::is_mapped`]). Most events are none of these.
fn needs_change(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::Heading { .. })
    ) || table::is_mapped(event)
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

    fn line_at(&mut self, offset: usize) -> usize {
        let newlines = |bytes: &[u8]| memchr::memchr_iter(b'\n', bytes).count();
        if offset >= self.offset {
            self.line += newlines(&self.text[self.offset..offset]);
        } else {
            self.line -= newlines(&self.text[offset..self.offset]);
        }
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests;
