//! `[notify]`: how admissions staff are told that an inquiry arrived (an email, a webhook, or both). Checked here
//! with nothing but the text: addresses, the mail server's security, the webhook's address and the subject. What
//! depends on the environment (the SMTP password, the webhook secret) is checked by `notify` when the server starts.

use serde::{Deserialize, Serialize};

use super::key_line;
use crate::error::{Error, Location, Result};

/// `[notify]` as written in `config.toml`. Nothing is sent unless `email_to` or `webhook_url` is set.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Notify {
    /// Who gets an email for each new inquiry.
    pub email_to: Vec<String>,
    /// The sender, `website@example.org` or `Website <website@example.org>`.
    pub email_from: String,
    /// The email's subject: neutral, since a phone's lock screen shows it to whoever holds the phone.
    pub subject: String,
    /// The mail server.
    pub smtp_host: String,
    /// Its port.
    pub smtp_port: u16,
    /// `starttls`, `tls` or `none` (only towards this machine).
    pub smtp_security: SmtpSecurity,
    /// The account on the mail server; its password comes from `IOPSITE_SMTP_PASSWORD`. Empty: no sign-in.
    pub smtp_user: String,
    /// An address that gets a JSON `POST` for each notice (a team chat or paging service).
    pub webhook_url: String,
    /// The name of an environment variable holding a secret that signs the webhook's body.
    pub webhook_secret_env: String,
    /// At most one notice per this many seconds and channel; inquiries in between are named in the next one.
    pub group_seconds: u64,
    /// Where the keys are written, for messages that the environment checks give later.
    #[serde(skip)]
    pub(crate) lines: Lines,
}

/// Where some keys are, for errors found after parsing (a password variable that is not set).
#[derive(Debug, Clone, Default)]
pub(crate) struct Lines {
    /// `smtp_user`.
    pub(crate) smtp_user: Option<Location>,
    /// `webhook_secret_env`.
    pub(crate) webhook_secret_env: Option<Location>,
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a mail server on this machine.
    None,
}

/// The environment variable the SMTP password is read from.
pub const SMTP_PASSWORD_ENV: &str = "IOPSITE_SMTP_PASSWORD";

/// The longest wait between two notices of one channel: an inquiry must reach staff within a minute.
pub const GROUP_SECONDS_MAX: u64 = 60;

/// Words that must not be in the subject, because a lock screen shows it: they would tell whoever holds the phone
/// what the center treats. Matched as whole words, in any case.
const REVEALING: [&str; 16] = [
    "addiction",
    "addicted",
    "alcohol",
    "drug",
    "drugs",
    "detox",
    "rehab",
    "recovery",
    "treatment",
    "substance",
    "overdose",
    "mental",
    "psychiatric",
    "iop",
    "outpatient",
    "crisis",
];

impl Default for Notify {
    fn default() -> Self {
        Notify {
            email_to: Vec::new(),
            email_from: String::new(),
            subject: "New website inquiry".into(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_user: String::new(),
            webhook_url: String::new(),
            webhook_secret_env: String::new(),
            group_seconds: GROUP_SECONDS_MAX,
            lines: Lines::default(),
        }
    }
}

impl Notify {
    /// Whether any notice is configured.
    pub fn is_on(&self) -> bool {
        self.email_on() || self.webhook_on()
    }

    /// Whether emails are sent.
    pub fn email_on(&self) -> bool {
        !self.email_to.is_empty()
    }

    /// Whether the webhook is called.
    pub fn webhook_on(&self) -> bool {
        !self.webhook_url.is_empty()
    }

