//! What templates read of other pages: whether any template could show another page's markdown (its `content`,
//! `toc`, `word_count` or `reading_time`). When none can, a page's markdown need only be rendered just before its
//! own template, and a big site never holds all its HTML at once (see `render`).
//!
//! The answer errs on the safe side: a template is only trusted when every mention of those fields is written
//! `page.FIELD` or `section.FIELD` (or through a name set to exactly `page` or `section`, like the default theme's
//! `doc`) and nothing gives `page` or `section` another meaning. Anything else (`p.content` in a loop,
//! `get_page(…).content`, `page["content"]`, `{% set toc = page.toc %}`, a whole value dumped with `json_encode`)
//! answers "yes, it may read another page's markdown", which costs only speed.

use std::collections::{BTreeMap, BTreeSet};

/// Page fields made from a page's markdown.
pub const MARKDOWN_FIELDS: [&str; 4] = ["content", "toc", "word_count", "reading_time"];

/// Names that hand out whole values, every field included.
const DUMPS: [&str; 5] = ["__tera_context", "json_encode", "tojson", "pairs", "values"];

/// The names that stand for the page being rendered before any template renames them.
const OWN: [&str; 2] = ["page", "section"];

/// Whether the templates (their texts) read only the markdown of the page being rendered.
pub(super) fn only_own_markdown<'t>(templates: impl IntoIterator<Item = &'t str>) -> bool {
    let tags: Vec<&str> = templates.into_iter().flat_map(tags).collect();
    let Some(own) = own_names(&tags) else {
        return false;
    };
    tags.iter().all(|tag| tag_reads_only_own(tag, &own))
}

/// The inside of every `{{ … }}` and `{% … %}` of a template, whitespace-control dashes removed. Comments and text
/// are left out; `{% block content %}` names a block, not a field, so block tags are left out too.
fn tags(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                rest = after;
                continue;
            }
        };
        let inner = &after[1..];
        let Some(end) = inner.find(close) else {
            // An unclosed tag: Tera reports it; here, take the rest as a tag so nothing is missed.
            found.push(inner.trim());
            break;
        };
        let inside = inner[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let is_block = inside.starts_with("block ") || inside.starts_with("endblock");
        if close != "#}" && !is_block {
            found.push(inside);
        }
        rest = &inner[end + close.len()..];
    }
    found
}

/// The templates a template uses by name: those it extends, includes or imports. `None` when one is named by a
/// variable, which this scan cannot follow.
pub(super) fn uses(text: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for tag in tags(text) {
        let Some(rest) = ["extends", "include", "import"]
            .iter()
            .find_map(|keyword| tag.strip_prefix(keyword))
            .filter(|rest| rest.starts_with(|c: char| c.is_whitespace() || "\"'[".contains(c)))
        else {
            continue;
        };
        let literals = string_literals(rest);
        if literals.is_empty() {
            return None;
        }
        names.extend(literals);
    }
    Some(names)
}

/// The contents of the quoted strings of a tag (`"a.html"`, `'b.html'`).
fn string_literals(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else {
            break;
        };
        found.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    found
}

/// Whether any template may read one of `fields` of some page: a tag names it as a word (inside a string too:
/// `map(attribute="toc")`), or hands out whole values. Words outside tags are the page's own text (`autocomplete`
/// holds `toc` but reads nothing).
pub(super) fn may_read<'t>(templates: impl IntoIterator<Item = &'t str>, fields: &[&str]) -> bool {
    templates.into_iter().flat_map(tags).any(|tag| {
        identifiers(tag).any(|(at, word)| fields.contains(&word) || is_dump(tag, at, word))
    })
}

/// Whether the word at byte `at` of a tag hands out a whole value. `form.values` is a field; `| values` is the
/// filter.
fn is_dump(tag: &str, at: usize, word: &str) -> bool {
    DUMPS.contains(&word) && !tag[..at].trim_end().ends_with('.')
}

