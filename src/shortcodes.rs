//! Stage 3b: shortcodes. Loads the templates under `templates/shortcodes/` (the theme's, then the site's, which win
//! by name) into a Tera instance of their own, so the markdown stage can turn `{{ name(key="value") }}` into HTML
//! before the site's other templates are needed. A shortcode is either a Tera 2 component named like its file
//! (`{% component note(kind: string = "note", title: string = "") %}`): its arguments are then checked against the
//! component's (name, type, required) with plain messages; or a plain template, as in Zola, that sees its arguments
//! and `body` as variables. Both see `config`, `center`, and in the language of the page being rendered `lang`,
//! `crisis_lines` and `words` (the theme's words: `words.note`). Knows nothing of pages or sites.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{ComponentArgType, Tera, Value};
use walkdir::WalkDir;

use crate::error::{Error, Location, Result};
use crate::markdown::{Arg, Call};

/// The site's shortcodes, ready to render calls.
#[derive(Default)]
pub struct Shortcodes {
    tera: Tera,
    /// Language code → what a call sees in a page of that language (`lang`, `crisis_lines`, `words`).
    languages: BTreeMap<String, tera::Context>,
    /// Name → the file it was read from (relative to the site root).
    files: BTreeMap<String, PathBuf>,
}

impl std::fmt::Debug for Shortcodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shortcodes")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl Shortcodes {
    /// Read `themes/THEME/templates/shortcodes/*.html`, then `templates/shortcodes/*.html`. `globals`: what every
    /// shortcode sees besides its arguments.
    pub fn load(root: &Path, theme: &str, globals: tera::Context) -> Result<Shortcodes> {
        let mut texts: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        for dir in [
            root.join("themes").join(theme).join("templates/shortcodes"),
            root.join("templates/shortcodes"),
        ] {
            for entry in WalkDir::new(&dir)
                .max_depth(1)
                .sort_by_file_name()
                .into_iter()
                .filter_map(std::result::Result::ok)
            {
                let path = entry.path();
                let Some(name) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".html"))
                else {
                    continue;
                };
                let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
                let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                    path: shown.clone(),
                    source,
                })?;
                texts.insert(name.to_string(), (shown, text));
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        tera.register_filter(
            "markdown",
            |text: &str, _: tera::Kwargs, _: &tera::State| {
                Value::safe_string(
                    &crate::markdown::render(text, &|_| crate::markdown::Rewrite::Keep).html,
                )
            },
        );
        for (name, (shown, text)) in &texts {
            tera.add_raw_template(&format!("shortcodes/{name}.html"), text)
                .map_err(|err| Error::Template {
                    at: Location::file(shown),
                    message: "this shortcode template cannot be read".into(),
                    source: Some(err),
                })?;
        }
        *tera.global_context() = globals;
        let files = texts
            .into_iter()
            .map(|(name, (shown, _))| (name, shown))
            .collect();
        Ok(Shortcodes {
            tera,
            languages: BTreeMap::new(),
            files,
        })
    }

    /// Render one call, or say in plain words what is wrong with it.
    /// The variables a call sees in pages of each language (see the module's notes); a page in a language not
    /// listed sees the globals only.
    #[must_use]
    pub fn with_languages(mut self, languages: BTreeMap<String, tera::Context>) -> Shortcodes {
        self.languages = languages;
        self
    }

    /// Render one call made in a page in `lang`, or say in plain words what is wrong with it.
    pub fn render(&self, call: &Call, lang: &str) -> std::result::Result<String, String> {
        let name = &call.name;
        if !self.files.contains_key(name) {
            let known: Vec<&str> = self.files.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "this site has none".to_string()
            } else {
                format!("the shortcodes are: {}", known.join(", "))
            };
            return Err(format!(
                "there is no shortcode `{name}` ({known}): check the spelling, or add templates/shortcodes/{name}.html"
            ));
        }
        let mut context = tera::Context::new();
        for (key, arg) in &call.args {
            context.insert_value(key.clone(), value(arg));
        }
        let in_language = self.languages.get(lang);
        let rendered = if let Some(component) = self.tera.get_component_definition(name) {
            check_args(call, &component)?;
            // A component takes only the arguments it declares: of the language's values, those it reads
            // (`@words`, `@crisis_lines`); the others come from the globals.
            if let Some(values) = in_language {
                for arg in component.args() {
                    if let Some(value) = values.get(arg.name())
                        && !context.contains_key(arg.name())
                    {
                        context.insert_value(arg.name().to_string(), value.clone());
                    }
                }
            }
            self.tera
                .render_component(name, &context, call.body.as_deref(), true)
        } else {
            if let Some(values) = in_language {
                let mut all = values.clone();
                all.extend(context);
                context = all;
            }
            if let Some(body) = &call.body {
                context.insert_value("body", Value::safe_string(body));
            }
            self.tera
                .render(&format!("shortcodes/{name}.html"), &context)
        };
        rendered.map_err(|err| {
            let file = self.files[name].display();
            format!("the shortcode `{name}` failed in {file}: {}", reason(&err))
        })
    }
}

