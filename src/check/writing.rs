//! Part of stage 9, for `serve`: `check` while writing. After a rebuild, the rules of `iopsite check` that are
//! about one page's own writing ([`WRITING_RULES`]) run on the pages a save changed, reading their built files in
//! the preview folder; nothing is built or written here. Input: the site as the last good build read it (every
//! page's markdown in its source), the preview folder and the list of its files. Output: each page's findings,
//! placed as `iopsite check` places them (the markdown line), with the page's `[check]` settings and the site's
//! applied. Site-wide rules (crisis lines, other hosts, trackers, images, reviews) stay with `iopsite check`.

use std::collections::HashSet;
use std::path::Path;

use walkdir::WalkDir;

use super::input::{Input, output_of};
use super::rules::{Found, Rule};
use super::{Diagnostic, finish, front, links, page, readability, words};
use crate::error::Result;
use crate::markdown::{Rendered, Wanted};
use crate::site::{Links, Site};

/// The rules that run while writing: what one page's text, links, headings, images and description can get wrong.
pub const WRITING_RULES: [Rule; 8] = [
    Rule::Readability,
    Rule::PersonFirst,
    Rule::Claims,
    Rule::LinkText,
    Rule::Headings,
    Rule::ImageAlt,
    Rule::BrokenLink,
    Rule::Description,
];

/// What the writing rules found on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFindings {
    /// The page's markdown file: `content/faq.md`.
    pub file: String,
    /// Its URL path: `/faq/`.
    pub path: String,
    /// What was found, sorted by line.
    pub findings: Vec<Diagnostic>,
}

/// Every file of a built site, relative to its folder with `/` separators (what broken links are checked against).
pub fn output_files(out: &Path) -> HashSet<String> {
    WalkDir::new(out)
        .into_iter()
        .filter_map(std::result::Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| crate::content::relative_path(out, entry.path()))
        .collect()
}

/// Run the [`WRITING_RULES`] on the pages made from `files` (`content/faq.md`; others are skipped), as built into
/// `out`. `site`: as the build read it, every page's markdown body in its source; it is left as it was.
#[expect(
    clippy::implicit_hasher,
    reason = "the set becomes the check's own input, which uses the default hasher"
)]
pub fn check_pages(
    root: &Path,
    site: &mut Site,
    out: &Path,
    files: &[String],
    built: HashSet<String>,
) -> Result<Vec<PageFindings>> {
    let indexes: Vec<usize> = files
        .iter()
        .filter_map(|file| file.strip_prefix("content/"))
        .filter_map(|file| site.by_file.get(file).copied())
        .collect();
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    // The source map and the links that name no heading: what `check` renders the markdown with.
    let wanted = Wanted {
        word_count: false,
        toc: false,
        checks: true,
    };
    let links = Links::new(site, &[]);
    let rendered: Vec<Rendered> = indexes
        .iter()
        .map(|&i| links.render(&site.pages[i], &site.pages[i].source.body, wanted))
        .collect();
    for (&i, rendered) in indexes.iter().zip(rendered) {
        site.pages[i].rendered = rendered;
    }
    // The other pages' bodies are set aside, so the rules that read every page's markdown read only these.
    let others: Vec<(usize, String)> = (0..site.pages.len())
        .filter(|i| !indexes.contains(i))
        .map(|i| (i, std::mem::take(&mut site.pages[i].source.body)))
        .collect();
    let found = run(root, site, out, &indexes, built);
    for (i, body) in others {
        site.pages[i].source.body = body;
    }
    for &i in &indexes {
        site.pages[i].rendered = Rendered::default();
    }
    let diagnostics = found?;
    Ok(indexes
        .iter()
        .map(|&i| by_page(site, i, &diagnostics))
        .collect())
}

/// The rules themselves, on the pages `indexes` with their markdown rendered.
fn run(
    root: &Path,
    site: &Site,
    out: &Path,
    indexes: &[usize],
    built: HashSet<String>,
) -> Result<Vec<Diagnostic>> {
    let input = Input::for_pages(root, site, out, indexes, built)?;
    let (silenced, _) = front::silenced(&input);
    let today = jiff::Zoned::now().date();
    let mut found: Vec<Found> = front::check(&input, today);
    found.extend(links::check(&input));
    found.extend(page::check(&input));
    found.extend(words::check(&input));
    found.extend(readability::check(&input));
    let shown: Vec<&Path> = indexes
        .iter()
        .map(|&i| site.pages[i].source.shown.as_path())
        .collect();
    found.retain(|f| {
        WRITING_RULES.contains(&f.rule)
            && (f.page.is_some_and(|page| indexes.contains(&page))
                || shown.contains(&f.at.path.as_path()))
    });
    Ok(finish(found, &silenced, site, false))
}

/// The findings of page `index`: at its markdown file, or at its built file when only that shows the problem.
fn by_page(site: &Site, index: usize, diagnostics: &[Diagnostic]) -> PageFindings {
    let page = &site.pages[index];
    let built = Path::new("public").join(output_of(page));
    PageFindings {
        file: page.source.shown.display().to_string(),
        path: page.source.path.clone(),
        findings: diagnostics
            .iter()
            .filter(|d| d.path == page.source.shown || d.path == built)
            .cloned()
            .collect(),
    }
}