/// `page`, `section` and the names set to exactly one of them in every `set` that sets them; `None` when a
/// template gives `page` or `section` another meaning (a loop variable, a macro parameter, another value).
fn own_names<'t>(tags: &[&'t str]) -> Option<BTreeSet<&'t str>> {
    let mut sets: BTreeMap<&'t str, Vec<&'t str>> = BTreeMap::new();
    for tag in tags {
        if let Some((name, value)) = assignment(tag) {
            sets.entry(name).or_default().push(value);
            continue;
        }
        let words: Vec<&str> = tag.split_whitespace().collect();
        match words.as_slice() {
            ["for", rest @ ..] => {
                let names = rest.iter().take_while(|&&word| word != "in");
                if names
                    .flat_map(|word| word.split(','))
                    .any(|name| OWN.contains(&name))
                {
                    return None;
                }
            }
            ["macro", ..] => {
                let params = tag.split_once('(').map_or("", |(_, params)| params);
                if identifiers(params).any(|(_, word)| OWN.contains(&word)) {
                    return None;
                }
            }
            _ => {}
        }
    }
    let mut own: BTreeSet<&'t str> = OWN.into_iter().collect();
    for (name, values) in sets {
        let all_own = values.iter().all(|value| stands_for_own(value));
        if OWN.contains(&name) && !all_own {
            return None;
        }
        if all_own {
            own.insert(name);
        }
    }
    Some(own)
}

/// `("doc", "page")` for `set doc = page` or `set_global doc=page`.
fn assignment(tag: &str) -> Option<(&str, &str)> {
    let rest = tag
        .strip_prefix("set_global")
        .or_else(|| tag.strip_prefix("set"))?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let name_end = rest
        .find(|c: char| !is_identifier_char(c))
        .unwrap_or(rest.len());
    let (name, value) = rest.split_at(name_end);
    let value = value.trim_start().strip_prefix('=')?;
    Some((name, value.trim()))
}

/// Whether a value set to a name is the page being rendered, or a literal (which holds no page's markdown: a field
/// named inside it is checked like any other).
fn stands_for_own(value: &str) -> bool {
    OWN.contains(&value)
        || value.starts_with(['{', '[', '"', '\'', '`'])
        || value.starts_with(|c: char| c.is_ascii_digit())
        || ["true", "false", "none"].contains(&value)
}

/// Whether every markdown field named in a tag is a field of one of the `own` names, and nothing dumps a value.
fn tag_reads_only_own(tag: &str, own: &BTreeSet<&str>) -> bool {
    identifiers(tag).all(|(at, word)| {
        if is_dump(tag, at, word) {
            return false;
        }
        if !MARKDOWN_FIELDS.contains(&word) {
            return true;
        }
        let Some(before) = tag[..at].strip_suffix('.') else {
            return false;
        };
        let owner_start = before
            .rfind(|c: char| !is_identifier_char(c))
            .map_or(0, |i| i + 1);
        let owner = &before[owner_start..];
        let outer = before[..owner_start].chars().next_back();
        own.contains(owner) && outer != Some('.')
    })
}

