//! `readability`: the Flesch-Kincaid grade of a page's own text (the HTML its markdown became, not the theme's
//! words), with a warning above grade 8 that names the hardest sentence. Syllables are counted with the usual
//! English spelling rules (vowel groups, silent endings), close enough for a grade to one decimal.

use std::ops::RangeInclusive;

use super::html::{Document, Node};
use super::input::{Built, Input};
use super::rules::{Found, Rule};

/// The highest reading grade that passes. Health information should be at grade 8 or lower (CDC Clear
/// Communication Index; NIH plain-language guidance).
pub const MAX_GRADE: f64 = 8.0;

/// Below this many words the formula says little, so shorter pages are not graded.
const MIN_WORDS: usize = 50;

/// Elements that start and end a block of text: a sentence never runs across them.
const BLOCKS: [&str; 22] = [
    "p",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "tr",
    "table",
    "dt",
    "dd",
    "dl",
    "blockquote",
    "div",
    "figcaption",
    "caption",
    "br",
];

/// A sentence of the page with its line and counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sentence {
    pub(super) text: String,
    pub(super) line: usize,
    pub(super) words: usize,
    syllables: usize,
}

/// `readability` on every English page whose markdown is found in its built file: the grade formula is made for
/// English (Spanish pages have their own, in `spanish`).
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let english = |built: &&Built| {
        built
            .page
            .is_none_or(|i| input.site.pages[i].lang.split('-').next() == Some("en"))
    };
    input
        .pages
        .iter()
        .filter(english)
        .filter_map(|built| page(input, built))
        .collect()
}

fn page(input: &Input<'_>, built: &Built) -> Option<Found> {
    let lines = built.content.as_ref()?;
    let sentences = sentences(&built.doc, lines);
    let words: usize = sentences.iter().map(|s| s.words).sum();
    if words < MIN_WORDS {
        return None;
    }
    let syllables: usize = sentences.iter().map(|s| s.syllables).sum();
    let level = grade(words, sentences.len(), syllables);
    if level <= MAX_GRADE {
        return None;
    }
    // Short headings with long words score high on their own; a real sentence is more useful to point at.
    let long = sentences.iter().filter(|s| s.words >= 8);
    let hardest = long
        .max_by(|a, b| score(a).total_cmp(&score(b)))
        .or_else(|| {
            sentences
                .iter()
                .max_by(|a, b| score(a).total_cmp(&score(b)))
        })?;
    let message = format!(
        "this page reads at grade {level:.1} (Flesch-Kincaid); aim for {MAX_GRADE:.0} or lower so everyone can follow \
         it. Use shorter sentences and everyday words. The hardest sentence ({} words) starts here: “{}”",
        hardest.words,
        shorten(&hardest.text)
    );
    let at = input.locate(built, hardest.line, &hardest.text);
    Some(Found::new(Rule::Readability, at, message).on(built.page))
}

/// The Flesch-Kincaid grade level.
#[expect(
    clippy::cast_precision_loss,
    reason = "counts of words in a page are far below 2^52"
)]
pub(crate) fn grade(words: usize, sentences: usize, syllables: usize) -> f64 {
    let words_f = words.max(1) as f64;
    0.39 * (words_f / sentences.max(1) as f64) + 11.8 * (syllables as f64 / words_f) - 15.59
}

fn score(sentence: &Sentence) -> f64 {
    grade(sentence.words, 1, sentence.syllables)
}

fn shorten(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 12 {
        words.join(" ")
    } else {
        format!("{} …", words[..12].join(" "))
    }
}

/// The sentences of the text on `lines` of a page, leaving out code and hidden parts.
pub(crate) fn sentences(doc: &Document, lines: &RangeInclusive<usize>) -> Vec<Sentence> {
    let mut found = Vec::new();
    let mut block = String::new();
    let mut block_line = 0;
    let mut index = 0;
    while index < doc.nodes.len() {
        match &doc.nodes[index] {
            Node::Start(e)
                if matches!(e.name.as_str(), "code" | "pre" | "script" | "style")
                    || e.attr("aria-hidden") == Some("true") =>
            {
                index = doc.end_of(index);
            }
            Node::Start(e) if BLOCKS.contains(&e.name.as_str()) => {
                split(&mut block, block_line, &mut found);
            }
            Node::End(name) if BLOCKS.contains(&name.as_str()) => {
                split(&mut block, block_line, &mut found);
            }
            Node::Text(text, line) if lines.contains(line) => {
                if block.trim().is_empty() {
                    block.clear();
                    block_line = *line;
                }
                block.push_str(text);
            }
            _ => {}
        }
        index += 1;
    }
    split(&mut block, block_line, &mut found);
    found
}

