//! Stage 1: `config.toml`. [`Config::load`] reads the file; [`Config::parse`] is pure and does all the checking,
//! so a typo in a key is an error that names the key and its line. Command-line overrides are applied in one place,
//! [`Config::apply`], after loading.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

mod feeds;
mod images;
mod languages;
mod notify;
pub use feeds::{FeedContent, TaxonomyConfig};
pub use images::{ImagesConfig, WIDTH_MAX as IMAGE_WIDTH_MAX};
pub use languages::{LanguageConfig, LanguageHelp, Tagline, is_language_code};
pub use notify::{GROUP_SECONDS_MAX, Notify, SMTP_PASSWORD_ENV, SmtpSecurity, is_loopback};

/// The site configuration, as written in `config.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title, shown in every page title.
    pub title: String,
    /// Default meta description.
    pub description: String,
    /// The public address of the site, without a trailing slash.
    pub base_url: String,
    /// Language code for `<html lang>`.
    pub language: String,
    /// Theme folder name under `themes/`.
    pub theme: String,
    /// The treatment center's contact details.
    pub center: Center,
    /// Crisis lines shown on every page, in order.
    pub crisis: Vec<CrisisLine>,
    /// The contact form.
    pub contact: Contact,
    /// Who is told when an inquiry arrives, and how.
    pub notify: Notify,
    /// The staff inbox's session limits.
    pub staff: StaffConfig,
    /// What the build makes of images.
    pub images: ImagesConfig,
    /// Settings of `iopsite check`.
    pub check: CheckConfig,
    /// Ways of grouping pages (`tags`): Zola's `taxonomies = [{ name = "tags", feed = true, paginate_by = 10 }]`.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Make an Atom feed of the whole site (`/atom.xml`).
    pub generate_feeds: bool,
    /// At most this many entries in each feed (newest first); all when not set.
    pub feed_limit: Option<usize>,
    /// What a feed entry holds: `summary` (the text before `<!-- more -->`, when there is one) or `full`.
    pub feed_content: FeedContent,
    /// The theme's words in the default language (`trans(key=…)`), over the theme's own.
    pub translations: BTreeMap<String, String>,
    /// The other languages the site is published in (`[languages.es]`), by code.
    pub languages: BTreeMap<String, LanguageConfig>,
    /// The notice of free language assistance and its taglines.
    pub language_help: LanguageHelp,
    /// Anything else the theme wants (`config.extra`).
    pub extra: BTreeMap<String, toml::Value>,
}

/// `[center]`: the center's name and how to reach it. Written once here, shown on every page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Center {
    /// Name of the center.
    pub name: String,
    /// Phone number as people should read it.
    pub phone: String,
    /// Email address.
    pub email: String,
    /// Street address, one line.
    pub address: String,
    /// Opening hours, one line.
    pub hours: String,
}

/// One `[[crisis]]` line.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrisisLine {
    /// Name of the service.
    pub name: String,
    /// One plain sentence.
    pub description: String,
    /// Number to call, as written (may be empty).
    pub phone: String,
    /// Number to text, as written (may be empty).
    pub text: String,
}

/// `[contact]`: where the contact form sends inquiries and how they are kept.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    /// The form's `action`: `/contact` (iopsite serve) or the address of a form service.
    pub action: String,
    /// Where `iopsite serve` stores inquiries, relative to the site root.
    pub store: PathBuf,
    /// An age public key (`age1…`); when set, inquiries are stored encrypted to it.
    pub recipient: String,
    /// Inquiries allowed per client address per 10 minutes; 0 turns the limit off.
    pub rate_limit: u32,
    /// Who reads inquiries (shown next to the form).
    pub reader: String,
    /// How long inquiries are kept (shown next to the form).
    pub retention: String,
    /// Who inquiries are shared with (shown next to the form).
    pub sharing: String,
    /// That the form is not a crisis line (shown next to the form).
    pub crisis_note: String,
    /// The privacy page the consent box links to.
    pub privacy: String,
    /// The page with the form, shown again with messages when an answer is missing.
    pub page: String,
    /// Where people go after sending the form.
    pub thanks: String,
}

impl Default for Contact {
    fn default() -> Self {
        Contact {
            action: "/contact".into(),
            store: PathBuf::from("data/submissions.jsonl"),
            recipient: String::new(),
            rate_limit: 5,
            reader: "Only our admissions staff read your message.".into(),
            retention: "We delete inquiries after 30 days.".into(),
            sharing: "We never share it with advertisers.".into(),
            crisis_note: "This form is not watched around the clock. In a crisis call or text 988; in an emergency call 911.".into(),
            privacy: "/privacy/".into(),
            page: "/contact/".into(),
            thanks: "/contact/thanks/".into(),
        }
    }
}

