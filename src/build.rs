//! Stage 8: the build, read as a table of contents: config → content → site → render → output (each file written
//! as it is rendered, into a staging folder swapped in at the end).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{Config, Overrides};
use crate::error::{Error, Location, Result};
use crate::images::Library;
use crate::output::Leftover;
use crate::render::{KeepPages, OutputFile, PageRenderer};
use crate::shortcodes::Shortcodes;
use crate::site::Site;
use crate::templates::TemplateSources;
use crate::{content, markdown, output, render, site};

pub mod incremental;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (holds `config.toml`).
    pub root: PathBuf,
    /// Where the site is written.
    pub output: PathBuf,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Command-line settings that win over `config.toml`.
    pub overrides: Overrides,
    /// Show how many images are done while they are made, if standard error is a terminal.
    pub progress: bool,
}

/// What a build did.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Pages and sections rendered.
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// How long it took.
    pub elapsed: Duration,
    /// Image files made, and found in the cache.
    pub images: crate::images::Work,
}

/// Build the site into the output folder, all or nothing. Each file is written as soon as it is rendered.
pub fn build(options: &BuildOptions) -> Result<Summary> {
    finish(build_with(options, KeepPages::No)?, Memory::Free)
}

/// [`build`] for a process that ends right after it, like the `build` command: the memory holding the site is left
/// for the operating system to take back at exit, in one go, instead of being freed one piece at a time (a great
/// many small pieces: over 100 ms of a 10,000-page build).
pub fn build_before_exit(options: &BuildOptions) -> Result<Summary> {
    finish(build_with(options, KeepPages::No)?, Memory::LeaveToExit)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Memory {
    Free,
    LeaveToExit,
}

fn finish(built: Built, memory: Memory) -> Result<Summary> {
    let Built {
        mut summary,
        leftover,
        pages,
        held,
        ..
    } = built;
    let removing = Instant::now();
    leftover.remove()?;
    summary.elapsed += removing.elapsed();
    if memory == Memory::LeaveToExit {
        std::mem::forget((pages, held));
    }
    Ok(summary)
}

/// What a server keeps from a good build.
pub struct Built {
    /// What the build did.
    pub summary: Summary,
    /// Renders pages again (the contact page with the form's messages) until the next good build.
    pub pages: PageRenderer,
    /// The configuration the site was built with (command-line overrides applied).
    pub config: Config,
    /// The previous output, for the caller to remove once it has announced the new site.
    pub leftover: Leftover,
    /// The site as read and rendered, still in memory: the caller can free it after announcing the new site.
    pub held: Held,
}

/// A site's pages as read and rendered, held in memory.
pub struct Held(
    #[expect(dead_code, reason = "held only to be freed when the caller chooses")] Site,
);

/// [`build`], keeping what a server needs afterwards ([`Built`]).
pub fn build_keeping_pages(options: &BuildOptions) -> Result<Built> {
    build_with(options, KeepPages::Yes)
}

fn build_with(options: &BuildOptions, keep: KeepPages) -> Result<Built> {
    let full = build_site(options, keep, Bodies::Drop)?;
    Ok(Built {
        summary: full.summary,
        pages: full.pages,
        config: full.site.config.clone(),
        leftover: full.leftover,
        held: Held(full.site),
    })
}

/// What a full build made and read.
struct FullBuild {
    /// The site as rendered.
    site: Site,
    /// What was done.
    summary: Summary,
    /// Renders pages again.
    pages: PageRenderer,
    /// The previous output, to remove.
    leftover: Leftover,
    /// What the preview needs to render only what a change touches.
    kept: render::Kept,
    /// The templates' texts.
    sources: TemplateSources,
}

/// Whether pages keep their markdown after a build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bodies {
    /// Freed as each page is rendered.
    Drop,
    /// Given back to each page's source: the preview compares later saves with it.
    Keep,
}

