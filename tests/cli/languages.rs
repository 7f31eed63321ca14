//! A site in two languages (`tests/fixtures/languages`: English, and Spanish under `/es/`): where pages are
//! published, `hreflang` on every page and in the sitemap, the language switcher, `trans` and its fallback,
//! `get_url`/`get_page` with `lang=`, links between languages, the located errors, and the Spanish contact form
//! against the real server.

use std::collections::{BTreeMap, BTreeSet};

use pretty_assertions::assert_eq;

use crate::server::{Reply, Server};
use crate::support::SiteTest;

fn built() -> SiteTest {
    let site = SiteTest::fixture("languages");
    site.run(&["build"]).success();
    site
}

/// Every built HTML file under `public/`, relative.
fn html_files(site: &SiteTest) -> BTreeSet<String> {
    site.snapshot()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| path.ends_with(".html"))
        .collect()
}

/// The values of `attribute` in every `<TAG …>` of `html` whose text contains `having`.
fn attributes(html: &str, tag: &str, having: &str, attribute: &str) -> Vec<String> {
    html.split(&format!("<{tag} "))
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())])
        .filter(|inside| inside.contains(having))
        .filter_map(|inside| {
            let start = inside.find(&format!("{attribute}=\""))? + attribute.len() + 2;
            let end = start + inside[start..].find('"')?;
            Some(inside[start..end].to_string())
        })
        .collect()
}

/// The `hreflang` links of a page's head: language → full address.
fn alternates(html: &str) -> BTreeMap<String, String> {
    let langs = attributes(html, "link", "rel=\"alternate\" hreflang", "hreflang");
    let hrefs = attributes(html, "link", "rel=\"alternate\" hreflang", "href");
    langs.into_iter().zip(hrefs).collect()
}

/// The built file of a full address of the fixture site.
fn file_of(url: &str) -> String {
    let path = url.strip_prefix("https://example.org/").unwrap();
    format!("{path}index.html")
}

#[test]
fn spanish_pages_are_published_under_es_with_their_own_slugs() {
    let site = built();
    let expected: BTreeSet<String> = [
        "404.html",
        "about/index.html",
        "contact/index.html",
        "contact/thanks/index.html",
        "es/404.html",
        "es/ayuda-con-el-idioma/index.html",
        "es/contacto/gracias/index.html",
        "es/contacto/index.html",
        "es/guia/empezar/index.html",
        "es/guia/index.html",
        "es/index.html",
        "es/quienes-somos/index.html",
        "es/solo-espanol/index.html",
        "guide/index.html",
        "guide/start/index.html",
        "index.html",
        "language-help/index.html",
        "only-english/index.html",
        "privacy/index.html",
    ]
    .map(String::from)
    .into();
    assert_eq!(html_files(&site), expected);
    assert!(site.public("es/index.html").contains("<html lang=\"es\">"));
    assert!(site.public("index.html").contains("<html lang=\"en\">"));
    assert!(site.public("es/404.html").contains("<html lang=\"es\">"));
    assert!(
        site.public("es/404.html")
            .contains("<h1>No encontramos la página</h1>")
    );
}

#[test]
fn hreflang_links_are_reciprocal_on_every_page() {
    let site = built();
    let mut checked = 0;
    for file in html_files(&site) {
        if file.ends_with("404.html") {
            continue;
        }
        let html = site.public(&file);
        let own = alternates(&html);
        let lang = attributes(&html, "html", "lang", "lang")[0].clone();
        let own_url = format!(
            "https://example.org/{}",
            file.trim_end_matches("index.html")
        );
        assert_eq!(own.get(&lang), Some(&own_url), "{file} names itself");
        for (other_lang, url) in own.iter().filter(|(l, _)| *l != "x-default") {
            let other = site.public(&file_of(url));
            assert!(
                other.contains(&format!("<html lang=\"{other_lang}\">")),
                "{file} → {url} is in {other_lang}"
            );
            assert_eq!(
                alternates(&other),
                own,
                "{url} lists the same set as {file}"
            );
        }
        // x-default is the English page whenever there is one.
        assert_eq!(own.get("x-default"), own.get("en"), "{file}");
        checked += 1;
    }
    assert_eq!(checked, 17, "every page but the 404 pages");
    let about = alternates(&site.public("about/index.html"));
    assert_eq!(
        about.get("es").map(String::as_str),
        Some("https://example.org/es/quienes-somos/")
    );
}