/// Cut a block of text into sentences at `.`, `!` and `?` followed by a space or the end.
fn split(block: &mut String, line: usize, found: &mut Vec<Sentence>) {
    let text = std::mem::take(block);
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(offset, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|&(_, c)| c);
        let ends = matches!(c, '.' | '!' | '?')
            && next.is_none_or(|n| n.is_whitespace() || matches!(n, '”' | '"' | ')'));
        if ends || next.is_none() {
            let end = offset + c.len_utf8();
            push_sentence(
                &text[start..end],
                line + text[..start].matches('\n').count(),
                found,
            );
            start = end;
        }
    }
}

fn push_sentence(text: &str, line: usize, found: &mut Vec<Sentence>) {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    if words.is_empty() {
        return;
    }
    let leading = text.len() - text.trim_start().len();
    found.push(Sentence {
        text: text.trim().to_string(),
        line: line + text[..leading].matches('\n').count(),
        words: words.len(),
        syllables: words.iter().map(|w| syllables(w)).sum(),
    });
}

/// Syllables in one English word, by spelling: groups of vowels, less a silent final `e`, `es` or `ed`.
/// Short capitalised abbreviations (IOP, FAQ) are read letter by letter; numbers count a syllable per digit.
pub(crate) fn syllables(word: &str) -> usize {
    let letters: String = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return word
            .chars()
            .filter(char::is_ascii_digit)
            .count()
            .clamp(1, 4);
    }
    let abbreviation = letters.trim_end_matches('s');
    if abbreviation.chars().count() >= 2
        && abbreviation.chars().count() <= 4
        && abbreviation.chars().all(char::is_uppercase)
    {
        return abbreviation
            .chars()
            .map(|c| if c == 'W' { 3 } else { 1 })
            .sum();
    }
    let lower = letters.to_lowercase();
    if lower.chars().count() <= 3 {
        return 1;
    }
    vowel_groups(without_silent_ending(&lower)).max(1)
}

fn without_silent_ending(word: &str) -> &str {
    let ends = |suffix: &str| word.ends_with(suffix);
    if ends("es")
        && !["ses", "zes", "xes", "ches", "shes", "ges", "ces"]
            .iter()
            .any(|s| ends(s))
    {
        return &word[..word.len() - 2];
    }
    if ends("ed") && !ends("ted") && !ends("ded") {
        return &word[..word.len() - 2];
    }
    let consonant_le =
        ends("le") && word.len() > 2 && !is_vowel(word.as_bytes()[word.len() - 3] as char);
    if ends("e") && !ends("ee") && !ends("ye") && !consonant_le {
        return &word[..word.len() - 1];
    }
    word
}

fn vowel_groups(word: &str) -> usize {
    let mut groups = 0;
    let mut in_group = false;
    for (i, c) in word.chars().enumerate() {
        let vowel = is_vowel(c) || (c == 'y' && i > 0);
        if vowel && !in_group {
            groups += 1;
        }
        in_group = vowel;
    }
    groups
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_syllables_of_common_words() {
        let cases = [
            ("the", 1),
            ("make", 1),
            ("used", 1),
            ("reached", 1),
            ("cares", 1),
            ("free", 1),
            ("you", 1),
            ("people", 2),
            ("table", 2),
            ("wanted", 2),
            ("boxes", 2),
            ("program", 2),
            ("changes", 2),
            ("therapy", 3),
            ("intensive", 3),
            ("outpatient", 3),
            ("families", 3),
            ("recovery", 4),
            ("education", 4),
            ("emotional", 4),
            ("IOP", 3),
            ("IOPs", 3),
            ("988", 3),
            ("help,", 1),
        ];
        for (word, count) in cases {
            assert_eq!(syllables(word), count, "{word}");
        }
    }

    #[test]
    fn grades_simple_and_hard_text() {
        let doc = Document::parse("<p>We help you. You can call us. We are here for you.</p>");
        let easy = sentences(&doc, &(1..=1));
        assert_eq!(easy.len(), 3);
        let (w, s): (usize, usize) = (
            easy.iter().map(|x| x.words).sum(),
            easy.iter().map(|x| x.syllables).sum(),
        );
        assert!(grade(w, easy.len(), s) < 2.0);
        let hard = "Comprehensive multidisciplinary interventions facilitate individualized therapeutic \
                    progression notwithstanding considerable psychological vulnerability.";
        let doc = Document::parse(&format!("<p>{hard}</p>"));
        let sentence = &sentences(&doc, &(1..=1))[0];
        assert!(grade(sentence.words, 1, sentence.syllables) > 20.0);
    }

    #[test]
    fn sentences_stop_at_blocks_and_skip_code() {
        let doc = Document::parse(
            "<h2>Who it is for</h2>\n<ul>\n<li>adults</li>\n<li>teens <code>x.y</code></li>\n</ul>",
        );
        let texts: Vec<(String, usize)> = sentences(&doc, &(1..=5))
            .into_iter()
            .map(|s| (s.text, s.line))
            .collect();
        assert_eq!(
            texts,
            [
                ("Who it is for".to_string(), 1),
                ("adults".to_string(), 3),
                ("teens".to_string(), 4)
            ]
        );
    }
}