/// Every identifier-like word of a text, with its byte offset. Words inside string literals count too: a field
/// named in a string (`page["content"]`, `map(attribute="content")`) is read in a way this scan cannot follow.
fn identifiers(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, is_identifier_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    words.into_iter()
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_own(templates: &[&str]) -> bool {
        only_own_markdown(templates.iter().copied())
    }

    /// Each of these templates, alone, may read another page's markdown.
    #[track_caller]
    fn assert_each_may_read_others(templates: &[&str]) {
        for template in templates {
            assert!(!only_own(&[template]), "{template}");
        }
    }

    #[test]
    fn fields_are_asked_for_by_tags_that_name_them_or_dump_whole_values() {
        let asks = |template: &str| may_read([template], &["toc"]);
        for template in [
            "{% for h in page.toc %}{{ h.title }}{% endfor %}",
            "{{ pages | map(attribute=\"toc\") }}",
            "{{ page | json_encode }}",
            "{{ __tera_context }}",
            "{{ p | values }}",
        ] {
            assert!(asks(template), "{template}");
        }
        for template in [
            "<input autocomplete=\"name\">{{ page.title }}",
            "{# page.toc #}",
            "{{ form.values.name }}",
            "{% block toc %}{% endblock toc %}",
        ] {
            assert!(!asks(template), "{template}");
        }
    }

    #[test]
    fn the_templates_a_template_uses_are_found_unless_a_variable_names_them() {
        let text = "{% extends \"base.html\" %}{% import 'macros.html' as m %}{# include \"no.html\" #}\
                    {% include [\"a.html\", \"b.html\"] ignore missing %}{{ include_me }}";
        assert_eq!(
            uses(text),
            Some(
                ["base.html", "macros.html", "a.html", "b.html"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(uses("{% include template_name %}"), None);
        assert_eq!(uses("<p>{{ page.title }}</p>"), Some(vec![]));
    }

    #[test]
    fn the_page_and_section_own_fields_are_trusted() {
        assert!(only_own(&[
            "{% block content %}<h1>{{ page.title }}</h1>{{ page.content | safe }}{% endblock content %}",
            "<meta name=\"description\" content=\"{{ config.description }}\">{{ section.content | safe }}",
            "{% for h in page.toc %}{{ h.title }}{% endfor %} {{ page.word_count }} {{ page.reading_time }}",
            "{% for p in section.pages %}<a href=\"{{ p.path }}\">{{ p.title }}</a>{% endfor %}",
            "{# p.content in a comment is not read #}",
            "{% set v = form.values %}",
        ]));
    }

    #[test]
    fn a_name_set_to_the_page_is_the_page() {
        assert!(only_own(&[
            "{%- set doc = page -%}",
            "{%- set doc = section -%}",
            "{%- set doc = {\"title\": \"Page not found\", \"description\": \"\"} -%}",
            "{{ doc.content | safe }}"
        ]));
        // Set to something else somewhere: it may be another page.
        assert!(!only_own(&[
            "{% set doc = page %}",
            "{% set doc = get_page(path=\"faq.md\") %}",
            "{{ doc.content }}",
        ]));
        assert!(!only_own(&[
            "{% set doc = page if page else section %}{{ doc.content }}"
        ]));
    }

    #[test]
    fn other_pages_markdown_is_noticed() {
        let others = [
            "{% for p in section.pages %}{{ p.content | safe }}{% endfor %}",
            "{% for p in section.pages %}{{ p.reading_time }}{% endfor %}",
            "{{ get_page(path=\"faq.md\").content }}",
            "{{ page[\"content\"] }}",
            "{{ section.pages | map(attribute=\"toc\") | length }}",
            "{% set toc = page.toc %}",
            "{{ page.lower.content }}",
            "{{ section.pages | json_encode }}",
            "{% for v in section.pages | first | values %}{{ v }}{% endfor %}",
            "{{ __tera_context }}",
            "{{ p.content ",
        ];
        assert_each_may_read_others(&others);
    }

    #[test]
    fn renaming_page_or_section_is_noticed() {
        let renamed = [
            "{% for page in section.pages %}{{ page.content | safe }}{% endfor %}",
            "{% for i, section in sections %}{{ section.content }}{% endfor %}",
            "{% set section = get_section(path=\"blog/_index.md\") %}{{ section.content }}",
            "{% set page=section.pages | first %}{{ page.content }}",
            "{%- set_global page = get_page(path=\"faq.md\") -%}{{ page.toc }}",
            "{% macro summary(page) %}{{ page.content }}{% endmacro summary %}",
        ];
        assert_each_may_read_others(&renamed);
    }
}

#[cfg(test)]
mod themes {
    use std::path::Path;

    use crate::templates::TemplateSources;

    #[track_caller]
    fn assert_reads_only_own(root: &Path, theme: &str) {
        let sources = TemplateSources::read(root, theme).unwrap();
        assert!(
            sources.read_only_own_markdown(),
            "{theme} in {}",
            root.display()
        );
    }

    /// The site's own theme and the benchmark corpus's get their markdown rendered page by page: if a template
    /// change makes this fail, builds get slower and use more memory (see BENCHMARKS.md), not wrong.
    #[test]
    fn the_default_theme_and_the_corpus_theme_read_only_their_own_markdown() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_reads_only_own(root, "default");
        assert_reads_only_own(&root.join("tests/fixtures/generic_corpus"), "default");
        assert_reads_only_own(&root.join("tests/fixtures/zola_theme"), "simple");
    }

    /// The site's own theme shows no table of contents, word count or reading time, so a build works none out.
    #[test]
    fn the_default_theme_asks_for_no_table_of_contents_or_word_count() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = TemplateSources::read(root, "default").unwrap();
        assert!(!sources.may_read_any(&["toc", "word_count", "reading_time"]));
    }
}
