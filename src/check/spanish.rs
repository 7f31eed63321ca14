//! Rules for pages in Spanish (`es`, `es-MX`, …): `readability` with a Spanish formula, and the Spanish word lists of
//! `claims` and `person-first`. The English grade formula and syllable rules mean nothing for Spanish, so
//! `readability` leaves Spanish pages to this module.
//!
//! The formula is the Szigriszt-Pazos perspicuity index, read on the INFLESZ scale: P = 206.835 − 62.3 × syllables
//! per word − words per sentence (F. Szigriszt-Pazos, "Sistemas predictivos de legibilidad del mensaje escrito:
//! fórmula de perspicuidad", Universidad Complutense de Madrid, 1993). The INFLESZ bands (I. M. Barrio-Cantalejo et
//! al., "Validación de la Escala INFLESZ para evaluar la legibilidad de los textos dirigidos a pacientes", An Sist
//! Sanit Navar 2008;31(2):135-152): below 40 very hard, 40-55 somewhat hard, 55-65 normal, 65-80 fairly easy, above
//! 80 very easy; health information for patients should score above 55. A page below 55 gets a warning that gives
//! 65 ("fairly easy") as the aim.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use super::html::Document;
use super::input::{Built, Input};
use super::readability::{Sentence, sentences};
use super::rules::{Found, Rule};
use super::words::{self, Entry, Matcher};
use crate::error::Location;

/// Below this, a Spanish page is hard for patients to read (INFLESZ "somewhat hard").
pub const INFLESZ_FLOOR: f64 = 55.0;
/// The aim: INFLESZ "fairly easy".
pub const INFLESZ_AIM: f64 = 65.0;
/// Below this many words the formula says little.
const MIN_WORDS: usize = 50;

/// Spanish claims health regulators object to, as in the English list (`words::CLAIMS`).
const CLAIMS: [Entry; 4] = [
    Entry {
        forms: &[
            "cura",
            "curas",
            "curar",
            "curamos",
            "curan",
            "curará",
            "curación",
            "curable",
            "curado",
            "curada",
        ],
        advice: "promises a cure: addiction and mental health conditions are treated and managed, not cured. Say \
                 what treatment helps with, e.g. “le ayuda a manejar las ganas de consumir”",
    },
    Entry {
        forms: &[
            "garantizado",
            "garantizada",
            "garantizados",
            "garantizadas",
            "garantizamos",
            "garantía",
            "garantías",
            "garantiza",
        ],
        advice: "promises a result no treatment can guarantee: describe what the program offers instead",
    },
    Entry {
        forms: &[
            "100% de éxito",
            "100 % de éxito",
            "éxito total",
            "100% eficaz",
            "100 % eficaz",
            "100% confidencial",
            "100 % confidencial",
            "totalmente confidencial",
            "completamente confidencial",
            "totalmente anónimo",
            "100% anónimo",
        ],
        advice: "promises a success rate or a privacy no provider can give: remove it, or say “privado” and link to \
                 the privacy page",
    },
    Entry {
        forms: &[
            "milagro",
            "milagros",
            "milagroso",
            "milagrosa",
            "sin riesgo",
            "sin riesgos",
        ],
        advice: "overpromises: describe what the program does in plain, modest words",
    },
];

