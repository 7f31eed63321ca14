//! What the browser shows about a failed build, and the tags `serve` adds to the HTML it returns: the live-reload
//! script before `</body>`, the error overlay right after `<body>` while the last build failed, and the error page
//! every address answers while no build has worked yet. Pure string work; nothing here is written to disk.

/// The look of the overlay and of the error page (a file, so the Content-Security-Policy holds).
pub(crate) const STYLE: &str = include_str!("overlay.css");

use crate::error::Error;
use crate::render::escape;

/// The problems of a failed build, one per located error.
pub(crate) fn problems(err: &Error) -> Vec<Problem> {
    let (file, line, message) = match err {
        Error::Many(errors) => return errors.iter().flat_map(problems).collect(),
        Error::Config { at, message }
        | Error::Content { at, message }
        | Error::Store { at, message }
        | Error::Template { at, message, .. } => {
            (at.path.display().to_string(), at.line, message.clone())
        }
        Error::Read { path, .. } => (
            path.display().to_string(),
            None,
            "cannot read this file or folder".into(),
        ),
        Error::Write { path, .. } => (path.display().to_string(), None, "cannot write here".into()),
    };
    let detail = std::error::Error::source(err).map(|source| {
        let mut text = source.to_string();
        let mut next = source.source();
        while let Some(cause) = next {
            text.push_str(&format!("\n{cause}"));
            next = cause.source();
        }
        text.trim_start_matches("error: ").to_string()
    });
    let hint = hint(err, &message);
    vec![Problem {
        file,
        line,
        message,
        detail,
        hint,
    }]
}

/// Where to look, in plain words, by kind of problem.
fn hint(err: &Error, message: &str) -> &'static str {
    match err {
        Error::Config { .. } => {
            "config.toml holds the site's settings. If you are not sure what changed, undo your last edit to it."
        }
        Error::Content { .. } if message.starts_with("front matter") => {
            "The front matter is the block between the +++ lines at the top of the page: one setting per line, text in quotes."
        }
        Error::Content { .. } if message.contains("the link `") => {
            "Links to other pages use the page's file name, for example [Our groups](groups.md)."
        }
        Error::Content { .. } => "Check this line of the page, then save it again.",
        Error::Template { .. } => {
            "This is a template of the theme. If you did not mean to change it, undo your last edit to it or ask whoever looks after the theme."
        }
        Error::Read { .. } => "Check that the file exists and can be opened.",
        Error::Write { .. } => {
            "Check that the output folder can be written to and the disk is not full."
        }
        Error::Store { .. } => "Check the contact form's settings under [contact] in config.toml.",
        Error::Many(_) => "",
    }
}

/// One problem of a failed build, as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The file, relative to the site folder.
    pub(crate) file: String,
    /// 1-based line, when known.
    pub(crate) line: Option<usize>,
    /// What is wrong (and, mostly, how to fix it).
    pub(crate) message: String,
    /// More detail, such as Tera's excerpt of the template line.
    pub(crate) detail: Option<String>,
    /// Where to look, in plain words.
    pub(crate) hint: &'static str,
}

/// The tags injected into a page that `serve` returns: the overlay (after `<body>`) when the last build failed,
/// and the script (before `</body>`).
pub(crate) fn inject(html: &str, server: &str, generation: u64, problems: &[Problem]) -> String {
    let script = format!(
        "<script src=\"/__iopsite/livereload.js\" data-server=\"{}\" data-generation=\"{generation}\"></script>\n",
        escape(server)
    );
    let mut page = html.to_string();
    match page.rfind("</body>") {
        Some(at) => page.insert_str(at, &script),
        None => page.push_str(&script),
    }
    if !problems.is_empty() {
        let at = body_start(&page).unwrap_or(0);
        page.insert_str(at, &overlay(problems, false));
    }
    page
}

/// Where the content of `<body …>` starts.
fn body_start(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<body")?;
    let close = lower[open..].find('>')?;
    Some(open + close + 1)
}

