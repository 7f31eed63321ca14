//! Part of the render stage: the pages and files made from lists of pages rather than from one content file. The
//! further pagers of a paginated section (`/resources/page/2/`, and `/resources/page/1/` sending visitors to
//! `/resources/`), the taxonomy pages (`/tags/`, `/tags/family/`, their pagers) and the Atom feeds (`/atom.xml`,
//! `/resources/atom.xml`, `/tags/family/atom.xml`). It also gives the pages it knows about their extra variables:
//! `paginator` on a paginated section's first page, and `feeds` (the `<link rel="alternate">` of the head).

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;

use super::{OutputFile, content_of, redirect_page};
use crate::config::FeedContent;
use crate::context::permalink;
use crate::error::{Error, Location, Result};
use crate::feed::{self, Entry, Feed};
use crate::paginate::{self, Pager};
use crate::site::Site;
use crate::taxonomy::{self, Taxonomy, Term};
use crate::templates::Templates;

/// Everything made from lists, worked out before any page is rendered.
pub(super) struct Lists {
    taxonomies: Vec<Taxonomy>,
    /// Paginated section (index into the site's pages) → (pages per pager, its pagers).
    paginated: HashMap<usize, (usize, Vec<Pager>)>,
    feeds: Vec<FeedPlan>,
    /// The site feed's link, which every page's head gets.
    site_feed: Vec<FeedLink>,
    /// Per page: whether a feed shows it, and its HTML for the feed once rendered.
    in_feed: Vec<bool>,
    feed_html: Vec<OnceLock<String>>,
}

/// One feed to write.
struct FeedPlan {
    /// URL path of the page it is about: `/`, `/resources/`, `/tags/family/`.
    page_path: String,
    title: String,
    subtitle: String,
    /// Its pages, newest first, at most `feed_limit`.
    entries: Vec<usize>,
}

impl FeedPlan {
    fn path(&self) -> String {
        format!("{}atom.xml", self.page_path)
    }
}

/// A feed as the head of a page links to it.
#[derive(Debug, Clone, Serialize)]
struct FeedLink {
    title: String,
    url: String,
}

/// The context a term or taxonomy page's template sees of its taxonomy (Zola's `taxonomy`).
#[derive(Serialize)]
struct TaxonomyValue<'a> {
    name: &'a str,
    slug: &'a str,
    feed: bool,
    paginate_by: Option<usize>,
    path: String,
    permalink: String,
}

impl Lists {
    /// Group the site's pages by term, plan the pagers and the feeds. Errors: taxonomy mistakes in front matter
    /// ([`taxonomy::collect`]), `paginate_by = 0`, and pager addresses a content page has already.
    pub(super) fn new(site: &Site) -> Result<Lists> {
        let taxonomies = taxonomy::collect(site)?;
        let paginated = paginated_sections(site)?;
        let mut feeds = Vec::new();
        let limit = site.config.feed_limit.unwrap_or(usize::MAX);
        let dated = |pages: &[usize]| -> Vec<usize> {
            let mut dated: Vec<usize> = pages
                .iter()
                .copied()
                .filter(|&i| site.pages[i].source.front_matter.date.is_some())
                .collect();
            taxonomy::sort_newest_first(site, &mut dated);
            dated.truncate(limit);
            dated
        };
        if site.config.generate_feeds {
            // The site's feed is in its main language; a translated section can have its own feed.
            let all: Vec<usize> = (0..site.pages.len())
                .filter(|&i| !site.pages[i].source.is_section)
                .filter(|&i| site.pages[i].lang == site.languages.default)
                .collect();
            feeds.push(FeedPlan {
                page_path: "/".into(),
                title: site.config.title.clone(),
                subtitle: site.config.description.clone(),
                entries: dated(&all),
            });
        }
        for page in site
            .pages
            .iter()
            .filter(|p| p.source.is_section && p.source.front_matter.generate_feeds)
        {
            let fm = &page.source.front_matter;
            feeds.push(FeedPlan {
                page_path: page.source.path.clone(),
                title: format!("{}: {}", site.config.title, page.source.title()),
                subtitle: fm.description.clone().unwrap_or_default(),
                entries: dated(&page.pages),
            });
        }
        for taxonomy in taxonomies.iter().filter(|t| t.config.feed) {
            for term in &taxonomy.terms {
                feeds.push(FeedPlan {
                    page_path: term.path.clone(),
                    title: format!("{}: {}", site.config.title, term.name),
                    subtitle: String::new(),
                    entries: dated(&term.pages),
                });
            }
        }
        let mut in_feed = vec![false; site.pages.len()];
        for plan in &feeds {
            for &entry in &plan.entries {
                in_feed[entry] = true;
            }
        }
        let site_feed = feeds
            .iter()
            .filter(|plan| plan.page_path == "/" && site.config.generate_feeds)
            .take(1)
            .map(|plan| feed_link(site, plan))
            .collect();
        Ok(Lists {
            taxonomies,
            paginated,
            feeds,
            site_feed,
            feed_html: (0..site.pages.len()).map(|_| OnceLock::new()).collect(),
            in_feed,
        })
    }

