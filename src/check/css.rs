//! The addresses a stylesheet loads: every `url(…)` and `@import`, found with Servo's CSS tokenizer (cssparser),
//! each with its line. Used for built `.css` files, `<style>` elements and `style` attributes.

use cssparser::{ParseError, Parser, Token};

/// An address a stylesheet loads, and the 1-based line of the stylesheet it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CssUrl {
    /// The address as written.
    pub(crate) url: String,
    /// 1-based line in the stylesheet text.
    pub(crate) line: usize,
}

/// Every address `css` loads.
pub(crate) fn urls(css: &str) -> Vec<CssUrl> {
    let mut parser = Parser::new(css);
    let mut found = Vec::new();
    collect(&mut parser, &mut found);
    found
}

fn collect(parser: &mut Parser<'_>, found: &mut Vec<CssUrl>) {
    let mut after_import = false;
    loop {
        let line = parser.current_source_location().line as usize + 1;
        let Ok(token) = parser.next_including_whitespace_and_comments().cloned() else {
            return;
        };
        match token {
            Token::UnquotedUrl(url) => push(found, &url, line),
            Token::QuotedString(url) if after_import => push(found, &url, line),
            Token::AtKeyword(name) if name.eq_ignore_ascii_case("import") => {
                after_import = true;
                continue;
            }
            Token::WhiteSpace(_) | Token::Comment(_) if after_import => continue,
            Token::Function(name) => {
                let is_url = name.eq_ignore_ascii_case("url") || name.eq_ignore_ascii_case("src");
                nested(parser, found, is_url.then_some(line));
            }
            Token::CurlyBracketBlock | Token::SquareBracketBlock | Token::ParenthesisBlock => {
                nested(parser, found, None);
            }
            _ => {}
        }
        after_import = false;
    }
}

fn push(found: &mut Vec<CssUrl>, url: &str, line: usize) {
    found.push(CssUrl {
        url: url.to_string(),
        line,
    });
}

/// Read the inside of a block or function: `url_line` is set inside `url(…)`, whose string is the address.
fn nested(parser: &mut Parser<'_>, found: &mut Vec<CssUrl>, url_line: Option<usize>) {
    // A block with a syntax error inside is skipped, as a browser would.
    let _ = parser.parse_nested_block(|inner| {
        match url_line {
            Some(line) => first_string(inner, found, line),
            None => collect(inner, found),
        }
        Ok::<(), ParseError<()>>(())
    });
}

/// `url("x")`: the quoted string inside the function.
fn first_string(parser: &mut Parser<'_>, found: &mut Vec<CssUrl>, line: usize) {
    while let Ok(token) = parser.next() {
        if let Token::QuotedString(url) = token {
            push(found, url, line);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(css: &str) -> Vec<(String, usize)> {
        urls(css).into_iter().map(|u| (u.url, u.line)).collect()
    }

    #[test]
    fn finds_urls_imports_and_their_lines() {
        let css = "@import \"https://a.example/x.css\";\n@import url(/b.css);\nbody {\n  background: url( 'img/bg.png' ) no-repeat;\n}\n@font-face { src: url(//fonts.example/f.woff2) format(\"woff2\"); }\n@media print { a { background: url(\"/p.png\") } }\n";
        assert_eq!(
            all(css),
            [
                ("https://a.example/x.css".to_string(), 1),
                ("/b.css".to_string(), 2),
                ("img/bg.png".to_string(), 4),
                ("//fonts.example/f.woff2".to_string(), 6),
                ("/p.png".to_string(), 7),
            ]
        );
    }

    #[test]
    fn ignores_strings_that_load_nothing() {
        assert_eq!(all("a::after { content: \"url(x)\" }"), []);
    }
}