/// The error overlay: the last build failed, this is the last good version of the page.
fn overlay(problems: &[Problem], first_build: bool) -> String {
    let (title, lead) = if first_build {
        (
            "The site could not be built",
            "Fix the problem below and save the file: this page updates by itself.",
        )
    } else {
        (
            "Your last change could not be built",
            "You are seeing the last version that worked. Fix the problem below and save the file: this page updates by itself.",
        )
    };
    let items: String = problems.iter().map(problem_html).collect();
    let hide = if first_build {
        ""
    } else {
        "<button type=\"button\" id=\"iopsite-overlay-hide\">Hide this message</button>\n"
    };
    format!(
        "<link rel=\"stylesheet\" href=\"/__iopsite/overlay.css\">\n\
         <section id=\"iopsite-overlay\" role=\"alert\" aria-labelledby=\"iopsite-overlay-title\">\n\
         <h2 id=\"iopsite-overlay-title\">{title}</h2>\n<p>{lead}</p>\n<ol>\n{items}</ol>\n{hide}</section>\n"
    )
}

fn problem_html(problem: &Problem) -> String {
    let place = match problem.line {
        Some(line) => format!("{}, line {line}", escape(&problem.file)),
        None => escape(&problem.file),
    };
    let detail = problem
        .detail
        .as_deref()
        .map(|d| format!("<pre>{}</pre>\n", escape(d)))
        .unwrap_or_default();
    format!(
        "<li>\n<p class=\"iopsite-where\"><strong>{place}</strong></p>\n<p class=\"iopsite-what\">{}</p>\n{detail}<p class=\"iopsite-hint\">{}</p>\n</li>\n",
        escape(&problem.message),
        escape(problem.hint)
    )
}

/// The page every address answers while no build has worked yet: the problems, and the script that shows the site
/// by itself once they are fixed.
pub(crate) fn error_page(server: &str, generation: u64, problems: &[Problem]) -> String {
    let html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>The site could not be built</title>\n</head>\n<body class=\"iopsite-error-page\">\n</body>\n</html>\n";
    let mut page = inject(html, server, generation, &[]);
    let at = body_start(&page).unwrap_or(0);
    page.insert_str(at, &overlay(problems, true));
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> Problem {
        Problem {
            file: "content/about.md".into(),
            line: Some(4),
            message: "front matter: <b>bad</b>".into(),
            detail: None,
            hint: "Look at the top of the file.",
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end_once() {
        let html = "<html><body><p>`</body>` in text</p></body></html>";
        let page = inject(html, "s1", 7, &[]);
        assert_eq!(page.matches("livereload.js").count(), 1);
        assert!(page.ends_with(
            "<script src=\"/__iopsite/livereload.js\" data-server=\"s1\" data-generation=\"7\"></script>\n</body></html>"
        ));
    }

    #[test]
    fn script_is_appended_when_there_is_no_body_end() {
        let page = inject("<p>hi</p>", "s", 0, &[]);
        assert!(page.starts_with("<p>hi</p><script src=\"/__iopsite/livereload.js\""));
    }

    #[test]
    fn overlay_comes_first_in_the_body_and_is_escaped() {
        let page = inject(
            "<html><BODY class=\"x\"><main>page</main></body></html>",
            "s",
            1,
            &[problem()],
        );
        let overlay = page.find("iopsite-overlay").unwrap();
        assert!(overlay < page.find("<main>").unwrap());
        assert!(page.find("<BODY class=\"x\">").unwrap() < overlay);
        assert!(page.contains("content/about.md, line 4"));
        assert!(page.contains("front matter: &lt;b&gt;bad&lt;/b&gt;"));
        assert!(page.contains("Look at the top of the file."));
    }

    #[test]
    fn error_page_has_problems_and_script() {
        let page = error_page("s", 0, &[problem()]);
        assert!(page.contains("The site could not be built"));
        assert!(page.contains("content/about.md, line 4"));
        assert!(page.contains("data-generation=\"0\""));
    }

    #[test]
    fn problems_come_one_per_error_with_a_hint_by_kind() {
        use crate::error::Location;
        let err = Error::Many(vec![
            Error::content(Location::line("content/a.md", 3), "front matter: bad value"),
            Error::content(
                Location::line("content/b.md", 8),
                "the link `x.md` points nowhere: check the file name",
            ),
            Error::Template {
                at: Location::line("templates/page.html", 4),
                message: "template error: unknown field".into(),
                source: None,
            },
        ]);
        let found = problems(&err);
        let summary: Vec<_> = found.iter().map(|p| (p.file.as_str(), p.line)).collect();
        assert_eq!(
            summary,
            [
                ("content/a.md", Some(3)),
                ("content/b.md", Some(8)),
                ("templates/page.html", Some(4))
            ]
        );
        assert!(found[0].hint.contains("+++"));
        assert!(found[1].hint.contains("groups.md"));
        assert!(found[2].hint.contains("template"));
    }
}