    /// Check every setting that the text alone decides. `text` is config.toml, for line numbers.
    pub(super) fn check(&mut self, text: &str, shown: &std::path::Path) -> Result<()> {
        let at = |key: &str| Location::line(shown, key_line(text, "notify", key));
        let fail = |key: &str, message: String| Error::Config {
            at: at(key),
            message,
        };
        self.lines = Lines {
            smtp_user: Some(at("smtp_user")),
            webhook_secret_env: Some(at("webhook_secret_env")),
        };
        if self.email_on() {
            self.check_email()
                .map_err(|(key, message)| fail(key, message))?;
        }
        if self.webhook_on() {
            check_webhook(&self.webhook_url).map_err(|message| fail("webhook_url", message))?;
        }
        if !self.webhook_secret_env.is_empty() && !is_variable_name(&self.webhook_secret_env) {
            return Err(fail(
                "webhook_secret_env",
                format!(
                    "`{}` is not the name of an environment variable: write the name only (such as \"IOPSITE_WEBHOOK_SECRET\"), never the secret itself",
                    self.webhook_secret_env
                ),
            ));
        }
        check_subject(&self.subject).map_err(|message| fail("subject", message))?;
        if !(1..=GROUP_SECONDS_MAX).contains(&self.group_seconds) {
            return Err(fail(
                "group_seconds",
                format!(
                    "group_seconds must be between 1 and {GROUP_SECONDS_MAX}, so that every inquiry reaches staff within a minute"
                ),
            ));
        }
        Ok(())
    }

    fn check_email(&self) -> std::result::Result<(), (&'static str, String)> {
        for address in &self.email_to {
            if address.parse::<lettre::Address>().is_err() {
                return Err((
                    "email_to",
                    format!(
                        "\"{address}\" is not an email address: write it as \"admissions@example.org\""
                    ),
                ));
            }
        }
        if self.email_from.parse::<lettre::message::Mailbox>().is_err() {
            let message = if self.email_from.is_empty() {
                "email_from is missing: emails need a sender, such as \"website@example.org\""
                    .into()
            } else {
                format!(
                    "\"{}\" is not a sender address: write \"website@example.org\" or \"Website <website@example.org>\"",
                    self.email_from
                )
            };
            return Err(("email_from", message));
        }
        if self.smtp_host.trim().is_empty() {
            return Err((
                "smtp_host",
                "smtp_host is missing: name the mail server that sends the emails, such as \"smtp.example.org\"".into(),
            ));
        }
        if self.smtp_security == SmtpSecurity::None && !is_loopback(&self.smtp_host) {
            return Err((
                "smtp_security",
                format!(
                    "smtp_security = \"none\" would send the mail server's password and the notice unencrypted over the network to {}: use \"starttls\" (port 587) or \"tls\" (port 465). \"none\" is only for a mail server on this machine (localhost)",
                    self.smtp_host
                ),
            ));
        }
        if self.smtp_port == 0 {
            return Err((
                "smtp_port",
                "smtp_port cannot be 0: use 587 for starttls or 465 for tls".into(),
            ));
        }
        Ok(())
    }
}

/// Whether `host` names this machine: `localhost` or a loopback address.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_webhook(address: &str) -> std::result::Result<(), String> {
    let url = url::Url::parse(address).map_err(|err| {
        format!(
            "\"{address}\" is not a web address ({err}): write it in full, starting with https://"
        )
    })?;
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        _ => {
            return Err(format!(
                "the webhook must use https:// (\"{address}\" does not), so nobody on the way can read or change the notice; plain http:// is only for this machine (localhost)"
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the webhook address holds a user name or password: give a secret with webhook_secret_env instead, so it is not written in config.toml".into());
    }
    Ok(())
}

fn check_subject(subject: &str) -> std::result::Result<(), String> {
    if subject.trim().is_empty() || subject.chars().any(char::is_control) {
        return Err("the subject must be one line of text, such as \"New website inquiry\"".into());
    }
    let lower = subject.to_lowercase();
    let word = lower
        .split(|c: char| !c.is_alphanumeric())
        .find(|word| REVEALING.contains(word));
    if let Some(word) = word {
        return Err(format!(
            "the subject says \"{word}\": a phone's lock screen shows the subject to whoever holds the phone, so keep it neutral, such as \"New website inquiry\""
        ));
    }
    Ok(())
}

fn is_variable_name(name: &str) -> bool {
    !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("config.toml"))
    }

    #[track_caller]
    fn assert_error(text: &str, expected: &str) {
        let err = parse(text).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{err}");
    }

