//! Shortcodes (issue 16): Zola's syntax on the `shortcodes` fixture, the bugs Zola had (calls inside code, calls in
//! lists, quotes, tables and link text), and every mistake reported at the markdown file and line.

use crate::support::SiteTest;

fn page() -> String {
    let site = SiteTest::fixture("shortcodes");
    site.run(&["build"]).success();
    site.main_html("page/index.html")
}

#[track_caller]
fn has(html: &str, expected: &str) {
    assert!(html.contains(expected), "missing:\n{expected}\nin:\n{html}");
}

const BUTTON: &str = r#"<a class="btn btn-big" href="tel:+15555550100">"#;

#[test]
fn inline_and_block_calls_render_their_templates() {
    let html = page();
    has(
        &html,
        &format!(
            "<p>Call us now: {BUTTON}Call us: <span class=\"tel\">(555) 555-0100</span></a> or later.</p>"
        ),
    );
    has(
        &html,
        "<div class=\"callout callout-tip\" role=\"note\">\n<p class=\"callout-title\"><strong>Tip: Before you call</strong></p>\n<p>Have your <strong>insurance card</strong> ready. See <a href=\"/\">the home page</a>.</p>",
    );
    has(
        &html,
        "<div class=\"callout callout-questions\" role=\"note\">\n<p class=\"callout-title\"><strong>Questions you can ask</strong></p>\n<ul>\n<li>Is the program covered by my insurance?</li>",
    );
    has(&html, "</div>\n<p>Text right after the block.</p>");
    has(
        &html,
        r#"<li><strong>988 Suicide &amp; Crisis Lifeline:</strong> Call or text 988. <a href="tel:988">Call <span class="tel">988</span></a>"#,
    );
    has(
        &html,
        "<track kind=\"captions\" src=\"/intro.vtt\" srclang=\"en\" label=\"Captions\" default>",
    );
}

#[test]
fn calls_inside_code_stay_literal() {
    let html = page();
    has(
        &html,
        "<p>Code stays: <code>{{ call_button() }}</code> and</p>",
    );
    has(
        &html,
        "<pre><code>{{ call_button() }}\n{% note() %}\nnot a block\n{% end %}\n</code></pre>",
    );
    has(&html, "<p>Not a call: {{ name }} and {% raw %}.</p>");
}

#[test]
fn calls_keep_the_markdown_around_them_intact() {
    let html = page();
    has(
        &html,
        &format!("<ul>\n<li>First item</li>\n<li>Call: {BUTTON}Ring us: "),
    );
    has(
        &html,
        "<li>\n<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\"><strong>Note</strong></p>\n<p>Inside a list.</p>\n\n</div>\n</li>\n</ul>",
    );
    has(
        &html,
        "<blockquote>\n\n<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\"><strong>Important</strong></p>\n<p>Inside a quote.</p>\n\n</div>\n</blockquote>",
    );
    has(&html, &format!("<tr><td>Phone</td><td>{BUTTON}Tap: "));
    has(
        &html,
        r#"<p><a href="/">Link text <em class="word">in a link</em> here</a></p>"#,
    );
    // A call alone on its line makes a block, not a <div> inside a <p>.
    has(
        &html,
        "</p>\n\n<div class=\"callout callout-crisis\" role=\"note\">",
    );
    assert!(
        !html.contains("<p>\n<div") && !html.contains("<p><div") && !html.contains("<p>\n<figure"),
        "{html}"
    );
}

#[test]
fn arguments_may_hold_quotes_commas_and_any_language() {
    has(
        &page(),
        &format!("<p>Args: {BUTTON}She said &quot;call, now&quot; – ¿Qué tal? 你好 <span"),
    );
}

fn fails_with(body: &str, expected: &[&str]) {
    let site = SiteTest::fixture("shortcodes");
    site.write(
        "content/bad.md",
        &format!("+++\ntitle = \"Bad\"\n+++\nA line.\n\n{body}\n"),
    );
    let run = site.run(&["build"]);
    run.failure();
    for line in expected {
        run.stderr_has(line);
    }
}

#[test]
fn mistakes_name_the_markdown_file_and_line() {
    fails_with(
        "{{ nope() }}",
        &[
            "error: content/bad.md:6: there is no shortcode `nope` (the shortcodes are: call_button, crisis, note, questions, taglines, tip, video, warning, word)",
        ],
    );
    fails_with(
        "{{ video(src=\"/a.mp4\", title=\"A\") }}",
        &[
            "error: content/bad.md:6: the shortcode `video` needs the argument `captions`: add captions=\"…\"",
        ],
    );
    fails_with(
        "{{ call_button(label=3) }}",
        &[
            "error: content/bad.md:6: the argument `label` of the shortcode `call_button` must be text in quotes",
        ],
    );
    fails_with(
        "{{ call_button(colour=\"red\") }}",
        &[
            "error: content/bad.md:6: the shortcode `call_button` has no argument `colour` (its arguments are: label)",
        ],
    );
    fails_with(
        "{% note() %}\nNo end here.",
        &[
            "error: content/bad.md:6: the shortcode `note` is opened here but never closed: add a line {% end %} after its text",
        ],
    );
    fails_with(
        "Text\n{% end %}",
        &["error: content/bad.md:7: this `{% end %}` closes no shortcode"],
    );
    fails_with(
        "Before {% note() %}\nx\n{% end %}",
        &["error: content/bad.md:6: put {% note(…) %} on a line of its own"],
    );
    fails_with(
        "{{ call_button(label=\"unclosed) }}",
        &[
            "error: content/bad.md:6: the text of `label` in the shortcode `call_button` has no closing \"",
        ],
    );
    fails_with(
        "{{ video(src=\"https://videos.example.com/a.mp4\", captions=\"/a.vtt\", title=\"A\") }}",
        &[
            "error: content/bad.md:6: the shortcode `video` failed in themes/default/templates/shortcodes/video.html",
            "must be files of this site",
        ],
    );
    // Inside a block, a mistake is still on its own line of the page.
    fails_with(
        "{% tip() %}\nFine.\n\n{{ nope() }}\n{% end %}",
        &["error: content/bad.md:9: there is no shortcode `nope`"],
    );
    fails_with(
        "{{ note() }}",
        &["error: content/bad.md:6: the shortcode `note` failed"],
    );
}
