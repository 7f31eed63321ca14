//! Word counts: words of text a reader sees, for `page.word_count` and `page.reading_time`.

use pulldown_cmark::{Event, TagEnd};

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
pub(super) struct WordCounter {
    pub(super) count: usize,
    /// Whether the current run was already counted. It survives inline markup so that
    /// `foo*bar*` or a smart apostrophe split into separate text events is still one word.
    pub(super) in_counted_word: bool,
}

impl WordCounter {
    pub(super) fn observe(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) | Event::Code(text) => self.count_text(text),
            Event::Start(tag) if continues_word(tag.to_end()) => {}
            Event::End(tag) if continues_word(*tag) => {}
            _ => self.in_counted_word = false,
        }
    }

    pub(super) fn count_text(&mut self, text: &str) {
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
    pub(super) fn count_chars(&mut self, text: &str) {
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