    const EMAIL: &str = "[notify]\nemail_to = [\"admissions@example.org\"]\nemail_from = \"Website <website@example.org>\"\nsmtp_host = \"smtp.example.org\"\n";

    #[test]
    fn a_full_example_reads_and_is_off_by_default() {
        let config = parse(&format!("{EMAIL}smtp_port = 465\nsmtp_security = \"tls\"\nsmtp_user = \"website@example.org\"\nwebhook_url = \"https://chat.example.org/hook\"\nwebhook_secret_env = \"HOOK_SECRET\"\n")).unwrap();
        assert!(config.notify.email_on() && config.notify.webhook_on());
        assert_eq!(config.notify.smtp_security, SmtpSecurity::Tls);
        assert_eq!(config.notify.subject, "New website inquiry");
        assert_eq!(
            config.notify.lines.smtp_user,
            Some(Location::line("config.toml", 7))
        );
        assert!(!parse("").unwrap().notify.is_on());
    }

    #[test]
    fn each_mistake_names_its_line() {
        assert_error(
            "[notify]\nemail_to = [\"admissions\"]\n",
            "config.toml:2: \"admissions\" is not an email address",
        );
        assert_error(
            "[notify]\nemail_to = [\"a@example.org\"]\nsmtp_host = \"x\"\n",
            "config.toml:1: email_from is missing",
        );
        assert_error(
            &EMAIL.replace("smtp_host = \"smtp.example.org\"\n", ""),
            "config.toml:1: smtp_host is missing",
        );
        assert_error(
            &format!("{EMAIL}smtp_security = \"none\"\n"),
            "config.toml:5: smtp_security = \"none\" would send",
        );
        assert_error(
            &format!("{EMAIL}smtp_security = \"ssl\"\n"),
            "config.toml:5: unknown variant `ssl`",
        );
        assert_error(
            &format!("{EMAIL}smtp_pasword = \"x\"\n"),
            "config.toml:5: unknown field `smtp_pasword`",
        );
        assert_error(
            "[notify]\nwebhook_url = \"http://chat.example.org/hook\"\n",
            "config.toml:2: the webhook must use https://",
        );
        assert_error(
            "[notify]\nwebhook_url = \"chat.example.org\"\n",
            "config.toml:2: \"chat.example.org\" is not a web address",
        );
        assert_error(
            "[notify]\nwebhook_url = \"https://u:p@chat.example.org/\"\n",
            "config.toml:2: the webhook address holds a user name",
        );
        assert_error(
            "[notify]\nwebhook_secret_env = \"s3cr3t-value\"\n",
            "config.toml:2: `s3cr3t-value` is not the name",
        );
        assert_error(
            "[notify]\ngroup_seconds = 600\n",
            "config.toml:2: group_seconds must be between 1 and 60",
        );
    }

    #[test]
    fn none_is_only_for_this_machine() {
        for host in ["localhost", "127.0.0.1", "::1", "[::1]", "127.0.0.53"] {
            let text = EMAIL.replace("smtp.example.org", host) + "smtp_security = \"none\"\n";
            assert!(parse(&text).is_ok(), "{host}");
        }
        for host in ["10.0.0.1", "localhost.example.org", "0.0.0.0"] {
            let text = EMAIL.replace("smtp.example.org", host) + "smtp_security = \"none\"\n";
            assert!(parse(&text).is_err(), "{host}");
        }
        assert!(parse("[notify]\nwebhook_url = \"http://127.0.0.1:9/hook\"\n").is_ok());
    }

    #[test]
    fn subjects_stay_neutral() {
        assert_error(
            "[notify]\nsubject = \"New Addiction Treatment lead\"\n",
            "config.toml:2: the subject says \"addiction\"",
        );
        assert_error(
            "[notify]\nsubject = \"IOP: new inquiry\"\n",
            "config.toml:2: the subject says \"iop\"",
        );
        assert_error(
            "[notify]\nsubject = \"two\\nlines\"\n",
            "config.toml:2: the subject must be one line",
        );
        assert!(parse("[notify]\nsubject = \"Website message (drugstore hours)\"\n").is_ok());
    }
}
