//! Incremental rebuilds (issue 17): after every edit of a random sequence (page text, front matter, new, deleted
//! and renamed pages, templates, static files, config.toml, links to headings, images, shortcodes), the preview
//! that `serve` rebuilds is byte for byte what a fresh full build of the same files makes. The sequences come from
//! a seeded generator, so a failure names its seed and step and can be replayed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use image::ImageEncoder;
use iopsite::build::incremental::Preview;
use iopsite::{BuildOptions, config::Overrides};

use crate::support::SiteTest;

/// A small, seeded generator (xorshift64*): the same seed gives the same edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The `incremental` fixture with its photo, and some pages last changed long ago (the sitemap shows that day
/// until a save moves it to today).
fn site() -> SiteTest {
    let site = SiteTest::fixture("incremental");
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([
            u8::try_from(x * 4).unwrap(),
            u8::try_from(y * 5).unwrap(),
            90,
        ])
    });
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&image, 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    fs::write(site.root().join("content/guide/entrance.png"), png).unwrap();
    // Pages that show other pages through template functions, as the benchmark corpus's navigation does: the
    // preview must render them again when what they looked up changes.
    let template = site.root().join("themes/default/templates/page.html");
    let lookups = "{% block content %}\n<nav class=\"lookups\">\
        {% set guide = get_section(path=\"guide/_index.md\") %}{% set about = get_page(path=\"about.md\") %}\
        {% for p in guide.pages %}{{ p.title }} {% endfor %}{{ about.title }} \
        {% set news = get_section(path=\"news/_index.md\") %}{% for p in news.pages %}{{ p.title }} {% endfor %}\
        {{ get_url(path=\"@/guide/schedule.md\") }}\
        {% set resources = get_section(path=\"resources/_index.md\", metadata_only=true) %}{{ resources.title }}</nav>";
    let text = fs::read_to_string(&template).unwrap();
    assert!(text.contains("{% block content %}"), "{text}");
    fs::write(&template, text.replacen("{% block content %}", lookups, 1)).unwrap();
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    for page in ["content/about.md", "content/guide/schedule.md"] {
        let file = fs::File::options()
            .write(true)
            .open(site.root().join(page))
            .unwrap();
        file.set_modified(long_ago).unwrap();
    }
    site
}

fn options(root: &Path, output: PathBuf) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output,
        drafts: false,
        overrides: Overrides::default(),
        progress: false,
    }
}