/// A full build: check the output folder, read the site, render it into the staging folder, swap that in, and prune
/// the image cache.
fn build_site(options: &BuildOptions, keep: KeepPages, bodies: Bodies) -> Result<FullBuild> {
    let start = Instant::now();
    check_output_folder(&options.root, &options.output)?;
    // Taking stock of the spare output folder overlaps with reading the site.
    let (staging, loaded) = rayon::join(
        || output::Staging::create(&options.output),
        || load(options, Purpose::Build),
    );
    // Content errors first: they are the ones staff can fix.
    let (mut site, templates) = loaded?;
    let staging = staging?;
    // The render stage takes each page's body.
    let markdown: Vec<String> = match bodies {
        Bodies::Keep => site.pages.iter().map(|p| p.source.body.clone()).collect(),
        Bodies::Drop => Vec::new(),
    };
    let (files, pages, kept) =
        render::render_each(&options.root, &templates, &mut site, keep, |file| {
            staging.write(file)
        })?;
    let leftover = staging.swap_in()?;
    // Only after a good build: a failed one may not have asked for every copy the site still uses.
    site.library.prune_cache()?;
    for (page, body) in site.pages.iter_mut().zip(markdown) {
        page.source.body = body;
    }
    let summary = Summary {
        pages: site.pages.len(),
        files,
        elapsed: start.elapsed(),
        images: site.library.work(),
    };
    Ok(FullBuild {
        site,
        summary,
        pages,
        leftover,
        kept,
        sources: templates,
    })
}

/// Load and render the site without writing anything.
pub fn render_site(options: &BuildOptions) -> Result<(Site, Vec<OutputFile>)> {
    let (site, templates) = load(options, Purpose::Check)?;
    let files = render::render(&options.root, &templates, &site)?;
    Ok((site, files))
}

/// What a site is loaded for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Writing it. When no template reads another page's markdown, each page's markdown is rendered just before
    /// its template and its HTML dropped once written, instead of every page's HTML being held until the last
    /// page is written (at 10,000 pages: peak memory 233 → 128 MB, build 0.90 → 0.70 s).
    Build,
    /// Checking it (`iopsite check`): every page's HTML is read, and so are the source map and every link.
    Check,
}

/// Read the config, the content and the templates, and assemble the site.
fn load(options: &BuildOptions, purpose: Purpose) -> Result<(Site, TemplateSources)> {
    let mut config = Config::load(&options.root.join("config.toml"), Path::new("config.toml"))?;
    config.apply(&options.overrides);
    crate::languages::add_theme_strings(&options.root, &mut config)?;
    let mut content = content::load(&options.root, options.drafts);
    let (mut library, image_errors) = Library::scan(&options.root, &config, &content.assets);
    library.show_progress(options.progress);
    content.errors.extend(image_errors);
    let templates = TemplateSources::read(&options.root, &config.theme);
    // Like Hugo, which counts a page's words only when a template asks. Templates that cannot be read count as
    // asking; their error is reported after the content's, which staff can fix first.
    let asked = |fields: &[&str]| {
        templates
            .as_ref()
            .map_or(true, |templates| templates.may_read_any(fields))
    };
    let wanted = markdown::Wanted {
        word_count: asked(&["word_count", "reading_time"]),
        toc: asked(&["toc"]),
        checks: purpose == Purpose::Check,
    };
    let deferred = purpose == Purpose::Build
        && templates
            .as_ref()
            .is_ok_and(TemplateSources::read_only_own_markdown);
    let shortcodes = Shortcodes::load(
        &options.root,
        &config.theme,
        crate::context::config_globals(&config),
    )?
    .with_languages(crate::context::shortcode_languages(&config));
    let site = if deferred {
        site::assemble_deferred(config, content, library, wanted, shortcodes)?
    } else {
        site::assemble(config, content, library, wanted, shortcodes)?
    };
    Ok((site, templates?))
}

/// The output folder is replaced on every build, so it must never be the site itself or one of its source folders.
fn check_output_folder(root: &Path, output: &Path) -> Result<()> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, out) = (absolute(root), absolute(output));
    let sources =
        ["content", "themes", "templates", "static", "config.toml"].map(|name| root.join(name));
    if root.starts_with(&out) || sources.iter().any(|source| out.starts_with(source)) {
        let message = format!(
            "the output folder {} would replace the site's own files: choose an empty folder such as public/",
            output.display()
        );
        return Err(Error::Config {
            at: Location::file("--output"),
            message,
        });
    }
    Ok(())
}