fn value(arg: &Arg) -> Value {
    match arg {
        Arg::Text(text) => Value::from(text.as_str()),
        Arg::Integer(number) => Value::from(*number),
        Arg::Float(number) => Value::from(*number),
        Arg::Bool(flag) => Value::from(*flag),
        Arg::List(items) => Value::from(items.iter().map(value).collect::<Vec<_>>().as_slice()),
    }
}

/// Check a call's arguments against the component's, with messages for people who write markdown.
fn check_args(call: &Call, component: &tera::ComponentInfo) -> std::result::Result<(), String> {
    let name = &call.name;
    // What the component reads from the site (`@center`, `@words`) is not the writer's to give.
    let writable = || component.args().iter().filter(|a| !a.is_implicit());
    let known: Vec<&str> = writable().map(tera::ComponentArg::name).collect();
    for (key, arg) in &call.args {
        let Some(expected) = writable().find(|a| a.name() == key) else {
            let known = if known.is_empty() {
                "it takes none".to_string()
            } else {
                format!("its arguments are: {}", known.join(", "))
            };
            return Err(format!(
                "the shortcode `{name}` has no argument `{key}` ({known})"
            ));
        };
        if let Some(kind) = expected.arg_type()
            && !type_matches(kind, arg)
        {
            return Err(format!(
                "the argument `{key}` of the shortcode `{name}` must be {}",
                describe(kind)
            ));
        }
    }
    for expected in component
        .args()
        .iter()
        .filter(|a| a.is_required() && !a.is_implicit())
    {
        if expected.name() == "body" {
            if call.body.is_none() {
                return Err(format!(
                    "the shortcode `{name}` needs a body: write it as a block, {{% {name}() %}} on one line, the text, then {{% end %}}"
                ));
            }
            continue;
        }
        if !call.args.iter().any(|(key, _)| key == expected.name()) {
            let example = match expected.arg_type() {
                Some(ComponentArgType::String) | None => format!("{}=\"…\"", expected.name()),
                Some(_) => format!("{}=…", expected.name()),
            };
            return Err(format!(
                "the shortcode `{name}` needs the argument `{}`: add {example}",
                expected.name()
            ));
        }
    }
    Ok(())
}

fn type_matches(kind: ComponentArgType, arg: &Arg) -> bool {
    match kind {
        ComponentArgType::String => matches!(arg, Arg::Text(_)),
        ComponentArgType::Bool => matches!(arg, Arg::Bool(_)),
        ComponentArgType::Integer => matches!(arg, Arg::Integer(_)),
        ComponentArgType::Float => matches!(arg, Arg::Float(_)),
        ComponentArgType::Number => matches!(arg, Arg::Integer(_) | Arg::Float(_)),
        ComponentArgType::Array => matches!(arg, Arg::List(_)),
        _ => true,
    }
}

fn describe(kind: ComponentArgType) -> &'static str {
    match kind {
        ComponentArgType::String => "text in quotes, e.g. \"…\"",
        ComponentArgType::Bool => "true or false, without quotes",
        ComponentArgType::Integer => "a whole number, without quotes",
        ComponentArgType::Float | ComponentArgType::Number => "a number, without quotes",
        ComponentArgType::Array => "a list in brackets, e.g. [\"a\", \"b\"]",
        _ => "of another kind",
    }
}

/// The first line of Tera's report, and of its cause (which holds the detail).
fn reason(err: &tera::Error) -> String {
    use std::error::Error as _;
    let mut text = err
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    if let Some(cause) = err.source() {
        text.push_str(": ");
        text.push_str(cause.to_string().lines().next().unwrap_or_default());
    }
    text
}
