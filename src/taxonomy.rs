//! Stage 4b: taxonomies. Reads each page's `[taxonomies]` (`tags = ["family", "Familia"]`) against the
//! taxonomies of `config.toml` and groups the pages by term. Terms that differ only in case or accents are one term
//! (`Family`, `family` and `famíly` share `/tags/family/`). Output is plain data ([`Taxonomy`], pages as indexes into
//! [`Site::pages`]); the render stage makes the `/tags/` pages and feeds from it. Every mistake names the content
//! file and the line of the taxonomy in its front matter.

use std::collections::BTreeMap;

use crate::config::TaxonomyConfig;
use crate::error::{Error, Location, Result};
use crate::site::Site;

/// The longest term accepted, in characters: a term is a short label, and its address must stay usable.
pub const MAX_TERM_CHARS: usize = 100;

/// One taxonomy of `config.toml` with its terms, in the order of their slugs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    /// As written in `config.toml`.
    pub config: TaxonomyConfig,
    /// The terms pages use, ordered by slug.
    pub terms: Vec<Term>,
}

/// One term of a taxonomy (`family` of `tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The spelling most pages use (the first one met on a tie).
    pub name: String,
    /// The last part of its address: lowercase, accents removed.
    pub slug: String,
    /// Its URL path: `/tags/family/`.
    pub path: String,
    /// Its pages (indexes into [`Site::pages`]), newest first, undated last, then by title.
    pub pages: Vec<usize>,
}

impl Taxonomy {
    /// The URL path of the taxonomy's list of terms: `/tags/`.
    pub fn path(&self) -> String {
        format!("/{}/", self.config.name)
    }
}

/// Group the site's pages by term, for every taxonomy of the config. Reports every problem, not only the first.
pub fn collect(site: &Site) -> Result<Vec<Taxonomy>> {
    let mut errors = Vec::new();
    // taxonomy → slug → (spelling → count, first page that used it, pages)
    let mut found: Vec<BTreeMap<String, Gathered>> =
        vec![BTreeMap::new(); site.config.taxonomies.len()];
    for (index, page) in site.pages.iter().enumerate() {
        let source = &page.source;
        for (name, terms) in &source.front_matter.taxonomies {
            let at = || Location::line(&source.shown, source.key_line(name));
            let Some(which) = site.config.taxonomies.iter().position(|t| t.name == *name) else {
                errors.push(Error::content(at(), unknown_taxonomy(site, name)));
                continue;
            };
            if source.is_section {
                let message = "a section page (_index.md) cannot have taxonomies: put them on the pages of the section";
                errors.push(Error::content(at(), message));
                continue;
            }
            if page.lang != site.languages.default {
                let message = "topics (taxonomies) are made for the site's main language only: remove [taxonomies] from this translated page (its original keeps them)";
                errors.push(Error::content(at(), message));
                continue;
            }
            for term in terms {
                match term_slug(term) {
                    Ok(slug) => found[which].entry(slug).or_default().add(term, index),
                    Err(message) => errors.push(Error::content(at(), message)),
                }
            }
        }
    }
    let taxonomies: Vec<Taxonomy> = site
        .config
        .taxonomies
        .iter()
        .zip(found)
        .map(|(config, terms)| taxonomy(site, config, terms))
        .collect();
    errors.extend(collisions(site, &taxonomies));
    if errors.is_empty() {
        Ok(taxonomies)
    } else {
        Err(Error::from_list(errors))
    }
}

fn unknown_taxonomy(site: &Site, name: &str) -> String {
    let known: Vec<&str> = site
        .config
        .taxonomies
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    if known.is_empty() {
        format!(
            "the taxonomy `{name}` is not in config.toml: add taxonomies = [{{ name = \"{name}\" }}] to config.toml, or remove it here"
        )
    } else {
        format!(
            "the taxonomy `{name}` is not in config.toml (it has: {}): check the spelling, or add it to `taxonomies` in config.toml",
            known.join(", ")
        )
    }
}

/// One term's spellings and pages while they are being gathered.
#[derive(Debug, Clone, Default)]
struct Gathered {
    /// Spelling → (uses, order of first use).
    spellings: BTreeMap<String, (usize, usize)>,
    pages: Vec<usize>,
}

impl Gathered {
    fn add(&mut self, term: &str, page: usize) {
        let order = self.spellings.len();
        self.spellings
            .entry(term.trim().to_string())
            .or_insert((0, order))
            .0 += 1;
        // A page that lists a term twice (`["Family", "family"]`) is in it once.
        if self.pages.last() != Some(&page) {
            self.pages.push(page);
        }
    }

    fn name(&self) -> String {
        let best =
            self.spellings
                .iter()
                .max_by(|(_, (uses_a, first_a)), (_, (uses_b, first_b))| {
                    uses_a.cmp(uses_b).then(first_b.cmp(first_a))
                });
        best.map(|(name, _)| name.clone()).unwrap_or_default()
    }
}