/// `[staff]`: how long a staff inbox session lasts. HIPAA asks for an automatic logoff; the server enforces both.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffConfig {
    /// Sign out after this many minutes without a request (1 to 60).
    pub idle_minutes: u64,
    /// Sign out this many hours after sign-in, whatever happens (1 to 12).
    pub session_hours: u64,
}

impl Default for StaffConfig {
    fn default() -> Self {
        StaffConfig {
            idle_minutes: 15,
            session_hours: 8,
        }
    }
}

impl StaffConfig {
    fn check(&self, text: &str, shown: &Path) -> Result<()> {
        let fail = |key: &str, message: &str| Error::Config {
            at: Location::line(shown, key_line(text, "staff", key)),
            message: message.into(),
        };
        if !(1..=60).contains(&self.idle_minutes) {
            return Err(fail(
                "idle_minutes",
                "idle_minutes must be between 1 and 60: an open inbox on an unattended computer shows private health information",
            ));
        }
        if !(1..=12).contains(&self.session_hours) {
            return Err(fail(
                "session_hours",
                "session_hours must be between 1 and 12 (one working day at most)",
            ));
        }
        Ok(())
    }
}

/// `[check]`: rules of `iopsite check` turned off for the whole site, and other hosts pages may load from. Every
/// entry needs a reason, so the next person knows why.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// `[check.ignore]`: rule name → why it is off for the whole site.
    pub ignore: BTreeMap<String, String>,
    /// `[check.allowed_hosts]`: host name → why pages may load things from it.
    pub allowed_hosts: BTreeMap<String, String>,
}

/// Folders of a site that are published or are sources: inquiries must never be stored inside them.
const NOT_FOR_INQUIRIES: [&str; 5] = ["public", "content", "static", "themes", "templates"];

impl Contact {
    /// Check the settings that the form's safety depends on. `text` is config.toml, for line numbers.
    fn check(&self, text: &str, shown: &Path) -> Result<()> {
        let at = |key: &str| Location::line(shown, key_line(text, "contact", key));
        if !self.recipient.is_empty() {
            crate::keys::recipient(&self.recipient).map_err(|message| Error::Config {
                at: at("recipient"),
                message,
            })?;
        }
        let first = self.store.components().next();
        let inside = first
            .and_then(|c| c.as_os_str().to_str())
            .filter(|name| self.store.is_relative() && NOT_FOR_INQUIRIES.contains(name));
        if let Some(folder) = inside {
            let message = format!(
                "inquiries must not be stored inside {folder}/, where they could be published or committed: use a path such as \"data/submissions.jsonl\""
            );
            return Err(Error::Config {
                at: at("store"),
                message,
            });
        }
        Ok(())
    }
}

/// The line of `key` inside `[table]` (1 when not written: the defaults are in effect).
fn key_line(text: &str, table: &str, key: &str) -> usize {
    let header = format!("[{table}]");
    let mut in_table = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            in_table = line.starts_with(&header);
        } else if in_table
            && line
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return index + 1;
        }
    }
    1
}

/// Settings given on the command line that win over `config.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--base-url`.
    pub base_url: Option<String>,
}

impl Config {
    /// Read and check `config.toml`. `shown` is the path used in messages.
    pub fn load(path: &Path, shown: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let message = "there is no config.toml here: run iopsite in the site's folder (the one with \
                               config.toml), or give it with --root FOLDER. `iopsite init FOLDER` makes a new site";
                return Err(Error::Config {
                    at: Location::file(shown),
                    message: message.into(),
                });
            }
            Err(source) => {
                return Err(Error::Read {
                    path: shown.into(),
                    source,
                });
            }
        };
        Config::parse(&text, shown)
    }

    /// Parse and check the text of `config.toml`.
    pub fn parse(text: &str, shown: &Path) -> Result<Config> {
        let mut config: Config =
            toml::from_str(text).map_err(|err| config_error(text, shown, &err))?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        if config.language.is_empty() {
            config.language = "en".into();
        }
        if config.theme.is_empty() {
            config.theme = "default".into();
        }
        config.contact.check(text, shown)?;
        config.notify.check(text, shown)?;
        config.staff.check(text, shown)?;
        config.images.check(text, shown)?;
        feeds::check(&config.taxonomies, text, shown)?;
        languages::check(
            &config.language,
            &config.languages,
            &config.language_help,
            text,
            shown,
        )?;
        Ok(config)
    }

    /// Apply command-line overrides (the only place they are applied).
    pub fn apply(&mut self, overrides: &Overrides) {
        if let Some(url) = &overrides.base_url {
            self.base_url = url.trim_end_matches('/').to_string();
        }
    }
}