    /// The `feeds` every template sees unless its page has its own: the site's feed, if it has one.
    pub(super) fn global_feeds(&self) -> Value {
        Value::from_serializable(&self.site_feed)
    }

    /// Keep a page's HTML for the feeds that show it (the render stage drops it once the page is written).
    pub(super) fn keep_html(&self, index: usize, html: &str) {
        self.keep_html_with(index, || html);
    }

    /// [`Lists::keep_html`], with the HTML looked up only when a feed shows the page.
    pub(super) fn keep_html_with<'h>(&self, index: usize, html: impl FnOnce() -> &'h str) {
        if self.in_feed[index] {
            let _ = self.feed_html[index].set(html().to_string());
        }
    }

    /// Add what a page's template needs from lists: `paginator` on a paginated section, and `feeds` when the page
    /// has a feed of its own.
    pub(super) fn add_to_page(
        &self,
        site: &Site,
        index: usize,
        values: &[Value],
        context: &mut tera::Context,
    ) {
        if let Some((per_page, pagers)) = self.paginated.get(&index) {
            let items = member_values(&site.pages[index].pages, values);
            let value = paginate::paginator(pagers, 1, &items, *per_page, &site.config.base_url);
            context.insert_value("paginator", value);
        }
        let path = &site.pages[index].source.path;
        if let Some(plan) = self
            .feeds
            .iter()
            .find(|plan| plan.page_path == *path && *path != "/")
        {
            context.insert("feeds", &self.links_with(feed_link(site, plan)));
        }
    }

    fn links_with(&self, own: FeedLink) -> Vec<FeedLink> {
        let mut links = self.site_feed.clone();
        links.push(own);
        links
    }

    /// Taxonomy pages and their first pagers, for the sitemap (further pagers are left out of it, as are a
    /// section's).
    pub(super) fn sitemap_paths(&self) -> Vec<String> {
        let mut paths = Vec::new();
        for taxonomy in &self.taxonomies {
            paths.push(taxonomy.path());
            paths.extend(taxonomy.terms.iter().map(|term| term.path.clone()));
        }
        paths
    }

    /// Every file made from lists. `values` and `breadcrumbs`: every page's, as the page pass used them.
    pub(super) fn render(
        &self,
        templates: &Templates,
        site: &Site,
        values: &[Value],
        breadcrumbs: &[Value],
    ) -> Result<Vec<OutputFile>> {
        let mut jobs: Vec<Job<'_>> = Vec::new();
        for (&section, (per_page, pagers)) in &self.paginated {
            jobs.push(Job::FirstPagerRedirect(&site.pages[section].source.path));
            jobs.extend(
                pagers
                    .iter()
                    .skip(1)
                    .map(|pager| Job::SectionPager(section, *per_page, pagers, pager.index)),
            );
        }
        for taxonomy in &self.taxonomies {
            check_templates(templates, site, taxonomy)?;
            jobs.push(Job::TaxonomyList(taxonomy));
            for term in &taxonomy.terms {
                let per_page = taxonomy.config.paginate_by.unwrap_or(usize::MAX);
                let pagers = paginate::pagers(&term.path, term.pages.len(), per_page);
                if pagers.len() > 1 {
                    jobs.push(Job::FirstPagerRedirect(&term.path));
                }
                jobs.extend(
                    (1..=pagers.len())
                        .map(|index| Job::Term(taxonomy, term, pagers.clone(), index)),
                );
            }
        }
        jobs.extend(self.feeds.iter().map(Job::Feed));
        jobs.into_par_iter()
            .map(|job| self.run(job, templates, site, values, breadcrumbs))
            .collect()
    }

    fn run(
        &self,
        job: Job<'_>,
        templates: &Templates,
        site: &Site,
        values: &[Value],
        breadcrumbs: &[Value],
    ) -> Result<OutputFile> {
        let base_url = &site.config.base_url;
        match job {
            Job::FirstPagerRedirect(path) => Ok(OutputFile::bytes(
                format!(
                    "{}{}/1/index.html",
                    path.trim_start_matches('/'),
                    paginate::PAGE_PATH
                ),
                redirect_page(base_url, path),
            )),
            Job::SectionPager(section, per_page, pagers, index) => {
                let page = &site.pages[section];
                let items = member_values(&page.pages, values);
                let mut context = tera::Context::new();
                context.insert_value("section", values[section].clone());
                context.insert_value("breadcrumbs", breadcrumbs[section].clone());
                context.insert_value(
                    "paginator",
                    paginate::paginator(pagers, index, &items, per_page, base_url),
                );
                self.add_feeds(site, &page.source.path, &mut context);
                let name = super::template_for(site, page);
                Self::page(
                    templates,
                    site,
                    &pagers[index - 1].path,
                    name,
                    &mut context,
                    &page.source.shown,
                )
            }
            Job::TaxonomyList(taxonomy) => {
                let terms: Vec<Value> = taxonomy
                    .terms
                    .iter()
                    .map(|term| term_value(site, term, values))
                    .collect();
                let mut context = tera::Context::new();
                context.insert("taxonomy", &taxonomy_value(site, taxonomy));
                context.insert_value("terms", Value::from(terms.as_slice()));
                context.insert("breadcrumbs", &[home_crumb()]);
                let name = list_template(templates, taxonomy);
                Self::page(
                    templates,
                    site,
                    &taxonomy.path(),
                    &name,
                    &mut context,
                    Path::new("config.toml"),
                )
            }
            Job::Term(taxonomy, term, pagers, index) => {
                let mut context = tera::Context::new();
                context.insert("taxonomy", &taxonomy_value(site, taxonomy));
                context.insert_value("term", term_value(site, term, values));
                if let Some(per_page) = taxonomy.config.paginate_by {
                    let items = member_values(&term.pages, values);
                    context.insert_value(
                        "paginator",
                        paginate::paginator(&pagers, index, &items, per_page, base_url),
                    );
                }
                let list = Crumb {
                    title: taxonomy.config.name.clone(),
                    path: taxonomy.path(),
                };
                context.insert("breadcrumbs", &(home_crumb(), list));
                self.add_feeds(site, &term.path, &mut context);
                let name = single_template(templates, taxonomy);
                Self::page(
                    templates,
                    site,
                    &pagers[index - 1].path,
                    &name,
                    &mut context,
                    Path::new("config.toml"),
                )
            }
            Job::Feed(plan) => Ok(OutputFile::bytes(
                plan.path().trim_start_matches('/'),
                self.atom(site, plan, values),
            )),
        }
    }

    fn add_feeds(&self, site: &Site, path: &str, context: &mut tera::Context) {
        if let Some(plan) = self.feeds.iter().find(|plan| plan.page_path == path) {
            context.insert("feeds", &self.links_with(feed_link(site, plan)));
        }
    }

    /// Render one page made from a list at `path` with the template `name`.
    fn page(
        templates: &Templates,
        site: &Site,
        path: &str,
        name: &str,
        context: &mut tera::Context,
        shown: &Path,
    ) -> Result<OutputFile> {
        context.insert("current_path", path);
        context.insert("current_url", &permalink(&site.config.base_url, path));
        context.insert("json_ld", "");
        let html = templates.render_bytes(name, context, shown, 16 * 1024)?;
        Ok(OutputFile::bytes(
            [path.trim_start_matches('/'), "index.html"].concat(),
            html,
        ))
    }

    fn atom(&self, site: &Site, plan: &FeedPlan, values: &[Value]) -> String {
        let config = &site.config;
        let summary_only = config.feed_content == FeedContent::Summary;
        let entries = plan
            .entries
            .iter()
            .map(|&index| {
                let source = &site.pages[index].source;
                let fm = &source.front_matter;
                let url = permalink(&config.base_url, &source.path);
                let html = self.feed_html[index]
                    .get()
                    .map_or_else(|| content_of(&values[index]), String::as_str);
                let content = feed::absolute_links(
                    feed::entry_html(html, summary_only),
                    &config.base_url,
                    &url,
                );
                Entry {
                    title: source.title(),
                    permalink: url,
                    published: fm.date.as_ref().expect("feeds hold dated pages only"),
                    updated: fm.updated.as_ref(),
                    summary: fm.description.as_deref().unwrap_or_default(),
                    content,
                }
            })
            .collect();
        feed::atom(&Feed {
            title: plan.title.clone(),
            subtitle: &plan.subtitle,
            language: &config.language,
            self_url: permalink(&config.base_url, &plan.path()),
            page_url: permalink(&config.base_url, &plan.page_path),
            author: if config.center.name.is_empty() {
                &config.title
            } else {
                &config.center.name
            },
            entries,
        })
    }
}

