//! Reading one shortcode call, Zola's syntax: `{{ name(key="value", n=3, on=true, list=["a", "b"]) }}` inline,
//! `{% name(key="value") %}` to open a block and `{% end %}` to close it. Strings take `"`, `'` or `` ` `` quotes
//! (the other two kinds may appear inside) and any text, commas and non-ASCII included. Hostile input gets a message,
//! never a panic: a call is at most [`MAX_CALL`] bytes, has at most [`MAX_ARGS`] arguments, and lists do not nest.

/// The longest call read, in bytes, from `{{` to `}}`.
pub(super) const MAX_CALL: usize = 8 * 1024;
/// The most arguments a call may have.
pub(super) const MAX_ARGS: usize = 32;

/// A shortcode call: its name, its arguments in the order written, and for a block the HTML of its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The shortcode's name: a template `templates/shortcodes/NAME.html`.
    pub name: String,
    /// `key = value`, in the order written.
    pub args: Vec<(String, Arg)>,
    /// A block's body, rendered from markdown; `None` for an inline call.
    pub body: Option<String>,
}

/// An argument's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `"text"`, `'text'` or `` `text` ``.
    Text(String),
    /// `3`, `-2`.
    Integer(i64),
    /// `1.5`.
    Float(f64),
    /// `true`, `false`.
    Bool(bool),
    /// `["a", "b"]`: values of any kind above.
    List(Vec<Arg>),
}

/// What a `{{ … }}` or `{% … %}` found in the text is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// `{{ name(…) }}`.
    Inline(Call),
    /// `{% name(…) %}`.
    Open(Call),
    /// `{% end %}`.
    End,
}

