//! How `check` reads a built HTML file: html5ever's tokenizer (the browser-grade one Servo uses) turns it into a
//! flat list of start tags, end tags and text, each with its line in the file and with entities decoded. The rules
//! walk this list; nothing here judges the page.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// A start tag with its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    /// Lowercase tag name.
    pub(crate) name: String,
    /// Attributes in order, names lowercase, values decoded.
    pub(crate) attrs: Vec<(String, String)>,
    /// 1-based line of the tag's end (`>`) in the file.
    pub(crate) line: usize,
}

impl Element {
    /// The value of an attribute, if present.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// `<name …>`
    Start(Element),
    /// `</name>`
    End(String),
    /// Text (a run of characters, entities decoded) and the 1-based line it starts on.
    Text(String, usize),
}

/// A parsed HTML file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Document {
    /// The file's tags and text, in order.
    pub(crate) nodes: Vec<Node>,
}

impl Document {
    /// Tokenize an HTML file.
    pub(crate) fn parse(html: &str) -> Document {
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(html));
        let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
        // A sink that never asks to run a script is never paused, so one feed reads everything.
        let _ = tokenizer.feed(&input);
        tokenizer.end();
        Document {
            nodes: tokenizer.sink.nodes.into_inner(),
        }
    }

    /// Every start tag with its index in [`Document::nodes`].
    pub(crate) fn elements(&self) -> impl Iterator<Item = (usize, &Element)> {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(index, node)| match node {
                Node::Start(element) => Some((index, element)),
                _ => None,
            })
    }

    /// The index of the end tag closing the element that starts at `start`, or the end of the document.
    pub(crate) fn end_of(&self, start: usize) -> usize {
        let Some(Node::Start(element)) = self.nodes.get(start) else {
            return start;
        };
        if is_void(&element.name) {
            return start;
        }
        let mut depth = 0usize;
        for (index, node) in self.nodes.iter().enumerate().skip(start + 1) {
            match node {
                Node::Start(inner) if inner.name == element.name => depth += 1,
                Node::End(name) if *name == element.name => {
                    if depth == 0 {
                        return index;
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
        self.nodes.len()
    }

    /// The text a reader or screen reader gets from an element: its text and the `alt` of its images, with
    /// spaces collapsed. Elements hidden with `aria-hidden="true"` are left out.
    pub(crate) fn text_of(&self, start: usize) -> String {
        let end = self.end_of(start);
        let mut text = String::new();
        let mut index = start + 1;
        while index < end {
            match &self.nodes[index] {
                Node::Start(inner) if inner.attr("aria-hidden") == Some("true") => {
                    index = self.end_of(index);
                }
                Node::Start(inner) if inner.name == "img" => {
                    text.push(' ');
                    text.push_str(inner.attr("alt").unwrap_or_default());
                }
                Node::Text(piece, _) => text.push_str(piece),
                _ => {}
            }
            index += 1;
        }
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Elements that never have an end tag.
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Collects tokens into nodes, switching the tokenizer into raw text inside `<script>`, `<style>` and the like,
/// as the tree builder of a browser would.
#[derive(Default)]
struct Sink {
    nodes: RefCell<Vec<Node>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let line = usize::try_from(line_number).unwrap_or(usize::MAX);
        let mut nodes = self.nodes.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let name = tag.name.to_string();
                let attrs = tag
                    .attrs
                    .iter()
                    .map(|attr| (attr.name.local.to_string(), attr.value.to_string()))
                    .collect();
                let raw = raw_kind(&name);
                nodes.push(Node::Start(Element { name, attrs, line }));
                if let Some(kind) = raw.filter(|_| !tag.self_closing) {
                    return TokenSinkResult::RawData(kind);
                }
            }
            Token::TagToken(tag) => nodes.push(Node::End(tag.name.to_string())),
            Token::CharacterTokens(text) => match nodes.last_mut() {
                Some(Node::Text(previous, _)) => previous.push_str(&text),
                // The tokenizer gives the line after the characters were read: count back over their newlines.
                _ => nodes.push(Node::Text(
                    text.to_string(),
                    line.saturating_sub(text.matches('\n').count()).max(1),
                )),
            },
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Elements whose content is raw text, not markup.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Rawtext),
        "title" | "textarea" => Some(RawKind::Rcdata),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_text_and_lines_with_entities_decoded() {
        let doc = Document::parse("<p>\nA &amp; B <a href=\"/x?a=1&amp;b=2\">link</a></p>");
        assert_eq!(doc.nodes[1], Node::Text("\nA & B ".into(), 1));
        let Node::Start(link) = &doc.nodes[2] else {
            panic!("{:?}", doc.nodes)
        };
        assert_eq!((link.attr("href"), link.line), (Some("/x?a=1&b=2"), 2));
        assert_eq!(doc.text_of(2), "link");
    }

    #[test]
    fn script_is_raw_text() {
        let doc = Document::parse("<script>if (a < b) { gtag('x') }</script><p>after</p>");
        assert_eq!(
            doc.nodes[1],
            Node::Text("if (a < b) { gtag('x') }".into(), 1)
        );
        assert_eq!(doc.nodes[2], Node::End("script".into()));
    }

    #[test]
    fn text_of_uses_alt_and_skips_hidden_parts() {
        let doc = Document::parse(
            "<a href=x><img src=i alt=\"Our logo\"> Home <span aria-hidden=\"true\">#</span></a>",
        );
        assert_eq!(doc.text_of(0), "Our logo Home");
    }
}