#[test]
fn the_sitemap_lists_each_pages_languages() {
    let site = built();
    let xml = site.public("sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let url = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("loc") && n.text() == Some("https://example.org/es/quienes-somos/")
        })
        .unwrap()
        .parent()
        .unwrap();
    let links: Vec<(&str, &str)> = url
        .children()
        .filter(|n| n.has_tag_name("link"))
        .map(|n| {
            (
                n.attribute("hreflang").unwrap(),
                n.attribute("href").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("en", "https://example.org/about/"),
            ("es", "https://example.org/es/quienes-somos/"),
            ("x-default", "https://example.org/about/"),
        ]
    );
}

/// The language switcher's links of a page: (lang, href, text).
fn switcher(html: &str) -> Vec<(String, String, String)> {
    let start = html.find("<nav class=\"languages\"").expect("a switcher");
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    nav.split("<a ")
        .skip(1)
        .map(|a| {
            let attr = |name: &str| attributes(&format!("<a {a}"), "a", "", name)[0].clone();
            let text = &a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()];
            (attr("lang"), attr("href"), text.to_string())
        })
        .collect()
}

#[test]
fn the_switcher_goes_to_the_translation_or_to_the_other_home_page() {
    let site = built();
    let link = |lang: &str, href: &str, text: &str| (lang.into(), href.into(), text.into());
    assert_eq!(
        switcher(&site.public("about/index.html")),
        [link("es", "/es/quienes-somos/", "Español")]
    );
    assert_eq!(
        switcher(&site.public("es/guia/empezar/index.html")),
        [link("en", "/guide/start/", "English")]
    );
    assert_eq!(
        switcher(&site.public("only-english/index.html")),
        [link(
            "es",
            "/es/",
            "Español<span class=\"vh\"> (página principal)</span>"
        )]
    );
    assert_eq!(
        switcher(&site.public("es/solo-espanol/index.html")),
        [link(
            "en",
            "/",
            "English<span class=\"vh\"> (home page)</span>"
        )]
    );
    assert_eq!(
        switcher(&site.public("es/404.html")),
        [link(
            "en",
            "/",
            "English<span class=\"vh\"> (home page)</span>"
        )]
    );
}

#[test]
fn trans_uses_the_pages_language_then_the_main_language_then_the_key() {
    let site = built();
    let line = |file: &str| {
        let html = site.public(file);
        let start = html.find("<p class=\"trans-test\">").unwrap() + 22;
        html[start..start + html[start..].find("</p>").unwrap()].to_string()
    };
    // Spanish from config.toml over the theme's ("Portada", not "Inicio"); the main language's word when Spanish
    // has none; the key itself when no language has it; and an explicit lang=.
    assert_eq!(
        line("es/quienes-somos/index.html"),
        "English only|no_such_word|Portada|Home"
    );
    assert_eq!(
        line("about/index.html"),
        "English only|no_such_word|Home|Home"
    );
    // The theme's own Spanish words, and the Spanish crisis lines of [[languages.es.crisis]].
    let spanish = site.public("es/quienes-somos/index.html");
    assert!(spanish.contains("<h2 id=\"site-crisis-title\">¿Necesita ayuda ahora mismo?</h2>"));
    assert!(spanish.contains("<p>Llame al 988 y marque 2 para español.</p>"));
    assert!(
        spanish.contains("<a class=\"skip-link\" href=\"#main\">Ir al contenido principal</a>")
    );
    assert!(spanish.contains("<title>Quiénes somos | Sitio en dos idiomas</title>"));
    // Dates in the page's language.
    assert!(
        site.public("es/guia/index.html")
            .contains("<time datetime=\"2026-03-05\">5 de marzo de 2026</time>")
    );
    assert!(
        site.public("guide/index.html")
            .contains("<time datetime=\"2026-03-05\">March 5, 2026</time>")
    );
}