/// Stigmatizing Spanish terms and the person-first words to use: the terms of NIDA's "Words Matter" (see
/// `words::PERSON_FIRST`) in the forms Spanish-language health writing in the US uses for them.
const PERSON_FIRST: [Entry; 6] = [
    Entry {
        forms: &[
            "exadicto",
            "exadicta",
            "exadictos",
            "exadictas",
            "ex adicto",
            "ex adicta",
            "ex adictos",
        ],
        advice: "say “persona en recuperación”",
    },
    Entry {
        forms: &[
            "adicto",
            "adicta",
            "adictos",
            "adictas",
            "drogadicto",
            "drogadicta",
            "drogadictos",
            "drogadictas",
            "toxicómano",
            "toxicómana",
            "toxicómanos",
            "vicioso",
            "viciosos",
            "drogata",
            "drogatas",
            "tecato",
            "tecatos",
        ],
        advice: "say “persona con un trastorno por consumo de sustancias”",
    },
    Entry {
        forms: &[
            "alcohólico",
            "alcohólica",
            "alcohólicos",
            "alcohólicas",
            "borracho",
            "borracha",
            "borrachos",
            "borrachas",
        ],
        advice: "say “persona con un trastorno por consumo de alcohol”",
    },
    Entry {
        forms: &[
            "abuso de sustancias",
            "abuso de drogas",
            "abuso de alcohol",
            "abusador de sustancias",
            "abusadores de sustancias",
        ],
        advice: "say “consumo de sustancias” (or “trastorno por consumo de sustancias” for the illness)",
    },
    Entry {
        forms: &["vicio", "vicios", "drogadicción"],
        advice: "say “trastorno por consumo de sustancias” (“vicio” suggests a moral failing)",
    },
    Entry {
        forms: &[
            "estar limpio",
            "estar limpia",
            "mantenerse limpio",
            "mantenerse limpia",
            "prueba limpia",
            "prueba sucia",
            "salió limpio",
            "salió sucio",
        ],
        advice: "say “en recuperación”, or “resultado negativo” / “resultado positivo” for drug tests",
    },
];

static MATCHER: LazyLock<Matcher> = LazyLock::new(|| {
    words::matcher(&[
        (Rule::Claims, &CLAIMS[..]),
        (Rule::PersonFirst, &PERSON_FIRST[..]),
    ])
});

/// Whether a language code is Spanish.
fn is_spanish(lang: &str) -> bool {
    lang.split('-').next() == Some("es")
}

/// `readability`, `claims` and `person-first` on every Spanish page.
pub(crate) fn check(input: &Input<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    let spanish = input.pages.iter().filter(|built| {
        !built.is_redirect()
            && built
                .page
                .is_some_and(|i| is_spanish(&input.site.pages[i].lang))
    });
    for built in spanish {
        found.extend(readability(input, built));
        found.extend(word_rules(input, built));
    }
    found
}

fn word_rules(input: &Input<'_>, built: &Built) -> Vec<Found> {
    let mut found = Vec::new();
    for (text, line) in words::readable_text(&built.doc) {
        for hit in words::scan_with(&MATCHER, &text) {
            let line = line + text[..hit.offset].matches('\n').count();
            let at = words::locate(input, built, line, &text, &hit);
            found.push(Found::new(hit.rule, at, hit.message).on(built.page));
        }
    }
    if let Some(index) = built.page {
        let source = &input.site.pages[index].source;
        let fm = &source.front_matter;
        for (key, value) in [("title", &fm.title), ("description", &fm.description)] {
            for hit in words::scan_with(&MATCHER, value.as_deref().unwrap_or_default()) {
                let at = Location::line(&source.shown, source.key_line(key));
                found.push(Found::new(hit.rule, at, hit.message).on(Some(index)));
            }
        }
    }
    found
}

/// The INFLESZ score of the text on `lines` of a built page; `None` below [`MIN_WORDS`] words.
fn score(doc: &Document, lines: &RangeInclusive<usize>) -> Option<f64> {
    let sentences = sentences(doc, lines);
    let words: usize = sentences.iter().map(|s| s.words).sum();
    let syllables: usize = sentences.iter().map(|s| sentence_syllables(&s.text)).sum();
    (words >= MIN_WORDS).then(|| inflesz(words, sentences.len(), syllables))
}

/// The INFLESZ score of the text of an HTML fragment (a page's rendered markdown), as `iopsite check` computes it;
/// `None` below 50 words. For tests and tools.
pub fn score_html(html: &str) -> Option<f64> {
    score(&Document::parse(html), &(0..=usize::MAX))
}