/// Read the call that starts `text` (which starts with `{{` or `{%`). `None` when it is not a shortcode at all
/// (`{{ not a call }}` stays text); `Some(Err(message))` when it is one written wrongly; else the token and its
/// length in bytes.
pub(super) fn read(text: &str) -> Option<Result<(Token, usize), String>> {
    let block = text.starts_with("{%");
    let mut reader = Reader { text, at: 2 };
    reader.spaces();
    let name = reader.identifier()?;
    reader.spaces();
    if block && name == "end" {
        return reader.close("%}").map(|end| Ok((Token::End, end)));
    }
    if !reader.eat("(") {
        return None;
    }
    Some(reader.call(name, block))
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Reader<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn spaces(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, what: &str) -> bool {
        let found = self.rest().starts_with(what);
        if found {
            self.at += what.len();
        }
        found
    }

    fn identifier(&mut self) -> Option<&'t str> {
        let rest = self.rest();
        let length = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..length];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.at += length;
        Some(name)
    }

    /// The closing `}}` or `%}` after optional spaces: the length of the whole token.
    fn close(&mut self, closing: &str) -> Option<usize> {
        self.spaces();
        self.eat(closing).then_some(self.at)
    }

    fn call(&mut self, name: &str, block: bool) -> Result<(Token, usize), String> {
        let closing = if block { "%}" } else { "}}" };
        let mut args: Vec<(String, Arg)> = Vec::new();
        loop {
            self.limit()?;
            self.spaces();
            if self.eat(")") {
                break;
            }
            if args.len() == MAX_ARGS {
                return Err(format!(
                    "the shortcode `{name}` has more than {MAX_ARGS} arguments"
                ));
            }
            let Some(key) = self.identifier() else {
                return Err(format!(
                    "the shortcode `{name}` has an argument without a name: write name=\"value\", separated by commas, for example {name}(title=\"Hello\")"
                ));
            };
            self.spaces();
            if !self.eat("=") {
                return Err(format!(
                    "the argument `{key}` of the shortcode `{name}` has no value: write {key}=\"…\""
                ));
            }
            self.spaces();
            let value = self.value(name, key, true)?;
            if args.iter().any(|(seen, _)| seen == key) {
                return Err(format!(
                    "the argument `{key}` is given twice to the shortcode `{name}`: keep one"
                ));
            }
            args.push((key.to_string(), value));
            self.spaces();
            if !self.eat(",") && !self.rest().starts_with(')') {
                return Err(format!(
                    "the arguments of the shortcode `{name}` must be separated by commas and end with `)`: check the quotes around each text"
                ));
            }
        }
        let Some(end) = self.close(closing) else {
            return Err(format!(
                "the shortcode `{name}` is not closed: end it with `{closing}`, as in {}",
                if block {
                    format!("{{% {name}() %}}")
                } else {
                    format!("{{{{ {name}() }}}}")
                }
            ));
        };
        let call = Call {
            name: name.to_string(),
            args,
            body: None,
        };
        Ok((
            if block {
                Token::Open(call)
            } else {
                Token::Inline(call)
            },
            end,
        ))
    }

    fn limit(&self) -> Result<(), String> {
        if self.at > MAX_CALL {
            return Err(format!(
                "this shortcode call is longer than {MAX_CALL} characters or is never closed: check that it ends with `) }}}}` or `) %}}`"
            ));
        }
        Ok(())
    }

    fn value(&mut self, name: &str, key: &str, list_allowed: bool) -> Result<Arg, String> {
        let rest = self.rest();
        let bad = || {
            format!(
                "the value of `{key}` in the shortcode `{name}` is not one iopsite knows: put text in quotes (\"…\"), \
                 write numbers and true/false without them"
            )
        };
        match rest.chars().next() {
            Some(quote @ ('"' | '\'' | '`')) => {
                let inner = &rest[1..];
                let Some(end) = inner.find(quote) else {
                    return Err(format!(
                        "the text of `{key}` in the shortcode `{name}` has no closing {quote}: add it after the text"
                    ));
                };
                self.at += end + 2;
                Ok(Arg::Text(inner[..end].to_string()))
            }
            Some('[') if list_allowed => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.limit()?;
                    self.spaces();
                    if self.eat("]") {
                        return Ok(Arg::List(items));
                    }
                    items.push(self.value(name, key, false)?);
                    self.spaces();
                    if !self.eat(",") && !self.rest().starts_with(']') {
                        return Err(bad());
                    }
                }
            }
            _ => {
                let length = rest
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+')
                    })
                    .unwrap_or(rest.len());
                let word = &rest[..length];
                let value = match word {
                    "true" => Arg::Bool(true),
                    "false" => Arg::Bool(false),
                    _ => {
                        if let Ok(number) = word.parse::<i64>() {
                            Arg::Integer(number)
                        } else if let Ok(number) = word
                            .parse::<f64>()
                            .map_err(|_| ())
                            .and_then(|n| if n.is_finite() { Ok(n) } else { Err(()) })
                        {
                            Arg::Float(number)
                        } else {
                            return Err(bad());
                        }
                    }
                };
                self.at += length;
                Ok(value)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> (Token, usize) {
        read(text).expect("a shortcode").expect("read")
    }

    fn error(text: &str) -> String {
        read(text).expect("a shortcode").unwrap_err()
    }

    #[test]
    fn reads_zola_calls() {
        let (token, length) =
            call(r#"{{ note(kind="tip", n=3, x=-1.5, on=true, list=["a", 2]) }} after"#);
        assert_eq!(length, 59);
        let Token::Inline(found) = token else {
            panic!("inline")
        };
        assert_eq!(found.name, "note");
        assert_eq!(
            found.args,
            [
                ("kind".to_string(), Arg::Text("tip".into())),
                ("n".to_string(), Arg::Integer(3)),
                ("x".to_string(), Arg::Float(-1.5)),
                ("on".to_string(), Arg::Bool(true)),
                (
                    "list".to_string(),
                    Arg::List(vec![Arg::Text("a".into()), Arg::Integer(2)])
                ),
            ]
        );
        assert!(matches!(call_token("{%note()%}"), Token::Open(_)));
        assert_eq!(call("{%  end  %}\n"), (Token::End, 11));
        assert_eq!(call("{{ a() }}").1, 9);
    }

    fn call_token(text: &str) -> Token {
        call(text).0
    }

    #[test]
    fn text_may_hold_quotes_commas_brackets_and_any_language() {
        let Token::Inline(call) = call_token(
            r#"{{ q(a='She said "yes", then left', b=`it's`, c="¿Qué tal? 你好 👋", d="a) }} b") }}"#,
        ) else {
            panic!()
        };
        let texts: Vec<&Arg> = call.args.iter().map(|(_, v)| v).collect();
        assert_eq!(
            texts,
            [
                &Arg::Text(r#"She said "yes", then left"#.into()),
                &Arg::Text("it's".into()),
                &Arg::Text("¿Qué tal? 你好 👋".into()),
                &Arg::Text("a) }} b".into()),
            ]
        );
    }

    #[test]
    fn text_that_is_no_call_stays_text() {
        for text in [
            "{{ not a call }}",
            "{{}}",
            "{{ 3d() }}",
            "{% if x %}",
            "{{ name }}",
            "{%",
            "{{",
        ] {
            assert!(read(text).is_none(), "{text}");
        }
    }

    #[test]
    fn malformed_calls_are_explained() {
        assert!(error(r#"{{ note(kind="tip") "#).contains("is not closed"));
        assert!(error(r#"{{ note(kind="tip }}"#).contains("has no closing \""));
        assert!(error("{{ note(kind=tip) }}").contains("put text in quotes"));
        assert!(error(r#"{{ note("tip") }}"#).contains("without a name"));
        assert!(error("{{ note(kind) }}").contains("has no value"));
        assert!(error(r#"{{ note(a="1" b="2") }}"#).contains("separated by commas"));
        assert!(error(r#"{{ note(a="1", a="2") }}"#).contains("given twice"));
        assert!(
            error("{{ note(a=[[1]]) }}").contains("put text in quotes"),
            "lists do not nest"
        );
        assert!(error("{{ note(n=1e999) }}").contains("put text in quotes"));
        assert!(error("{% note() }}").contains("end it with `%}`"));
    }

    #[test]
    fn hostile_calls_stop_early() {
        let many = format!(
            "{{{{ x({}) }}}}",
            (0..100)
                .map(|i| format!("a{i}=1"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(error(&many).contains("more than 32 arguments"));
        let long = format!("{{{{ x(a=[{}]) }}}}", "1,".repeat(MAX_CALL));
        assert!(error(&long).contains("longer than"));
        let unclosed = format!("{{{{ x(a=\"{}", "y".repeat(100_000));
        assert!(error(&unclosed).contains("no closing"));
        let open_list = format!("{{{{ x(a=[{}", "\"b\",".repeat(10_000));
        assert!(error(&open_list).contains("longer than"));
        for text in [
            "{{ x(",
            "{{ x(a",
            "{{ x(a=",
            "{{ x(a=\"",
            "{{ x(a=[",
            "{{ x(a=1,",
            "{{ x(é=1) }}",
            "{{ x(a=1)",
        ] {
            assert!(read(text).is_some_and(|r| r.is_err()), "{text}");
        }
    }
}
