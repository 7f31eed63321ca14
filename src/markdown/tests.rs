//! Tests of the markdown stage: ids, table of contents, links with lines, word counts, extensions.
use super::*;
use pretty_assertions::assert_eq;

fn keep<'a>(_: &str) -> Rewrite<'a> {
    Rewrite::Keep
}

fn render_kept(markdown: &str) -> Rendered {
    render(markdown, &keep)
}

fn heading(level: u8, id: &str, title: &str, children: Vec<Heading>) -> Heading {
    Heading {
        level,
        id: id.to_owned(),
        title: title.to_owned(),
        children,
    }
}

fn anchor(id: &str) -> String {
    format!(r##" <a class="heading-anchor" href="#{id}" aria-hidden="true" tabindex="-1">#</a>"##)
}

#[test]
fn heading_gets_slug_id_and_anchor() {
    let rendered = render_kept("## Hello *World*\n");
    assert_eq!(
        rendered.html,
        format!(
            "<h2 id=\"hello-world\">Hello <em>World</em>{}</h2>\n",
            anchor("hello-world")
        )
    );
    assert_eq!(
        rendered.toc,
        vec![heading(2, "hello-world", "Hello World", vec![])]
    );
}

#[test]
fn repeated_heading_ids_get_numbered() {
    let rendered = render_kept("# Intro\n\n## Intro\n\n## Intro\n\n## Intro 1\n");
    assert_eq!(
        rendered.heading_ids,
        ["intro", "intro-1", "intro-2", "intro-1-1"]
    );
    assert!(rendered.html.contains("<h2 id=\"intro-2\">Intro"));
}

#[test]
fn explicit_id_is_used_and_counts_for_duplicates() {
    let rendered =
        render_kept("## Title {#custom-id}\n\n## Custom id\n\n## Other {#custom-id .wide}\n");
    assert_eq!(
        rendered.heading_ids,
        ["custom-id", "custom-id-1", "custom-id-2"]
    );
    assert_eq!(rendered.toc[0], heading(2, "custom-id", "Title", vec![]));
    let expected_last = format!(
        "<h2 id=\"custom-id-2\" class=\"wide\">Other{}</h2>\n",
        anchor("custom-id-2")
    );
    assert!(rendered.html.ends_with(&expected_last), "{}", rendered.html);
}

#[test]
fn explicit_id_is_escaped_in_html() {
    let rendered = render_kept("## A {#a\"b}\n");
    assert_eq!(rendered.heading_ids, ["a\"b"]);
    assert_eq!(
        rendered.html,
        format!("<h2 id=\"a&quot;b\">A{}</h2>\n", anchor("a&quot;b"))
    );
}

#[test]
fn toc_nests_by_level() {
    let rendered = render_kept("## One\n### One A\n### One B\n## Two\n");
    let expected = vec![
        heading(
            2,
            "one",
            "One",
            vec![
                heading(3, "one-a", "One A", vec![]),
                heading(3, "one-b", "One B", vec![]),
            ],
        ),
        heading(2, "two", "Two", vec![]),
    ];
    assert_eq!(rendered.toc, expected);
}

#[test]
fn toc_of_document_starting_at_h3() {
    let rendered = render_kept("### Deep\n#### Deeper\n## Up\n### Down\n");
    let expected = vec![
        heading(
            3,
            "deep",
            "Deep",
            vec![heading(4, "deeper", "Deeper", vec![])],
        ),
        heading(2, "up", "Up", vec![heading(3, "down", "Down", vec![])]),
    ];
    assert_eq!(rendered.toc, expected);
}

#[test]
fn toc_title_has_smart_punctuation_and_no_html() {
    let rendered = render_kept("## \"Don't\" -- `x<y` & <b>bold</b>\n");
    assert_eq!(
        rendered.toc[0].title,
        "\u{201c}Don\u{2019}t\u{201d} \u{2013} x<y & bold"
    );
    assert_eq!(rendered.toc[0].id, "dont-xy-bold");
}

fn site_rewrite<'a>(dest: &str) -> Rewrite<'a> {
    match dest.strip_prefix("@/") {
        Some("missing.md") => Rewrite::Reject("no page `@/missing.md`".to_owned()),
        Some(path) => Rewrite::Replace(Cow::Owned(format!("/{}/", path.trim_end_matches(".md")))),
        None => Rewrite::Keep,
    }
}

#[test]
fn links_are_rewritten_and_recorded_with_lines() {
    let markdown = "# Title\n\nFirst paragraph\nstill first.\n\nSee [post](@/blog/post.md) and\n[gone](@/missing.md).\n\n![pic](img.png) [ref][r] <https://x.org>\n\n[r]: @/about.md\n";
    let rendered = render(markdown, &site_rewrite);
    let link = |dest: &str, line, is_image| Link {
        dest: dest.to_owned(),
        line,
        is_image,
    };
    let expected = vec![
        link("@/blog/post.md", 6, false),
        link("@/missing.md", 7, false),
        link("img.png", 9, true),
        link("@/about.md", 9, false),
        link("https://x.org", 9, false),
    ];
    assert_eq!(rendered.links, expected);
    assert_eq!(
        rendered.problems,
        vec![Problem {
            line: 7,
            message: "no page `@/missing.md`".to_owned()
        }]
    );
    let body = rendered.html.split_once("</h1>\n").unwrap().1;
    assert_eq!(
        body,
        "<p>First paragraph\nstill first.</p>\n\
         <p>See <a href=\"/blog/post/\">post</a> and\n<a href=\"@/missing.md\">gone</a>.</p>\n\
         <p><img src=\"img.png\" alt=\"pic\" /> <a href=\"/about/\">ref</a> <a href=\"https://x.org\">https://x.org</a></p>\n"
    );
}

#[test]
fn link_lines_count_crlf_and_footnote_definitions() {
    let markdown = "a\r\n\r\nText[^n]\r\n\r\n[^n]: see [it](x)\r\n\r\nafter [b](y)\r\n";
    let lines: Vec<usize> = render_kept(markdown)
        .links
        .iter()
        .map(|link| link.line)
        .collect();
    assert_eq!(lines, [5, 7]);
}

#[test]
fn link_in_heading_is_rewritten() {
    let rendered = render("text\n\n## See [post](@/post.md)\n", &site_rewrite);
    assert_eq!(
        rendered.links,
        vec![Link {
            dest: "@/post.md".to_owned(),
            line: 3,
            is_image: false
        }]
    );
    assert_eq!(
        rendered.html,
        format!(
            "<p>text</p>\n<h2 id=\"see-post\">See <a href=\"/post/\">post</a>{}</h2>\n",
            anchor("see-post")
        )
    );
}

#[test]
fn html_lines_map_back_to_markdown_lines() {
    let markdown =
        "# Title\n\nFirst line\nsecond line\n\n- item\n- ![](x.png)\n\n| a |\n|---|\n| b |\n";
    let rendered = render_kept(markdown);
    let lines: Vec<usize> = (1..=rendered.html.lines().count())
        .map(|line| rendered.markdown_line(line))
        .collect();
    // h1, p + soft break, ul, li, li, /ul, table head, row b, /table
    assert_eq!(lines, [1, 3, 4, 6, 6, 7, 7, 9, 11, 11], "{}", rendered.html);
    assert_eq!(
        rendered.markdown_line(99),
        11,
        "past the end: the last line"
    );
}

#[test]
fn footnotes_render() {
    let rendered = render_kept("Text[^1].\n\n[^1]: The note.\n");
    assert_eq!(
        rendered.html,
        "<p>Text<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup>.</p>\n\
         <div class=\"footnote-definition\" id=\"1\"><sup class=\"footnote-definition-label\">1</sup>\n\
         <p>The note.</p>\n</div>\n"
    );
}

#[test]
fn tables_render() {
    let rendered = render_kept("| a | b |\n|---|:-:|\n| 1 | 2 |\n");
    assert_eq!(
        rendered.html,
        "<table><thead><tr><th>a</th><th class=\"align-center\">b</th></tr></thead><tbody>\n\
         <tr><td>1</td><td class=\"align-center\">2</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn strikethrough_and_task_lists_render() {
    let rendered = render_kept("~~old~~ new\n\n- [x] done\n- [ ] todo\n");
    assert_eq!(
        rendered.html,
        "<p><del>old</del> new</p>\n<ul>\n\
         <li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n\
         <li><input disabled=\"\" type=\"checkbox\"/>\ntodo</li>\n</ul>\n"
    );
}

#[test]
fn raw_html_and_comments_pass_through() {
    let rendered = render_kept("<!-- note -->\n<div class=\"x\">hi</div>\n\nA <span>b</span>.\n");
    assert_eq!(
        rendered.html,
        "<!-- note -->\n<div class=\"x\">hi</div>\n<p>A <span>b</span>.</p>\n"
    );
}

#[test]
fn slugify_cases() {
    let cases = [
        ("Hello, World!", "hello-world"),
        ("Café Über", "café-über"),
        ("snake_case  and--dashes", "snake-case-and-dashes"),
        ("  --Leading & trailing!--  ", "leading-trailing"),
        ("a . b", "a-b"),
        ("Version 2.0", "version-20"),
        ("???", "section"),
        ("", "section"),
    ];
    for (text, slug) in cases {
        assert_eq!(slugify(text), slug, "slugify({text:?})");
    }
}

#[test]
fn empty_heading_gets_section_id() {
    let rendered = render_kept("##\n\n## !!\n");
    assert_eq!(rendered.heading_ids, ["section", "section-1"]);
}

#[test]
fn word_count_counts_text_and_code_not_markup() {
    let markdown = "# Two words\n\nfoo*bar* is *one* [link](http://a.b/c) - here.\n\n```\nlet x = 1;\n```\n\n<div>not counted</div>\n";
    // two words (2) + foobar is one link here (5) + let x 1 (3)
    assert_eq!(render_kept(markdown).word_count, Some(10));
    let uncounted = render_with(
        markdown,
        &keep,
        &|_| Ok(None),
        Wanted {
            word_count: false,
            ..Wanted::ALL
        },
    );
    assert_eq!(uncounted.word_count, None);
    assert_eq!(uncounted.html, render_kept(markdown).html);
}

#[test]
fn a_table_of_contents_only_when_wanted_and_the_same_ids_either_way() {
    let markdown = "# Title\n\n## Part one\n\n### Detail\n";
    let without = render_with(
        markdown,
        &keep,
        &|_| Ok(None),
        Wanted {
            toc: false,
            ..Wanted::ALL
        },
    );
    let with = render_kept(markdown);
    assert!(without.toc.is_empty());
    assert_eq!(with.toc.len(), 1);
    assert_eq!(without.heading_ids, ["title", "part-one", "detail"]);
    assert_eq!(without.heading_ids, with.heading_ids);
    assert_eq!(without.html, with.html);
}

#[test]
fn without_checks_only_links_to_headings_are_recorded_and_there_is_no_source_map() {
    let markdown = "# Title\n\nSee [a](@/a.md), [b](@/b.md#part)\nand [here](#title).\n";
    let built = render_with(
        markdown,
        &site_rewrite,
        &|_| Ok(None),
        Wanted {
            checks: false,
            ..Wanted::ALL
        },
    );
    let checked = render_with(markdown, &site_rewrite, &|_| Ok(None), Wanted::ALL);
    assert_eq!(built.html, checked.html);
    assert_eq!(built.heading_ids, checked.heading_ids);
    let dests = |rendered: &Rendered| -> Vec<(String, usize)> {
        rendered
            .links
            .iter()
            .map(|l| (l.dest.clone(), l.line))
            .collect()
    };
    assert_eq!(
        dests(&built),
        [("@/b.md#part".to_string(), 3), ("#title".to_string(), 4)]
    );
    assert_eq!(dests(&checked).len(), 3);
    assert!(built.source_map.is_empty());
    assert!(!checked.source_map.is_empty());
}

#[test]
fn fast_word_count_agrees_with_counting_chars() {
    let events: [&[&str]; 7] = [
        &["two words", " and\tthree"],
        &["(quoted", " - | ", "x"],
        &["foo", "bar", " baz "],
        &["  ", "", "a", "b c  "],
        &["end.", "\n", "next"],
        &["---", "", " 1 "],
        &["\u{b}x\u{c}y\r"],
    ];
    for pieces in events {
        assert_counts_agree(pieces.iter().copied());
    }
}

#[test]
fn fast_word_count_agrees_with_counting_chars_on_random_text() {
    // Bytes chosen to hit every class, in pieces of random length, as text events come.
    const ALPHABET: &[u8] = b"ab1 -\t\n.|_\x0b";
    let mut state: u32 = 12345;
    let mut next = |bound: usize| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (state >> 16) as usize % bound
    };
    for _ in 0..500 {
        let pieces: Vec<String> = (0..=next(5))
            .map(|_| {
                (0..next(200))
                    .map(|_| char::from(ALPHABET[next(ALPHABET.len())]))
                    .collect()
            })
            .collect();
        assert_counts_agree(pieces.iter().map(String::as_str));
    }
}

/// Feeds the pieces to the fast count and the char-by-char one, as text events, and compares them after each.
fn assert_counts_agree<'a>(pieces: impl Iterator<Item = &'a str> + Clone) {
    let all: Vec<&str> = pieces.clone().collect();
    let (mut fast, mut plain) = (WordCounter::default(), WordCounter::default());
    for piece in pieces {
        fast.count_text(piece);
        plain.count_chars(piece);
        assert_eq!(
            (fast.count, fast.in_counted_word),
            (plain.count, plain.in_counted_word),
            "{all:?}"
        );
    }
}

#[test]
fn five_kilobyte_document_renders() {
    let section = "## Section title\n\nSome *text* with a [link](@/page.md) and `code`.\n\n- item one\n- item two\n\n";
    let markdown = section.repeat(5 * 1024 / section.len() + 1);
    assert!(markdown.len() >= 5 * 1024);
    let rendered = render(&markdown, &site_rewrite);
    let sections = markdown.matches("## ").count();
    assert_eq!(rendered.heading_ids.len(), sections);
    assert_eq!(
        rendered.heading_ids.last().unwrap(),
        &format!("section-title-{}", sections - 1)
    );
    assert_eq!(rendered.links.len(), sections);
    assert_eq!(rendered.links.last().unwrap().line, 7 * (sections - 1) + 3);
    assert_eq!(rendered.word_count, Some(13 * sections));
    assert!(rendered.problems.is_empty());
}