fn readability(input: &Input<'_>, built: &Built) -> Option<Found> {
    let lines = built.content.as_ref()?;
    let score = score(&built.doc, lines)?;
    if score >= INFLESZ_FLOOR {
        return None;
    }
    let sentences = sentences(&built.doc, lines);
    let hardest = sentences
        .iter()
        .filter(|s| s.words >= 8)
        .min_by(|a, b| sentence_score(a).total_cmp(&sentence_score(b)))
        .or_else(|| sentences.first())?;
    let start = hardest
        .text
        .split_whitespace()
        .take(12)
        .collect::<Vec<_>>()
        .join(" ");
    let message = format!(
        "this Spanish page scores {score:.0} on the INFLESZ scale (Szigriszt-Pazos): below {INFLESZ_FLOOR:.0} is hard \
         for patients to read; aim for {INFLESZ_AIM:.0} (“fairly easy”). Use shorter sentences and shorter, everyday \
         words. The hardest sentence ({} words) starts here: “{start}”",
        hardest.words
    );
    let at = input.locate(built, hardest.line, &hardest.text);
    Some(Found::new(Rule::Readability, at, message).on(built.page))
}

/// The Szigriszt-Pazos perspicuity index (INFLESZ scale).
#[expect(
    clippy::cast_precision_loss,
    reason = "counts of words in a page are far below 2^52"
)]
pub(crate) fn inflesz(words: usize, sentences: usize, syllables: usize) -> f64 {
    let words_f = words.max(1) as f64;
    206.835 - 62.3 * (syllables as f64 / words_f) - words_f / sentences.max(1) as f64
}

fn sentence_score(sentence: &Sentence) -> f64 {
    inflesz(sentence.words, 1, sentence_syllables(&sentence.text))
}

fn sentence_syllables(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(syllables)
        .sum()
}

/// Syllables in one Spanish word: one per vowel nucleus. Weak vowels (i, u, ü, and y at the end of a word) join the
/// vowels beside them (diphthongs: "cuidado", "muy"); two strong vowels (a, e, o, or an accented í or ú) are two
/// syllables (hiatus: "leer", "día"). Numbers count a syllable per digit, up to four.
pub(crate) fn syllables(word: &str) -> usize {
    let letters: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if letters.is_empty() {
        return word
            .chars()
            .filter(char::is_ascii_digit)
            .count()
            .clamp(1, 4);
    }
    let strong = |c: char| "aeoáéóíú".contains(c);
    let last = letters.len() - 1;
    let weak = |i: usize, c: char| "iuü".contains(c) || (c == 'y' && i == last);
    let mut count = 0;
    let mut previous: Option<char> = None;
    for (i, &c) in letters.iter().enumerate() {
        if strong(c) || weak(i, c) {
            let joins = previous.is_some_and(|p| !(strong(p) && strong(c)));
            if !joins {
                count += 1;
            }
            previous = Some(c);
        } else {
            previous = None;
        }
    }
    count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_spanish_syllables() {
        let cases = [
            ("casa", 2),
            ("programa", 3),
            ("tratamiento", 4),
            ("cuidado", 3),
            ("muy", 1),
            ("y", 1),
            ("hoy", 1),
            ("día", 2),
            ("leer", 2),
            ("ciudad", 2),
            ("recuperación", 5),
            ("qué", 1),
            ("adicción", 3),
            ("988", 3),
        ];
        for (word, expected) in cases {
            assert_eq!(syllables(word), expected, "{word}");
        }
    }

    #[test]
    fn inflesz_follows_szigriszt_pazos() {
        // 100 words, 10 sentences, 200 syllables: 206.835 - 124.6 - 10.
        assert!((inflesz(100, 10, 200) - 72.235).abs() < 1e-9);
        assert!(inflesz(100, 2, 280) < INFLESZ_FLOOR);
    }

    fn words(text: &str) -> Vec<(&'static str, String)> {
        words::scan_with(&MATCHER, text)
            .into_iter()
            .map(|h| (h.rule.name(), h.words))
            .collect()
    }

    #[test]
    fn finds_spanish_claims_and_labels() {
        assert_eq!(
            words("Un exadicto nos dijo: los adictos se curan. Éxito garantizado."),
            [
                ("person-first", "exadicto".to_string()),
                ("person-first", "adictos".to_string()),
                ("claims", "curan".to_string()),
                ("claims", "garantizado".to_string()),
            ]
        );
        assert_eq!(
            words("La adicción se trata, sin cura prometida."),
            [("claims", "cura".to_string())]
        );
        assert!(words("Trastorno por consumo de sustancias; recuperación; adicción.").is_empty());
    }
}