#[test]
fn menus_breadcrumbs_and_footer_links_stay_in_the_pages_language() {
    let site = built();
    let html = site.public("es/guia/empezar/index.html");
    let menu = attributes(&html, "a", "href=\"/", "href");
    assert!(menu.contains(&"/es/quienes-somos/".to_string()), "{menu:?}");
    assert!(!menu.contains(&"/about/".to_string()), "{menu:?}");
    assert!(
        html.contains("<li><a href=\"/es/\">Portada</a></li>"),
        "breadcrumb home"
    );
    assert!(
        html.contains("<li><a href=\"/es/guia/\">Guía</a></li>"),
        "breadcrumb section"
    );
    assert!(html.contains("<a href=\"/es/contacto/\">Contáctenos</a>"));
    // The notice of free language help, linked in both languages from every page, each in its own language.
    for file in ["index.html", "es/guia/empezar/index.html", "es/404.html"] {
        let html = site.public(file);
        assert!(
            html.contains(
                "<a href=\"/language-help/\" lang=\"en\" hreflang=\"en\">Free language help</a>"
            ),
            "{file}"
        );
        assert!(
            html.contains("<a href=\"/es/ayuda-con-el-idioma/\" lang=\"es\" hreflang=\"es\">Ayuda gratis con el idioma</a>"),
            "{file}"
        );
    }
}