fn taxonomy(site: &Site, config: &TaxonomyConfig, terms: BTreeMap<String, Gathered>) -> Taxonomy {
    let terms = terms
        .into_iter()
        .map(|(slug, mut gathered)| {
            sort_newest_first(site, &mut gathered.pages);
            Term {
                name: gathered.name(),
                path: format!("/{}/{slug}/", config.name),
                slug,
                pages: gathered.pages,
            }
        })
        .collect();
    Taxonomy {
        config: config.clone(),
        terms,
    }
}

/// Newest first by `date`, undated pages last, then by title.
pub fn sort_newest_first(site: &Site, pages: &mut [usize]) {
    let fm = |i: usize| &site.pages[i].source.front_matter;
    pages.sort_by(|&a, &b| {
        fm(b).date.cmp(&fm(a).date).then_with(|| {
            site.pages[a]
                .source
                .title()
                .cmp(site.pages[b].source.title())
        })
    });
}

/// A term's slug: accents removed, lowercase, words joined by `-`. An error when nothing usable is left.
pub fn term_slug(term: &str) -> std::result::Result<String, String> {
    let shown: String = term.chars().take(40).collect();
    if term.chars().count() > MAX_TERM_CHARS {
        return Err(format!(
            "the term `{shown}…` is longer than {MAX_TERM_CHARS} characters: a term is a short label such as \"family\""
        ));
    }
    let folded: String = term.chars().map(fold_accent).collect();
    if !folded.chars().any(char::is_alphanumeric) {
        return Err(format!(
            "the term `{}` has no letters or digits, so it cannot become an address: write a word such as \"family\"",
            term.escape_debug()
        ));
    }
    Ok(crate::markdown::slugify(&folded))
}

/// A Latin letter without its accent (`é` → `e`, `ñ` → `n`, `Ü` → `U`); other characters unchanged. Enough for
/// English and Spanish terms; letters of other scripts stay as they are.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => 'A',
        'ç' | 'ć' | 'č' => 'c',
        'Ç' | 'Ć' | 'Č' => 'C',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => 'E',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' => 'I',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => 'O',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' | 'Ÿ' => 'Y',
        'ś' | 'š' => 's',
        'Ś' | 'Š' => 'S',
        'ź' | 'ż' | 'ž' => 'z',
        'Ź' | 'Ż' | 'Ž' => 'Z',
        _ => c,
    }
}

/// Taxonomy addresses that a content page has already.
fn collisions(site: &Site, taxonomies: &[Taxonomy]) -> Vec<Error> {
    let by_path: ahash::AHashMap<&str, usize> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.path.as_str(), i))
        .collect();
    let mut errors = Vec::new();
    for taxonomy in taxonomies {
        let list = taxonomy.path();
        if let Some(&index) = by_path.get(list.as_str()) {
            let page = &site.pages[index].source;
            let message = format!(
                "this page has the address {list}, which the taxonomy `{}` of config.toml needs for its list of terms: rename the file or set a `slug`",
                taxonomy.config.name
            );
            errors.push(Error::content(Location::file(&page.shown), message));
        }
        for term in &taxonomy.terms {
            if let Some(&index) = by_path.get(term.path.as_str()) {
                // The first file (in file order) that uses the term.
                let first =
                    &site.pages[term.pages.iter().copied().min().unwrap_or_default()].source;
                let at = Location::line(&first.shown, first.key_line(&taxonomy.config.name));
                let message = format!(
                    "the term `{}` makes the address {}, which {} has already: use another term, or change that page's file name or `slug`",
                    term.name,
                    term.path,
                    site.pages[index].source.shown.display()
                );
                errors.push(Error::content(at, message));
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_make_one_slug() {
        for term in ["Family", "family", "FAMÍLY", " famíly "] {
            assert_eq!(term_slug(term).unwrap(), "family", "{term}");
        }
        assert_eq!(term_slug("Salud mental").unwrap(), "salud-mental");
        assert_eq!(
            term_slug("Niños y adolescentes").unwrap(),
            "ninos-y-adolescentes"
        );
        assert_eq!(term_slug("IOP/PHP").unwrap(), "iopphp");
    }

    #[test]
    fn hostile_terms_are_clear_errors() {
        for term in ["", "   ", "!!!", "—", "\u{0}", "../..", "\u{202e}"] {
            let message = term_slug(term).unwrap_err();
            assert!(
                message.contains("no letters or digits"),
                "{term:?}: {message}"
            );
        }
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert!(term_slug(&long).unwrap_err().contains("longer than"));
        // A long term of many-byte characters is measured in characters and cut on a character boundary.
        let long = "é".repeat(MAX_TERM_CHARS * 3);
        assert!(term_slug(&long).unwrap_err().contains("longer than"));
    }

    #[test]
    fn the_most_used_spelling_names_the_term() {
        let mut gathered = Gathered::default();
        gathered.add("family", 0);
        gathered.add("Family", 1);
        gathered.add("Family", 2);
        gathered.add("Family", 2);
        assert_eq!(gathered.name(), "Family");
        assert_eq!(gathered.pages, [0, 1, 2]);
        let mut tie = Gathered::default();
        tie.add("Familia", 0);
        tie.add("familia", 1);
        assert_eq!(tie.name(), "Familia");
    }
}
