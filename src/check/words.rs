//! Word rules, on the text visitors read (page text, titles and descriptions, the theme's and config's words):
//! `claims` (promises health regulators object to) and `person-first` (labels that stigmatize people who use
//! substances, with the words to use instead). Both lists are tables here, so changing one is a one-line edit.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::html::{Document, Node};
use super::input::{Built, Input};
use super::rules::{Found, Rule};
use crate::error::Location;

/// One entry of a word list: the forms to look for, and what to say.
pub(super) struct Entry {
    pub(super) forms: &'static [&'static str],
    pub(super) advice: &'static str,
}

/// Claims the FTC and state health regulators treat as deceptive in addiction-treatment marketing (see the FTC's
/// "Health Products Compliance Guidance", 2022, and the Opioid Addiction Recovery Fraud Prevention Act of 2018).
const CLAIMS: [Entry; 5] = [
    Entry {
        forms: &["cure", "cures", "cured", "curing", "curable"],
        advice: "promises a cure: addiction and mental health conditions are treated and managed, not cured. Say what \
                 treatment helps with, e.g. “helps you manage cravings”",
    },
    Entry {
        forms: &["guaranteed", "guarantee", "guarantees"],
        advice: "promises a result no treatment can guarantee: describe what the program offers instead",
    },
    Entry {
        forms: &[
            "100% success",
            "100 percent success",
            "100% effective",
            "100 percent effective",
            "success rate of 100%",
        ],
        advice: "claims a success rate no program has: remove it, or give a real figure with its source",
    },
    Entry {
        forms: &[
            "100% confidential",
            "100 percent confidential",
            "completely confidential",
            "totally confidential",
            "100% anonymous",
            "completely anonymous",
        ],
        advice: "promises more privacy than any provider can give (the law requires some disclosures, e.g. to prevent \
                 harm): say “private” and link to the privacy page",
    },
    Entry {
        forms: &["miracle", "miraculous", "risk-free", "risk free"],
        advice: "overpromises: describe what the program does in plain, modest words",
    },
];

/// Stigmatizing terms and the person-first language to use. Source: National Institute on Drug Abuse (NIDA),
/// "Words Matter: Preferred Language for Talking About Addiction" (terms to avoid, terms to use), 2021,
/// <https://nida.nih.gov/research-topics/addiction-science/words-matter-preferred-language-talking-about-addiction>.
/// "Relapse" is not on the list.
const PERSON_FIRST: [Entry; 12] = [
    Entry {
        forms: &[
            "former addict",
            "former addicts",
            "reformed addict",
            "recovering addict",
            "ex-addict",
            "ex-addicts",
        ],
        advice: "say “person in recovery” or “person in long-term recovery”",
    },
    Entry {
        forms: &["addict", "addicts"],
        advice: "say “person with a substance use disorder”",
    },
    Entry {
        forms: &[
            "substance abuser",
            "substance abusers",
            "drug abuser",
            "drug abusers",
            "abuser",
            "abusers",
        ],
        advice: "say “person who uses drugs” or “person with a substance use disorder”",
    },
    Entry {
        forms: &["substance abuse", "drug abuse"],
        advice: "say “substance use” (or “substance use disorder” for the illness)",
    },
    Entry {
        forms: &["alcohol abuse", "alcohol abuser", "alcohol abusers"],
        advice: "say “alcohol misuse” or “alcohol use disorder”",
    },
    Entry {
        forms: &["alcoholic", "alcoholics", "drunks"],
        advice: "say “person with an alcohol use disorder”",
    },
    Entry {
        forms: &[
            "junkie",
            "junkies",
            "druggie",
            "druggies",
            "crackhead",
            "crackheads",
            "pothead",
            "potheads",
            "dope fiend",
            "stoner",
            "stoners",
            "tweaker",
            "tweakers",
            "drug user",
            "drug users",
        ],
        advice: "say “person who uses drugs”",
    },
    Entry {
        forms: &["drug habit", "drinking habit"],
        advice: "say “substance use disorder” (“habit” suggests a choice someone could simply stop)",
    },
    Entry {
        forms: &[
            "clean test",
            "clean tests",
            "clean drug test",
            "clean urine",
            "clean screen",
            "dirty test",
            "dirty tests",
            "dirty drug test",
            "dirty urine",
            "dirty screen",
            "tested dirty",
            "tests dirty",
            "came back dirty",
            "came back clean",
            "tested clean",
        ],
        advice: "say “testing negative” or “testing positive” for drug tests",
    },
    Entry {
        forms: &[
            "stay clean",
            "stays clean",
            "staying clean",
            "stayed clean",
            "get clean",
            "gets clean",
            "getting clean",
            "got clean",
            "being clean",
            "clean and sober",
            "clean time",
        ],
        advice: "say “in recovery”, “not using drugs” or “abstinent”",
    },
    Entry {
        forms: &["addicted baby", "addicted babies", "born addicted"],
        advice: "say “baby born with neonatal opioid withdrawal syndrome” or “baby born to a mother who used drugs”",
    },
    Entry {
        forms: &[
            "opioid replacement",
            "replacement therapy",
            "opioid substitution",
            "medication-assisted treatment",
        ],
        advice: "say “medication for opioid use disorder (MOUD)” or “opioid agonist therapy”",
    },
];

/// A word-list match: where it starts in the text, the words as written, the rule and the advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) offset: usize,
    pub(crate) words: String,
    pub(crate) rule: Rule,
    pub(crate) message: String,
}