/// Something to make.
enum Job<'a> {
    /// `…/page/1/` sending visitors to the list's first page.
    FirstPagerRedirect(&'a str),
    /// Pager `index` (2 or more) of a section.
    SectionPager(usize, usize, &'a [Pager], usize),
    /// `/tags/`.
    TaxonomyList(&'a Taxonomy),
    /// Pager `index` of a term.
    Term(&'a Taxonomy, &'a Term, Vec<Pager>, usize),
    /// An Atom feed.
    Feed(&'a FeedPlan),
}

#[derive(Serialize)]
struct Crumb {
    title: String,
    path: String,
}

fn home_crumb() -> Crumb {
    Crumb {
        title: "Home".into(),
        path: "/".into(),
    }
}

fn feed_link(site: &Site, plan: &FeedPlan) -> FeedLink {
    FeedLink {
        title: plan.title.clone(),
        url: permalink(&site.config.base_url, &plan.path()),
    }
}

fn member_values(members: &[usize], values: &[Value]) -> Vec<Value> {
    members.iter().map(|&i| values[i].clone()).collect()
}

fn taxonomy_value<'a>(site: &Site, taxonomy: &'a Taxonomy) -> TaxonomyValue<'a> {
    TaxonomyValue {
        name: &taxonomy.config.name,
        slug: &taxonomy.config.name,
        feed: taxonomy.config.feed,
        paginate_by: taxonomy.config.paginate_by,
        path: taxonomy.path(),
        permalink: permalink(&site.config.base_url, &taxonomy.path()),
    }
}

/// A term as templates see it (Zola's): `name`, `slug`, `path`, `permalink`, `pages`, `page_count`.
fn term_value(site: &Site, term: &Term, values: &[Value]) -> Value {
    let mut map = tera::Map::new();
    map.insert("name".into(), Value::from(term.name.as_str()));
    map.insert("slug".into(), Value::from(term.slug.as_str()));
    map.insert("path".into(), Value::from(term.path.as_str()));
    map.insert(
        "permalink".into(),
        Value::from(permalink(&site.config.base_url, &term.path)),
    );
    map.insert(
        "pages".into(),
        Value::from(member_values(&term.pages, values).as_slice()),
    );
    map.insert("page_count".into(), Value::from(term.pages.len()));
    Value::from(map)
}

/// `tags/list.html` when the theme has one for this taxonomy, else `taxonomy_list.html` (as in Zola).
fn list_template(templates: &Templates, taxonomy: &Taxonomy) -> String {
    own_or_shared(templates, taxonomy, "list.html", "taxonomy_list.html")
}

fn single_template(templates: &Templates, taxonomy: &Taxonomy) -> String {
    own_or_shared(templates, taxonomy, "single.html", "taxonomy_single.html")
}

fn own_or_shared(templates: &Templates, taxonomy: &Taxonomy, own: &str, shared: &str) -> String {
    let own = format!("{}/{own}", taxonomy.config.name);
    if templates.has(&own) {
        own
    } else {
        shared.to_string()
    }
}

fn check_templates(templates: &Templates, site: &Site, taxonomy: &Taxonomy) -> Result<()> {
    for name in [
        list_template(templates, taxonomy),
        single_template(templates, taxonomy),
    ] {
        if !templates.has(&name) {
            let message = format!(
                "config.toml has the taxonomy `{}`, but the theme has no template {name}: add themes/{}/templates/{name} or templates/{name}",
                taxonomy.config.name, site.config.theme
            );
            return Err(Error::Config {
                at: Location::file("config.toml"),
                message,
            });
        }
    }
    Ok(())
}

/// The pagers of every section with `paginate_by`; an error for `paginate_by = 0` and for a pager address that a
/// content page has already.
fn paginated_sections(site: &Site) -> Result<HashMap<usize, (usize, Vec<Pager>)>> {
    let mut paginated = HashMap::new();
    let mut errors = Vec::new();
    let taken: ahash::AHashSet<&str> = site.pages.iter().map(|p| p.source.path.as_str()).collect();
    for (index, page) in site.pages.iter().enumerate() {
        let source = &page.source;
        let Some(per_page) = source.front_matter.paginate_by else {
            continue;
        };
        let at = Location::line(&source.shown, source.key_line("paginate_by"));
        if !source.is_section {
            errors.push(Error::content(at, "only a section (_index.md) can have `paginate_by`: remove it here, or put it in the section's _index.md"));
            continue;
        }
        if per_page == 0 {
            errors.push(Error::content(
                at,
                "`paginate_by` is 0: write how many pages to show on each page, for example 10",
            ));
            continue;
        }
        let pagers = paginate::pagers(&source.path, page.pages.len(), per_page);
        if let Some(pager) = pagers
            .iter()
            .skip(1)
            .find(|pager| taken.contains(pager.path.as_str()))
        {
            let message = format!(
                "the section's page {} would have the address {}, which a content page has already: rename that page",
                pager.index, pager.path
            );
            errors.push(Error::content(at, message));
            continue;
        }
        paginated.insert(index, (per_page, pagers));
    }
    if errors.is_empty() {
        Ok(paginated)
    } else {
        Err(Error::from_list(errors))
    }
}
