//! `check` while writing, on the serve side: the suggestions panel `serve` adds to a page it returns, and the lines
//! it prints in the terminal. Pure string work; nothing here is written to disk, so `build` output never has it.
//!
//! The panel is a `<details>` element in an `<aside>` at the top of the page, in the page's flow (never over its
//! content), closed by default: its summary gives the count, "2 suggestions". Opened, it lists each finding with its
//! markdown file and line, the rule's name and what to do. `<details>` opens with Enter or Space and says whether
//! it is open to screen readers, with no script.

use std::collections::HashMap;

use crate::check::Diagnostic;
use crate::check::writing::PageFindings;
use crate::render::escape;

/// The panel's look (a file, so the Content-Security-Policy holds).
pub(crate) const STYLE: &str = include_str!("panel.css");

/// The latest findings of every page checked since the server started, by URL path (`/faq/`), and what was last
/// printed for each markdown file.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    by_path: HashMap<String, Vec<Diagnostic>>,
    printed: HashMap<String, Vec<Diagnostic>>,
}

impl Findings {
    /// Keep the new findings of the pages just checked, and forget the pages of `gone` files. Returns the lines to
    /// print: only for pages whose findings changed since they were last printed.
    pub(crate) fn update(&mut self, checked: Vec<PageFindings>, gone: &[String]) -> Vec<String> {
        let mut lines = Vec::new();
        for file in gone {
            self.printed.remove(file);
        }
        self.by_path
            .retain(|_, findings| !findings.iter().any(|d| gone.contains(&shown(d))));
        for page in checked {
            let before = self.printed.get(&page.file).cloned().unwrap_or_default();
            if before != page.findings {
                lines.extend(terminal_lines(&page));
                self.printed
                    .insert(page.file.clone(), page.findings.clone());
            }
            if page.findings.is_empty() {
                self.by_path.remove(&page.path);
            } else {
                self.by_path.insert(page.path, page.findings);
            }
        }
        lines
    }

    /// The markdown files whose findings are shown now: a full rebuild (a template or config.toml changed, which
    /// may change them) checks them again.
    pub(crate) fn shown_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .printed
            .iter()
            .filter(|(_, findings)| !findings.is_empty())
            .map(|(file, _)| file.clone())
            .collect();
        files.sort();
        files
    }

    /// The panel for the page at this URL path (`/faq/`, `/faq/index.html`), if it has findings.
    pub(crate) fn panel(&self, url_path: &str) -> Option<String> {
        let path = url_path.split(['?', '#']).next().unwrap_or(url_path);
        let path = path.strip_suffix("index.html").unwrap_or(path);
        self.by_path.get(path).map(|findings| html(findings))
    }
}

fn shown(diagnostic: &Diagnostic) -> String {
    diagnostic.path.display().to_string()
}

/// "1 suggestion", "2 suggestions".
fn count(n: usize) -> String {
    format!("{n} suggestion{}", if n == 1 { "" } else { "s" })
}

/// What the terminal gets for a page whose findings changed: a heading line, then one line per finding as
/// `iopsite check` prints it, or a line saying none are left.
fn terminal_lines(page: &PageFindings) -> Vec<String> {
    if page.findings.is_empty() {
        return vec![format!("{}: no suggestions left", page.file)];
    }
    let mut lines = vec![format!(
        "{}: {} from iopsite check",
        page.file,
        count(page.findings.len())
    )];
    lines.extend(page.findings.iter().map(|d| format!("  {d}")));
    lines
}

/// The panel's markup.
fn html(findings: &[Diagnostic]) -> String {
    let items: String = findings.iter().map(item).collect();
    format!(
        "<link rel=\"stylesheet\" href=\"/__iopsite/panel.css\">\n\
         <aside id=\"iopsite-panel\" aria-label=\"Writing suggestions (preview only)\">\n<details>\n\
         <summary>{} <span class=\"iopsite-panel-note\">from iopsite check, only in this preview</span></summary>\n\
         <ol>\n{items}</ol>\n</details>\n</aside>\n",
        count(findings.len())
    )
}

fn item(finding: &Diagnostic) -> String {
    let place = match finding.line {
        Some(line) => format!("{}, line {line}", finding.path.display()),
        None => finding.path.display().to_string(),
    };
    format!(
        "<li><p class=\"iopsite-panel-where\"><strong>{}</strong> <span class=\"iopsite-panel-rule\">{} ({})</span></p>\n\
         <p>{}</p></li>\n",
        escape(&place),
        escape(finding.rule),
        finding.level,
        escape(&finding.message)
    )
}

/// The page with the panel first in its body. Done before [`super::overlay::inject`], which puts the error overlay
/// (when there is one) before it.
pub(crate) fn inject(html: &str, panel: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<body")
        .and_then(|open| lower[open..].find('>').map(|close| open + close + 1))
        .unwrap_or(0);
    let mut page = html.to_string();
    page.insert_str(at, panel);
    page
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::check::Level;

    fn finding(line: usize, rule: &'static str) -> Diagnostic {
        Diagnostic {
            path: PathBuf::from("content/faq.md"),
            line: Some(line),
            level: Level::Warning,
            rule,
            message: "“addict” is a <label>: say “person with a substance use disorder”".into(),
        }
    }

    fn page(findings: Vec<Diagnostic>) -> PageFindings {
        PageFindings {
            file: "content/faq.md".into(),
            path: "/faq/".into(),
            findings,
        }
    }

    #[test]
    fn the_panel_is_closed_counts_and_lists_line_rule_and_hint_escaped() {
        let panel = html(&[finding(12, "person-first"), finding(3, "claims")]);
        assert!(
            panel.contains("<details>\n<summary>2 suggestions "),
            "{panel}"
        );
        assert!(!panel.contains("<details open"));
        assert!(panel.contains("content/faq.md, line 12"));
        assert!(panel.contains("person-first (warning)"));
        assert!(panel.contains("is a &lt;label&gt;: say"));
        assert!(html(&[finding(1, "claims")]).contains("1 suggestion "));
    }

    #[test]
    fn the_panel_goes_first_in_the_body() {
        let page = inject(
            "<html><BODY class=\"x\"><main>text</main></body></html>",
            "<aside>P</aside>",
        );
        assert_eq!(
            page,
            "<html><BODY class=\"x\"><aside>P</aside><main>text</main></body></html>"
        );
    }

    #[test]
    fn findings_are_printed_once_per_change_and_shown_by_path() {
        let mut findings = Findings::default();
        let first = findings.update(vec![page(vec![finding(12, "person-first")])], &[]);
        assert_eq!(first.len(), 2, "{first:?}");
        assert!(
            first[1].starts_with("  content/faq.md:12: warning: "),
            "{first:?}"
        );
        assert!(findings.panel("/faq/").is_some());
        assert!(findings.panel("/faq/index.html").is_some());
        assert!(findings.panel("/other/").is_none());
        let again = findings.update(vec![page(vec![finding(12, "person-first")])], &[]);
        assert!(
            again.is_empty(),
            "an unchanged page is not printed again: {again:?}"
        );
        let fixed = findings.update(vec![page(vec![])], &[]);
        assert_eq!(fixed, ["content/faq.md: no suggestions left"]);
        assert!(findings.panel("/faq/").is_none());
        assert!(findings.update(vec![page(vec![])], &[]).is_empty());
    }
}