#[test]
fn relative_links_stay_in_the_pages_language_and_may_cross_on_purpose() {
    let site = built();
    let main = site.main_html("es/quienes-somos/index.html");
    // `guide/start.md` from a Spanish page is the Spanish guide page; `only-english.md` has no Spanish, so it is
    // the English page; `about.en.md#who-we-are` asks for the English page on purpose.
    assert!(
        main.contains("<a href=\"/es/guia/empezar/\">la guía</a>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"/only-english/\">solo en inglés</a>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"/about/#who-we-are\">en inglés</a>"),
        "{main}"
    );
    let main = site.main_html("es/index.html");
    assert!(
        main.contains("<a href=\"/es/quienes-somos/\">quiénes somos</a>"),
        "{main}"
    );
    let main = site.main_html("index.html");
    assert!(main.contains("<a href=\"/about/\">about us</a>"), "{main}");
}

#[test]
fn a_link_to_a_missing_heading_in_the_other_language_is_an_error() {
    let site = SiteTest::fixture("languages");
    site.write(
        "content/only-english.md",
        "+++\ntitle = \"Only in English\"\ndescription = \"x\"\n+++\n\nSee [the Spanish page](about.es.md#who-we-are).\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: content/only-english.md:6: the link `about.es.md#who-we-are` points to a heading `#who-we-are` that content/about.es.md does not have (its headings are: quienes-somos)");
}

#[test]
fn get_url_and_get_page_take_a_language() {
    let site = SiteTest::fixture("languages");
    site.write(
        "templates/partials/review.html",
        "{% set p = get_page(path=\"about.md\", lang=\"es\") %}{% set s = get_section(path=\"guide/_index.md\", lang=\"es\") %}<p class=\"lookups\">{{ get_url(path=\"@/about.md\", lang=\"es\") }}|{{ get_url(path=\"@/only-english.md\", lang=\"es\") }}|{{ p.title }}|{{ s.title }}|{{ get_url(path=\"/contact/\", lang=\"es\", path_only=true) }}</p>\n",
    );
    site.run(&["build"]).success();
    assert!(
        site.public("about/index.html").contains(
            "<p class=\"lookups\">https://example.org/es/quienes-somos/|https://example.org/only-english/|Quiénes somos|Guía|/es/contacto/</p>"
        ),
        "{}",
        site.main_html("about/index.html")
    );
    site.write(
        "templates/partials/review.html",
        "{% set p = get_page(path=\"only-english.md\", lang=\"es\") %}{{ p.title }}\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("get_page: there is no page `only-english.es.md`");
}

#[test]
fn a_file_in_a_language_the_site_does_not_have_says_how_to_fix_it() {
    let site = SiteTest::fixture("languages");
    site.write(
        "content/about.fr.md",
        "+++\ntitle = \"À propos\"\ndescription = \"x\"\n+++\n",
    );
    site.write(
        "content/privacy.en.md",
        "+++\ntitle = \"Privacy\"\ndescription = \"x\"\n+++\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: content/about.fr.md: the file name says this page is in the language `fr`, which config.toml does not list: add a [languages.fr] table to config.toml")
        .stderr_has("error: content/privacy.en.md: the file name says `en`, the site's main language, whose pages need no language in their name: rename it to privacy.md");
}

#[test]
fn malformed_language_settings_name_their_line() {
    let site = SiteTest::fixture("languages");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace(
            "[languages.es.translations]\nhome = \"Portada\"",
            "[languages.Spanish]",
        ),
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: config.toml:14: `Spanish` is not a language code");
    site.write(
        "config.toml",
        &config.replace("language = \"Español\"", "idioma = \"Español\""),
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: config.toml:28: unknown field `idioma`");
    site.write("config.toml", &config);
    site.write(
        "themes/default/translations/es.toml",
        "home = \"Inicio\"\n\nskip_link = [\"no\"]\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: themes/default/translations/es.toml:3: invalid type");
}

const FORM: &str = "application/x-www-form-urlencoded";

fn post(server: &Server, body: &str) -> Reply {
    server.raw(
        format!(
            "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {FORM}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

#[test]
fn the_spanish_form_answers_in_spanish() {
    let site = SiteTest::fixture("languages");
    let server = Server::start(&site, &["--no-watch"]);
    let page = server.get("/es/contacto/");
    page.has("<input type=\"hidden\" name=\"lang\" value=\"es\">")
        .has("<h2 id=\"form-title\">Envíenos un mensaje</h2>");
    let reply = post(&server, "lang=es&name=&phone=12&email=&message=Hola");
    assert_eq!(reply.status, 422, "{}", reply.body);
    reply
        .has("<html lang=\"es\">")
        .has("<title>Error: Contáctenos | Sitio en dos idiomas</title>")
        .has("3 respuestas necesitan su atención")
        .has(r##"<li><a href="#f-name">Escriba su nombre o un apodo.</a></li>"##)
        .has("Escriba un número de teléfono con su código de área, por ejemplo 555 555 0100.")
        .has("Marque la casilla para aceptar que guardemos sus respuestas para contactarle.")
        .has(">Hola</textarea>");
    assert!(!site.root().join("data").exists(), "nothing stored");
    let good = "lang=es&name=Ana&phone=555+555+0100&consent=yes&website=";
    let reply = post(&server, good);
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.header("Location"), Some("/es/contacto/gracias/"));
    // The English form is unchanged.
    let reply = post(&server, "name=&phone=555+555+0100&consent=yes");
    assert_eq!(reply.status, 422);
    reply.has(r##"<li><a href="#f-name">Enter your name or a nickname.</a></li>"##);
    let missing = server.get("/es/no-existe/");
    assert_eq!(missing.status, 404);
    missing.has("<h1>No encontramos la página</h1>");
}

/// The hidden `lang` field comes from the visitor's browser: anything but a language of the site answers in the
/// main language, and nothing of it is written back into the page unescaped.
#[test]
fn a_forged_language_field_changes_nothing_but_the_language() {
    let site = SiteTest::fixture("languages");
    let server = Server::start(&site, &["--no-watch"]);
    let long = "x".repeat(5000);
    for lang in [
        "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "..%2F..%2Fetc%2Fpasswd",
        "ES%00",
        long.as_str(),
    ] {
        let reply = post(
            &server,
            &format!("lang={lang}&name=&phone=555+555+0100&consent=yes"),
        );
        assert_eq!(reply.status, 422, "{lang}: {}", reply.body);
        reply
            .has("<html lang=\"en\">")
            .has("Enter your name or a nickname.");
        assert!(
            !reply.body.contains("<script>alert(1)"),
            "{lang}: {}",
            reply.body
        );
        assert!(!reply.body.contains("passwd"), "{lang}: {}", reply.body);
    }
    assert!(!site.root().join("data").exists(), "nothing stored");
}

/// The page's own text: its rendered markdown, without the theme's words around it.
fn prose(html: &str) -> &str {
    let start = html.find("<div class=\"prose\">").expect("a prose block");
    let rest = &html[start..];
    let end = ["</article>", "<section class=\"reach-out\""]
        .iter()
        .filter_map(|end| rest.find(end))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_iop_sites_spanish_pages_are_fairly_easy_to_read_and_marked_unreviewed() {
    let site = SiteTest::iop_site();
    site.run(&["build"]).success();
    let spanish: Vec<String> = html_files(&site)
        .into_iter()
        .filter(|file| {
            file.starts_with("es/") && !file.ends_with("404.html") && !file.contains("/page/")
        })
        .collect();
    assert!(spanish.len() >= 15, "{spanish:?}");
    let mut scores = Vec::new();
    for file in &spanish {
        let html = site.public(file);
        if let Some(score) = iopsite::check::inflesz_of_html(prose(&html)) {
            scores.push((file.clone(), score.round()));
        }
    }
    let hard: Vec<_> = scores
        .iter()
        .filter(|(_, score)| *score < iopsite::check::INFLESZ_AIM)
        .collect();
    assert!(
        hard.is_empty(),
        "below INFLESZ 65: {hard:?} (all: {scores:?})"
    );
    assert!(
        scores.len() >= 12,
        "most pages are long enough to score: {scores:?}"
    );
    // Every Spanish page is marked as not yet reviewed by a qualified translator, and says so in `check`.
    let check = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&check.stdout()).unwrap();
    let unreviewed = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["rule"] == "translation-review")
        .count();
    let translations = walkdir::WalkDir::new(site.root().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".es.md"))
        .count();
    assert!(translations >= 15, "{translations} Spanish pages");
    assert_eq!(unreviewed, translations, "every .es.md file");
    let other: Vec<_> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["rule"] != "translation-review")
        .collect();
    assert!(other.is_empty(), "{other:#?}");
}

/// The problems of `iopsite check --format json` as `path:line: level [rule]`, and their messages.
fn checked(site: &SiteTest) -> (Vec<String>, Vec<String>) {
    let run = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let places = problems
        .iter()
        .map(|p| {
            let line = p["line"]
                .as_u64()
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            format!(
                "{}{line}: {} [{}]",
                p["path"].as_str().unwrap(),
                p["level"].as_str().unwrap(),
                p["rule"].as_str().unwrap()
            )
        })
        .collect();
    let messages = problems
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_string())
        .collect();
    (places, messages)
}

#[test]
fn check_reads_spanish_pages_with_spanish_rules() {
    let site = SiteTest::fixture("languages");
    site.write(
        "content/guide/start.es.md",
        "+++\ntitle = \"Empezar\"\ndescription = \"El primer paso.\"\nslug = \"empezar\"\ntranslation_reviewed = false\n+++\n\n\
         Un adicto puede dejar de consumir.\n\n\
         Nuestro programa de rehabilitación multidisciplinaria proporciona intervenciones psicoterapéuticas \
         individualizadas, fundamentadas en evidencia científica contemporánea, considerando simultáneamente \
         determinantes socioeconómicos, características neuropsicológicas, comorbilidades psiquiátricas \
         concomitantes y particularidades culturales específicas de cada participante, con el propósito de \
         optimizar resultados terapéuticos sostenibles a largo plazo mediante metodologías interdisciplinarias \
         rigurosamente evaluadas por profesionales especializados.\n\n\
         Le ofrecemos la cura garantizada.\n",
    );
    let (places, messages) = checked(&site);
    assert_eq!(
        places,
        [
            "content/guide/start.es.md:5: warning [translation-review]",
            "content/guide/start.es.md:8: warning [person-first]",
            "content/guide/start.es.md:10: warning [readability]",
            "content/guide/start.es.md:12: warning [claims]",
            "content/guide/start.es.md:12: warning [claims]",
            "content/only-english.md: info [translation]",
            "content/privacy.md: info [translation]",
            "content/solo-espanol.es.md: info [translation]",
            // The fixture's own test of `trans`: a word only English has, and a word no language has.
            "templates/partials/review.html:2: warning [theme-words]",
            "templates/partials/review.html:2: warning [theme-words]",
        ]
    );
    let all = messages.join("\n");
    assert!(all.contains("“adicto” is a label that stigmatizes people: say “persona con un trastorno por consumo de sustancias”"), "{all}");
    assert!(
        all.contains(
            "on the INFLESZ scale (Szigriszt-Pazos): below 55 is hard for patients to read"
        ),
        "{all}"
    );
    assert!(all.contains("this page is not yet in Español (es): to translate it, write content/only-english.es.md"), "{all}");
    assert!(
        !all.contains("grade"),
        "the English grade is not used on Spanish text: {all}"
    );
    // Text output: infos are counted, not listed; they never fail a check, even with --strict.
    let run = site.run(&["check"]);
    assert!(!run.stdout().contains("[translation]"), "{}", run.stdout());
    assert!(run.stdout().ends_with("iopsite check passed: 0 errors, 7 warnings in 17 pages (3 pages not yet translated: see --format json)\n"), "{}", run.stdout());
}

#[test]
fn a_theme_word_missing_in_spanish_is_a_warning_at_the_template_line() {
    let site = SiteTest::fixture("languages");
    site.write(
        "templates/partials/review.html",
        "<p>{{ trans(key=\"fallback_word\") }}</p>\n<p>{{ trans(key=\"nobody_has_this\") }}</p>\n",
    );
    let (places, messages) = checked(&site);
    let words: Vec<_> = places
        .iter()
        .zip(&messages)
        .filter(|(place, _)| place.contains("[theme-words]"))
        .collect();
    assert_eq!(
        words,
        [
            (
                &"templates/partials/review.html:1: warning [theme-words]".to_string(),
                &"the theme's word `fallback_word` has no Español (es) text, so Español pages show the English one: add fallback_word = \"…\" under [languages.es.translations] in config.toml".to_string()
            ),
            (
                &"templates/partials/review.html:2: warning [theme-words]".to_string(),
                &"the theme's word `nobody_has_this` has no text in any language, so pages show `nobody_has_this` itself: add nobody_has_this = \"…\" under [translations] in config.toml (and under [languages.CODE.translations] for each other language)".to_string()
            ),
        ]
    );
    site.run(&["build"]).success();
}

#[test]
fn translation_reviewed_must_be_true_or_false() {
    let site = SiteTest::fixture("languages");
    site.write(
        "content/about.es.md",
        "+++\ntitle = \"Quiénes somos\"\ndescription = \"x\"\ntranslation_reviewed = \"no\"\n+++\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("error: content/about.es.md:4: ");
}

#[test]
fn a_new_translation_starts_unreviewed() {
    let site = SiteTest::fixture("languages");
    site.run(&[
        "new",
        "content/only-english.es.md",
        "--title",
        "Solo en inglés",
    ])
    .success();
    let text = std::fs::read_to_string(site.root().join("content/only-english.es.md")).unwrap();
    assert!(text.contains("\ntranslation_reviewed = false\n"), "{text}");
    site.run(&["build", "--drafts"]).success();
    assert!(
        site.public("only-english/index.html")
            .contains("href=\"/es/only-english/\"")
    );
    site.run(&["new", "content/more.md", "--title", "More"])
        .success();
    let text = std::fs::read_to_string(site.root().join("content/more.md")).unwrap();
    assert!(!text.contains("translation_reviewed"), "{text}");
}

/// Shortcodes speak the page's language: their labels come from the theme's words in it, and `crisis()` lists that
/// language's crisis lines; an English page keeps the English ones.
#[test]
fn shortcodes_speak_the_language_of_their_page() {
    let site = SiteTest::fixture("languages");
    let body = "\n{% note() %}\nTexto.\n{% end %}\n\n{{ crisis() }}\n\n{% questions() %}\n- ¿Cuándo?\n{% end %}\n\n{{ call_button() }}\n";
    site.write(
        "content/ayuda.es.md",
        &format!("+++\ntitle = \"Ayuda\"\ndescription = \"Ayuda.\"\ntranslation_reviewed = false\n+++\n{body}"),
    );
    site.write(
        "content/ayuda.md",
        &format!(
            "+++\ntitle = \"Help\"\ndescription = \"Help.\"\n+++\n{}",
            body.replace("Texto", "Text")
        ),
    );
    site.run(&["build"]).success();
    let spanish = site.main_html("es/ayuda/index.html");
    for text in [
        "<strong>Nota</strong>",
        "Si está en crisis ahora mismo",
        "marque 2 para español",
        "Preguntas que puede hacer",
        "Llámenos:",
        "Llame al <span class=\"tel\">988</span>",
    ] {
        assert!(spanish.contains(text), "{text} missing in {spanish}");
    }
    assert!(!spanish.contains("If you are in crisis"), "{spanish}");
    let english = site.main_html("ayuda/index.html");
    for text in [
        "<strong>Note</strong>",
        "If you are in crisis right now",
        "Call or text 988.",
        "Questions you can ask",
        "Call us:",
    ] {
        assert!(english.contains(text), "{text} missing in {english}");
    }
}