/// Turn a TOML error into a located, plain-language one.
fn config_error(text: &str, shown: &Path, err: &toml::de::Error) -> Error {
    let line = err.span().map_or(1, |span| line_of(text, span.start));
    Error::Config {
        at: Location::line(shown, line),
        message: toml_message(err),
    }
}

/// The first line of a TOML error message, with a hint for unknown keys.
pub(crate) fn toml_message(err: &toml::de::Error) -> String {
    let message = err.message().trim().to_string();
    if message.starts_with("unknown field") {
        format!("{message}. Check the spelling, or remove the key")
    } else if message.starts_with("missing field") || message.starts_with("duplicate key") {
        message
    } else {
        format!(
            "{message}. Check the value on this line: text goes in quotes (title = \"Our program\"); \
             numbers, dates and true/false do not"
        )
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("config.toml"))
    }

    #[test]
    fn reads_center_and_crisis_lines() {
        let config = parse("title = \"T\"\n[center]\nname = \"C\"\nphone = \"555-0100\"\n[[crisis]]\nname = \"988\"\nphone = \"988\"\n").unwrap();
        assert_eq!(config.center.phone, "555-0100");
        assert_eq!(config.crisis[0].phone, "988");
        assert_eq!(config.theme, "default");
    }

    /// Parsing `toml` fails with a message that starts with `expected` (file and line first).
    fn assert_error(toml: &str, expected: &str) {
        let err = parse(toml).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{err}");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        assert_error(
            "title = \"T\"\n\ntitel = \"x\"\n",
            "config.toml:3: unknown field `titel`",
        );
    }

    #[test]
    fn unknown_key_in_a_table_names_its_line() {
        assert_error(
            "[center]\nname = \"x\"\nfone = \"1\"\n",
            "config.toml:3: unknown field `fone`",
        );
    }

    #[test]
    fn reads_check_settings_and_rejects_unknown_ones() {
        let config = parse("[check.ignore]\nreadability = \"quotes a law\"\n[check.allowed_hosts]\n\"cdn.example.org\" = \"why\"\n").unwrap();
        assert_eq!(config.check.ignore["readability"], "quotes a law");
        assert_eq!(config.check.allowed_hosts["cdn.example.org"], "why");
        assert_error(
            "[check]\nignor = {}\n",
            "config.toml:2: unknown field `ignor`",
        );
    }

    #[test]
    fn a_bad_recipient_names_its_line() {
        assert_error(
            "title = \"T\"\n[contact]\nrate_limit = 3\nrecipient = \"age1oops\"\n",
            "config.toml:4: this is not an age public key",
        );
    }

    #[test]
    fn inquiries_are_never_stored_in_published_or_source_folders() {
        assert_error(
            "[contact]\nstore = \"public/s.jsonl\"\n",
            "config.toml:2: inquiries must not be stored inside public/",
        );
        assert!(parse("[contact]\nstore = \"/var/lib/iop/s.jsonl\"\n").is_ok());
        assert_eq!(parse("").unwrap().contact.rate_limit, 5);
    }

    #[test]
    fn staff_sessions_are_limited() {
        let config = parse("[staff]\nidle_minutes = 10\n").unwrap();
        assert_eq!(
            (config.staff.idle_minutes, config.staff.session_hours),
            (10, 8)
        );
        assert_error(
            "[staff]\nidle_minutes = 0\n",
            "config.toml:2: idle_minutes must be between 1 and 60",
        );
        assert_error(
            "[staff]\nsession_hours = 24\n",
            "config.toml:2: session_hours must be between 1 and 12",
        );
        assert_error("[staff]\nidle = 5\n", "config.toml:2: unknown field `idle`");
    }

    #[test]
    fn base_url_loses_trailing_slash_and_override_wins() {
        let mut config = parse("base_url = \"https://a.org/\"").unwrap();
        assert_eq!(config.base_url, "https://a.org");
        config.apply(&Overrides {
            base_url: Some("http://127.0.0.1:1111/".into()),
        });
        assert_eq!(config.base_url, "http://127.0.0.1:1111");
    }
}
