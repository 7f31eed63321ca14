//! Taxonomies and feeds in `config.toml`, with Zola's names: `taxonomies = [{ name = "tags", feed = true,
//! paginate_by = 10 }]`, `generate_feeds`, `feed_limit`, and iopsite's `feed_content`. Checked here with nothing but
//! the text; which pages use which taxonomy is the `taxonomy` stage's business.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// One `taxonomies` entry: a way of grouping pages (`tags`, `topics`), published at `/NAME/` and `/NAME/TERM/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// The name pages use in `[taxonomies]` and the first part of its addresses.
    pub name: String,
    /// Make an Atom feed for each term (`/tags/family/atom.xml`).
    pub feed: bool,
    /// Show this many pages per term page, then `/tags/family/page/2/`, …
    pub paginate_by: Option<usize>,
}

/// What a feed entry holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    /// The text before `<!-- more -->` when the page has one, else the whole page.
    #[default]
    Summary,
    /// Always the whole page.
    Full,
}

/// Check the taxonomies: a usable name, written once, and a page size of at least one.
pub(super) fn check(
    taxonomies: &[TaxonomyConfig],
    text: &str,
    shown: &std::path::Path,
) -> Result<()> {
    let at = || Location::line(shown, line_of_key(text, "taxonomies"));
    let fail = |message: String| Err(Error::Config { at: at(), message });
    for (index, taxonomy) in taxonomies.iter().enumerate() {
        let name = &taxonomy.name;
        let usable = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !usable {
            return fail(format!(
                "the taxonomy name `{name}` cannot be an address: use lowercase letters, digits and `-`, for example name = \"tags\""
            ));
        }
        if taxonomies[..index].iter().any(|t| t.name == *name) {
            return fail(format!("the taxonomy `{name}` is listed twice: keep one"));
        }
        if taxonomy.paginate_by == Some(0) {
            return fail(format!(
                "paginate_by of the taxonomy `{name}` is 0: write how many pages to show on each page, for example 10"
            ));
        }
    }
    Ok(())
}

/// The line where a top-level key is written (1 when not found).
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |index| index + 1)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    fn error(text: &str) -> String {
        Config::parse(text, Path::new("config.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_zola_taxonomies_and_feed_settings() {
        let config = Config::parse(
            "generate_feeds = true\nfeed_limit = 20\nfeed_content = \"full\"\ntaxonomies = [{ name = \"tags\", feed = true, paginate_by = 10 }]\n",
            Path::new("config.toml"),
        )
        .unwrap();
        assert!(config.generate_feeds);
        assert_eq!(config.feed_limit, Some(20));
        assert_eq!(config.feed_content, super::FeedContent::Full);
        assert_eq!(config.taxonomies[0].name, "tags");
        assert_eq!(config.taxonomies[0].paginate_by, Some(10));
    }

    #[test]
    fn bad_taxonomies_name_their_line() {
        let text = "title = \"x\"\ntaxonomies = [{ name = \"Tags!\" }]\n";
        assert!(
            error(text).starts_with("config.toml:2: the taxonomy name `Tags!`"),
            "{}",
            error(text)
        );
        let text = "taxonomies = [{ name = \"tags\" }, { name = \"tags\" }]\n";
        assert!(error(text).contains("listed twice"), "{}", error(text));
        let text = "taxonomies = [{ name = \"tags\", paginate_by = 0 }]\n";
        assert!(error(text).contains("paginate_by"), "{}", error(text));
        let text = "taxonomies = [{ name = \"tags\", colour = 1 }]\n";
        assert!(
            error(text).contains("unknown field `colour`"),
            "{}",
            error(text)
        );
        let text = "feed_content = \"some\"\n";
        assert!(error(text).starts_with("config.toml:1:"), "{}", error(text));
    }
}