/// Every file below a folder, relative, sorted, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).unwrap();
            (
                relative.to_string_lossy().replace('\\', "/"),
                fs::read(entry.path()).unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

#[track_caller]
fn assert_same_files(preview: &Path, reference: &Path, what: &str) {
    let (got, want) = (files(preview), files(reference));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    pretty_assertions::assert_eq!(names(&got), names(&want), "{what}: the files differ");
    for ((name, got), (_, want)) in got.iter().zip(&want) {
        if got != want {
            pretty_assertions::assert_eq!(
                String::from_utf8_lossy(got),
                String::from_utf8_lossy(want),
                "{what}: {name} differs"
            );
        }
    }
}

/// A preview of the site at `root` after its first (full) build, and its folder.
fn built_preview(root: &Path) -> (PathBuf, Preview) {
    let out = root.join(".iopsite/preview");
    let mut preview = Preview::new(options(root, out.clone()));
    preview.rebuild(&[]).unwrap();
    (out, preview)
}

/// The preview folder holds exactly what a fresh full build of the site makes.
#[track_caller]
fn assert_same_as_a_fresh_build(root: &Path, preview: &Path, what: &str) {
    let reference = tempfile::tempdir().unwrap();
    iopsite::build(&options(root, reference.path().join("public"))).unwrap();
    assert_same_files(preview, &reference.path().join("public"), what);
}

/// The markdown files below `content/`, relative to the site (`content/guide/notes.md`).
fn pages(root: &Path) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "md"))
        .map(|entry| {
            let relative = entry.path().strip_prefix(root).unwrap();
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

fn append(root: &Path, path: &str, text: &str) {
    let mut body = fs::read_to_string(root.join(path)).unwrap();
    body.push_str(text);
    fs::write(root.join(path), body).unwrap();
}

/// Replace the first line starting with `key` (in the front matter) by `line`.
fn set_line(root: &Path, path: &str, key: &str, line: &str) -> bool {
    let text = fs::read_to_string(root.join(path)).unwrap();
    let Some(old) = text.lines().find(|l| l.starts_with(key)) else {
        return false;
    };
    fs::write(root.join(path), text.replacen(old, line, 1)).unwrap();
    true
}

/// Set a key of a page's front matter: its line replaced, or added at the top.
fn set_key(root: &Path, path: &str, key: &str, line: &str) {
    if set_line(root, path, key, line) {
        return;
    }
    let text = fs::read_to_string(root.join(path)).unwrap();
    let edited = text.replacen("+++\n", &format!("+++\n{line}\n"), 1);
    fs::write(root.join(path), edited).unwrap();
}

/// Make one random edit; returns the changed paths (as the watcher reports them) and what was done.
fn edit(root: &Path, rng: &mut Rng, step: usize) -> (Vec<String>, String) {
    let all = pages(root);
    let page = rng.pick(&all).clone();
    let mine: Vec<String> = all
        .iter()
        .filter(|p| p.contains("/new-") || p.ends_with("notes.md") || p.ends_with("photos.md"))
        .cloned()
        .collect();
    let changed = |paths: &[&str]| paths.iter().map(|p| (*p).to_string()).collect::<Vec<_>>();
    match rng.below(24) {
        0..=8 => {
            append(
                root,
                &page,
                &format!("\nA sentence added at step {step}.\n"),
            );
            (changed(&[&page]), format!("text added to {page}"))
        }
        9 => {
            append(root, &page, "\nAn addict can be cured.\n");
            (changed(&[&page]), format!("a stigmatizing word in {page}"))
        }
        10 => {
            append(root, &page, &format!("\n## Heading {step}\n\nMore text.\n"));
            (changed(&[&page]), format!("a heading added to {page}"))
        }
        11 => {
            let title = format!("title = \"Title {step}\"");
            set_line(root, &page, "title", &title);
            (changed(&[&page]), format!("new title in {page}"))
        }
        12 => {
            let date = format!("date = 2026-03-{:02}", 1 + step % 28);
            let done = set_line(root, &page, "date", &date);
            (changed(&[&page]), format!("new date in {page} ({done})"))
        }
        13 => {
            let section = rng.pick(&["content/guide", "content/resources", "content"]);
            let path = format!("{section}/new-{step}.md");
            let dated = if section.ends_with("resources") {
                "date = 2026-04-01\n[taxonomies]\ntags = [\"family\"]\n"
            } else {
                ""
            };
            fs::write(
                root.join(&path),
                format!("+++\ntitle = \"New {step}\"\ndescription = \"Page {step}.\"\n{dated}+++\nNew text.\n"),
            )
            .unwrap();
            (changed(&[&path]), format!("new page {path}"))
        }
        14 if !mine.is_empty() => {
            let gone = rng.pick(&mine).clone();
            fs::remove_file(root.join(&gone)).unwrap();
            (changed(&[&gone]), format!("deleted {gone}"))
        }
        15 if !mine.is_empty() => {
            let from = rng.pick(&mine).clone();
            let to = from.replace(".md", &format!("-r{step}.md"));
            fs::rename(root.join(&from), root.join(&to)).unwrap();
            (changed(&[&from, &to]), format!("renamed {from} to {to}"))
        }
        16 => {
            // A page's template, a partial that two templates include, or the layout every page extends.
            let template = *rng.pick(&[
                "themes/default/templates/page.html",
                "themes/default/templates/partials/review.html",
                "themes/default/templates/partials/footer.html",
            ]);
            let text = fs::read_to_string(root.join(template)).unwrap();
            // Inside the block of a template that extends another: text outside blocks is a mistake there.
            let mark = format!("<!-- edit {step} -->\n");
            let edited = match text.rfind("{% endblock") {
                Some(at) => format!("{}{mark}{}", &text[..at], &text[at..]),
                None => text + &mark,
            };
            fs::write(root.join(template), edited).unwrap();
            (changed(&[template]), format!("template {template} edited"))
        }
        17 => {
            let file = rng.pick(&["static/extra.css", "static/more.css"]);
            fs::write(root.join(file), format!("p {{ margin: {step}px; }}\n")).unwrap();
            (changed(&[file]), format!("static file {file}"))
        }
        18 => {
            let line = format!("description = \"Edited at step {step}.\"");
            set_line(root, "config.toml", "description", &line);
            (changed(&["config.toml"]), "config.toml edited".into())
        }
        20 if !mine.is_empty() => {
            let page = rng.pick(&mine).clone();
            set_key(root, &page, "draft", "draft = true");
            (changed(&[&page]), format!("new draft {page}"))
        }
        21 if !mine.is_empty() => {
            let page = rng.pick(&mine).clone();
            set_key(root, &page, "slug", &format!("slug = \"moved-{step}\""));
            (changed(&[&page]), format!("new slug in {page}"))
        }
        23 => {
            // Every image of the page becomes a link to its file: the copies it showed go.
            let text = fs::read_to_string(root.join(&page)).unwrap();
            fs::write(root.join(&page), text.replace("![", "[")).unwrap();
            (changed(&[&page]), format!("images of {page} made links"))
        }
        22 => {
            let weight = rng.below(5);
            set_key(root, &page, "weight", &format!("weight = {weight}"));
            (changed(&[&page]), format!("new weight in {page}"))
        }
        _ => {
            append(
                root,
                &page,
                "\nSee [the times](@/guide/schedule.md#times) and ![A view](@/guide/entrance.png).\n",
            );
            (
                changed(&[&page]),
                format!("a link to a heading and an image in {page}"),
            )
        }
    }
}

/// How many rebuilds of a sequence went each way.
#[derive(Default)]
struct Ways {
    /// Rendered only what the change touched.
    incremental: usize,
    /// Of those, edits that change more than one page's text: front matter, new, deleted and renamed pages.
    beyond_one_page: usize,
    /// Both the preview and the full build failed.
    failed: usize,
    /// Of the incremental rebuilds, those that fixed a mistake: the first good build after a failed one.
    after_a_mistake: usize,
}

/// Apply `steps` random edits from `seed`; after each, the preview equals a fresh full build (or both fail).
fn run_sequence(seed: u64, steps: usize) -> Ways {
    let site = site();
    let root = site.root();
    let (out, mut preview) = built_preview(root);
    let mut rng = Rng(seed);
    let (mut ways, mut broken): (Ways, Option<(String, String)>) = (Ways::default(), None);
    for step in 0..steps {
        let (changed, what) = match broken.take() {
            // A mistake is fixed at the next save: the first good build after a failed one.
            Some((path, text)) => {
                fs::write(root.join(&path), text).unwrap();
                (vec![path.clone()], format!("{path} fixed"))
            }
            None if rng.below(12) == 0 => {
                let path = rng.pick(&pages(root)).clone();
                let text = fs::read_to_string(root.join(&path)).unwrap();
                fs::write(root.join(&path), text.replacen("title = ", "title = = ", 1)).unwrap();
                broken = Some((path.clone(), text));
                (
                    vec![path.clone()],
                    format!("a front matter mistake in {path}"),
                )
            }
            None => edit(root, &mut rng, step),
        };
        let what = format!("seed {seed}, step {step}: {what}");
        let rebuilt = preview.rebuild(&changed);
        let reference = tempfile::tempdir().unwrap();
        let fresh = iopsite::build(&options(root, reference.path().join("public")));
        match (&rebuilt, &fresh) {
            (Ok(rebuilt), Ok(_)) => {
                ways.incremental += usize::from(rebuilt.incremental);
                let beyond = ["new ", "deleted", "renamed"];
                if rebuilt.incremental && beyond.iter().any(|kind| what.contains(kind)) {
                    ways.beyond_one_page += 1;
                }
                if rebuilt.incremental && what.ends_with("fixed") {
                    ways.after_a_mistake += 1;
                }
                assert_same_files(&out, &reference.path().join("public"), &what);
            }
            (Err(_), Err(_)) => ways.failed += 1,
            (Ok(_), Err(err)) => panic!("{what}: the preview built, a full build failed: {err}"),
            (Err(err), Ok(_)) => panic!("{what}: the preview failed, a full build worked: {err}"),
        }
    }
    ways
}

#[test]
fn the_preview_equals_a_full_build_after_every_random_edit() {
    let mut ways = Ways::default();
    for seed in [0x9E37_79B9_7F4A_7C15, 17, 2026] {
        let sequence = run_sequence(seed, 40);
        ways.incremental += sequence.incremental;
        ways.beyond_one_page += sequence.beyond_one_page;
        ways.failed += sequence.failed;
        ways.after_a_mistake += sequence.after_a_mistake;
    }
    println!(
        "{} rebuilds incremental, {} of them beyond one page's text, {} after a mistake; {} failed both ways",
        ways.incremental, ways.beyond_one_page, ways.after_a_mistake, ways.failed
    );
    // The comparison above proves nothing about the incremental ways unless they ran.
    assert!(
        ways.incremental >= 50,
        "only {} rebuilds rendered only what changed",
        ways.incremental
    );
    // A mistake in front matter leaves what the last good build read: the save that fixes it starts from there.
    assert!(
        ways.after_a_mistake >= 3,
        "only {} fixes were rebuilt incrementally",
        ways.after_a_mistake
    );
    assert!(
        ways.beyond_one_page >= 15,
        "only {} front matter, new, deleted or renamed pages were rebuilt incrementally",
        ways.beyond_one_page
    );
}

#[test]
fn a_text_edit_renders_one_page_and_a_title_edit_only_what_shows_the_title() {
    let site = site();
    let root = site.root();
    let out = root.join(".iopsite/preview");
    let mut preview = Preview::new(options(root, out.clone()));
    let full = preview.rebuild(&[]).unwrap();
    assert!(!full.incremental);
    let page = "content/guide/first-day.md";
    append(root, page, "\nBring a friend if you like.\n");
    let text = preview.rebuild(&[page.to_string()]).unwrap();
    assert!(text.incremental);
    assert_eq!((text.summary.pages, text.summary.files), (1, 1));
    let html = fs::read_to_string(out.join("guide/first-day/index.html")).unwrap();
    assert!(html.contains("Bring a friend if you like."), "{html}");
    set_line(root, page, "title", "title = \"Day one\"");
    let unrelated = out.join("resources/index.html");
    let untouched = fs::metadata(&unrelated).unwrap().modified().unwrap();
    let title = preview.rebuild(&[page.to_string()]).unwrap();
    assert!(title.incremental);
    // The page, its section's list, its neighbours, its translation (which names it in the language switcher) and
    // the pages whose navigation lists the guide's pages (see `site`); not the others.
    let again = title.summary.pages;
    assert!(again >= 4 && again < full.summary.pages, "{again}");
    let section = fs::read_to_string(out.join("guide/index.html")).unwrap();
    assert!(section.contains("Day one"), "{section}");
    assert_eq!(
        fs::metadata(&unrelated).unwrap().modified().unwrap(),
        untouched
    );
    // A section's own title: the pages that show it through `get_section(…, metadata_only=true)` follow.
    let section = "content/resources/_index.md";
    set_line(root, section, "title", "title = \"Reading for families\"");
    assert!(preview.rebuild(&[section.to_string()]).unwrap().incremental);
    assert_same_as_a_fresh_build(root, &out, "a section's title");
    // The only page of a section deleted: the section's list is empty now.
    let only = "content/news/notes.md";
    fs::remove_file(root.join(only)).unwrap();
    assert!(preview.rebuild(&[only.to_string()]).unwrap().incremental);
    assert_same_as_a_fresh_build(root, &out, "a section's only page deleted");
    assert!(!out.join("news/notes/index.html").exists());
}

/// `check` while writing, through the real server: a save that adds a stigmatizing word renders that page alone,
/// prints the finding once and shows it in the page's panel at its markdown line; the fix takes the panel away.
#[test]
fn a_saved_page_is_checked_and_its_panel_shows_the_finding_until_it_is_fixed() {
    use crate::server::Server;
    let site = site();
    let server = Server::start(&site, &[]);
    let (url, page) = ("/guide/first-day/", "content/guide/first-day.md");
    let state = server.state(url);
    assert!(!server.get(url).body.contains("iopsite-panel"));
    let original = fs::read_to_string(site.root().join(page)).unwrap();
    let line = original.lines().count() + 2;
    append(site.root(), page, "\nEvery addict is welcome here.\n");
    server.next_build(&state);
    let answer = server.get(url);
    answer
        .has("<aside id=\"iopsite-panel\"")
        .has("<summary>1 suggestion ")
        .has(&format!("content/guide/first-day.md, line {line}"))
        .has("person-first (warning)");
    server.wait_for_output(&format!("{page}:{line}: warning: "));
    server.wait_for_output("rebuilt 1 page in");
    assert!(
        !server
            .get("/guide/schedule/")
            .body
            .contains("iopsite-panel")
    );
    // Saved again with the same finding: not printed again.
    let state = server.state(url);
    append(site.root(), page, "\nSee you soon.\n");
    server.next_build(&state);
    let state = server.state(url);
    assert_eq!(server.stdout().matches("person-first").count(), 1);
    fs::write(site.root().join(page), &original).unwrap();
    server.next_build(&state);
    assert!(!server.get(url).body.contains("iopsite-panel"));
    server.wait_for_output(&format!("{page}: no suggestions left"));
    let preview = fs::read_to_string(
        site.root()
            .join(".iopsite/preview/guide/first-day/index.html"),
    )
    .unwrap();
    assert!(!preview.contains("iopsite-panel"));
}

/// A full rebuild (here config.toml turning the rule off, with its reason) checks again the pages whose panel is
/// shown.
#[test]
fn a_rule_turned_off_in_config_takes_the_panel_away() {
    use crate::server::Server;
    let site = site();
    let server = Server::start(&site, &[]);
    let (url, page) = ("/guide/schedule/", "content/guide/schedule.md");
    let state = server.state(url);
    append(site.root(), page, "\nWe guarantee a place.\n");
    server.next_build(&state);
    server
        .get(url)
        .has("claims (warning)")
        .has("<summary>1 suggestion ");
    let state = server.state(url);
    append(
        site.root(),
        "config.toml",
        "\n[check.ignore]\nclaims = \"this test site quotes promises on purpose\"\n",
    );
    server.next_build(&state);
    assert!(!server.get(url).body.contains("iopsite-panel"));
    server.wait_for_output(&format!("{page}: no suggestions left"));
}

/// A backup made with hard links (`cp -al public backup`) stays as it was: a rebuild replaces a linked file rather
/// than writing through it, as the full build does.
#[test]
fn an_incremental_rebuild_never_writes_through_a_hard_link() {
    let site = site();
    let root = site.root();
    let (out, mut preview) = built_preview(root);
    let backup = root.join("backup");
    fs::create_dir_all(backup.join("guide")).unwrap();
    for file in ["guide/first-day/index.html", "guide/index.html"] {
        let linked = backup.join(file.replace('/', "-"));
        fs::hard_link(out.join(file), &linked).unwrap();
    }
    let before = files(&backup);
    let page = "content/guide/first-day.md";
    append(root, page, "\nBring a friend if you like.\n");
    assert!(preview.rebuild(&[page.to_string()]).unwrap().incremental);
    set_line(root, page, "title", "title = \"Day one\"");
    assert!(preview.rebuild(&[page.to_string()]).unwrap().incremental);
    let section = fs::read_to_string(out.join("guide/index.html")).unwrap();
    assert!(section.contains("Day one"), "{section}");
    assert_eq!(files(&backup), before, "the backup changed");
}

/// The image copies follow the pages that show them: when no page shows an image any more its copies go, and when a
/// page shows it again they come back, each rebuild rendering only what changed.
#[test]
fn image_copies_follow_the_pages_that_show_them() {
    let site = site();
    let root = site.root();
    let (out, mut preview) = built_preview(root);
    let copies = || {
        files(&out)
            .into_iter()
            .filter(|(name, _)| name.starts_with("processed_images/"))
            .count()
    };
    assert!(copies() > 0, "the photos page shows copies");
    let photos = "content/guide/photos.md";
    let text = fs::read_to_string(root.join(photos)).unwrap();
    fs::write(root.join(photos), text.replace("![", "[")).unwrap();
    let gone = preview.rebuild(&[photos.to_string()]).unwrap();
    assert!(gone.incremental);
    assert_eq!(copies(), 0);
    assert_same_as_a_fresh_build(root, &out, "no page shows the photo");
    let about = "content/about.md";
    append(root, about, "\n![The entrance](@/guide/entrance.png)\n");
    let back = preview.rebuild(&[about.to_string()]).unwrap();
    assert!(back.incremental);
    assert!(copies() > 0);
    assert_same_as_a_fresh_build(root, &out, "another page shows the photo");
}