/// Every form of both lists in one automaton, with the rule and entry each belongs to.
pub(super) struct Matcher {
    automaton: AhoCorasick,
    forms: Vec<(Rule, &'static Entry)>,
}

static MATCHER: LazyLock<Matcher> = LazyLock::new(|| {
    matcher(&[
        (Rule::Claims, &CLAIMS[..]),
        (Rule::PersonFirst, &PERSON_FIRST[..]),
    ])
});

/// One automaton for word lists of `claims` and `person-first`.
pub(super) fn matcher(lists: &[(Rule, &'static [Entry])]) -> Matcher {
    let mut patterns = Vec::new();
    let mut forms = Vec::new();
    for &(rule, list) in lists {
        for entry in list {
            for form in entry.forms {
                patterns.push(*form);
                forms.push((rule, entry));
            }
        }
    }
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(patterns)
        .expect("the word lists are valid patterns");
    Matcher { automaton, forms }
}

/// Every claim and stigmatizing term in `text` (whole words, any case). Where forms overlap, the longest wins, so
/// "former addict" is reported once, not also as "addict".
pub(crate) fn scan(text: &str) -> Vec<Hit> {
    scan_with(&MATCHER, text)
}

/// [`scan`] with another word list (the Spanish one, in `spanish`).
pub(super) fn scan_with(matcher: &Matcher, text: &str) -> Vec<Hit> {
    let mut found: Vec<(usize, usize, usize)> = matcher
        .automaton
        .find_overlapping_iter(text)
        .filter(|m| whole_word(text, m.start(), m.end()))
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .collect();
    found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut hits: Vec<Hit> = Vec::new();
    let mut covered = 0;
    for (start, end, pattern) in found {
        if start < covered {
            continue;
        }
        covered = end;
        let (rule, entry) = matcher.forms[pattern];
        let words = text[start..end].to_string();
        let message = match rule {
            Rule::Claims => format!("“{words}” {}", entry.advice),
            _ => format!(
                "“{words}” is a label that stigmatizes people: {} (NIDA, “Words Matter”)",
                entry.advice
            ),
        };
        hits.push(Hit {
            offset: start,
            words,
            rule,
            message,
        });
    }
    hits
}

fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    before.is_none_or(|c| !is_word(c)) && after.is_none_or(|c| !is_word(c))
}

/// `claims` and `person-first` on the readable text of every built page, and on every title and description.
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    for built in input.pages.iter().filter(|b| !b.is_redirect()) {
        for (text, line) in readable_text(&built.doc) {
            for hit in scan(&text) {
                let line = line + text[..hit.offset].matches('\n').count();
                let at = locate(input, built, line, &text, &hit);
                found.push(Found::new(hit.rule, at, hit.message).on(built.page));
            }
        }
    }
    for (index, page) in input.site.pages.iter().enumerate() {
        let fm = &page.source.front_matter;
        for (key, value) in [("title", &fm.title), ("description", &fm.description)] {
            for hit in scan(value.as_deref().unwrap_or_default()) {
                let at = Location::line(&page.source.shown, page.source.key_line(key));
                found.push(Found::new(hit.rule, at, hit.message).on(Some(index)));
            }
        }
    }
    found
}

/// Where to report a hit: the markdown line for page text, else the source holding the sentence, else the built file.
pub(super) fn locate(
    input: &Input<'_>,
    built: &Built,
    line: usize,
    text: &str,
    hit: &Hit,
) -> Location {
    let in_content = built
        .content
        .as_ref()
        .is_some_and(|lines| lines.contains(&line));
    if in_content || input.find(built.page, text).is_some() {
        return input.locate(built, line, text);
    }
    let sentence = text[..hit.offset]
        .rfind(['.', '!', '?', '\n'])
        .map_or(0, |i| i + 1);
    let end = text[hit.offset..]
        .find(['.', '!', '?', '\n'])
        .map_or(text.len(), |i| hit.offset + i);
    input.locate(built, line, &text[sentence..end])
}

/// Text nodes a visitor reads, with their lines: not scripts, styles, code, the `<title>` (made from the page title,
/// checked at its source) or anything hidden with `aria-hidden`.
pub(crate) fn readable_text(doc: &Document) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut index = 0;
    while index < doc.nodes.len() {
        match &doc.nodes[index] {
            Node::Start(e)
                if matches!(
                    e.name.as_str(),
                    "script" | "style" | "code" | "pre" | "title" | "template"
                ) || e.attr("aria-hidden") == Some("true") =>
            {
                index = doc.end_of(index);
            }
            Node::Text(text, line) if !text.trim().is_empty() => found.push((text.clone(), *line)),
            _ => {}
        }
        index += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(&'static str, String)> {
        scan(text)
            .into_iter()
            .map(|h| (h.rule.name(), h.words))
            .collect()
    }

    #[test]
    fn finds_whole_words_any_case_longest_first() {
        assert_eq!(
            words("A Former Addict told us: addicts can be cured."),
            [
                ("person-first", "Former Addict".to_string()),
                ("person-first", "addicts".to_string()),
                ("claims", "cured".to_string()),
            ]
        );
    }

    #[test]
    fn leaves_look_alikes_alone() {
        assert!(
            words("Addiction is treatable. Keep your data secure; relapse is part of recovery.")
                .is_empty()
        );
        assert!(words("a clean room, a dirty dish").is_empty());
    }
}
