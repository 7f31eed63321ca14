//! Staff commands for contact-form inquiries: `iopsite keygen` makes the key pair that encrypts them,
//! `iopsite submissions` lists or exports them (newest first), `iopsite submissions purge` deletes old ones.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};

use crate::config::Config;
use crate::forms::{ContactForm, ForWhom, Preferred, Voicemail};
use crate::store::{self, Inquiry};

/// `iopsite keygen`
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  iopsite keygen --out ~/iopsite-key.txt")]
pub struct KeygenArgs {
    /// Where to write the private key (never replaced if it exists).
    #[arg(long, default_value = "iopsite-key.txt", value_name = "FILE")]
    out: PathBuf,
}

impl KeygenArgs {
    /// Make the key pair and explain what to do with each half.
    pub(super) fn run(self) -> anyhow::Result<ExitCode> {
        let public = crate::keys::generate(&self.out)?;
        let key = self.out.display();
        println!(
            "Made a new key pair.\n\n\
             1. The public key locks inquiries. Put it in config.toml on the server:\n\n\
             \x20   [contact]\n\x20   recipient = \"{public}\"\n\n\
             2. The private key unlocks them. It is in {key} (only your user account can read that file).\n\
             \x20  - Keep it OFF the web server: anyone who has both the server's files and this key can read every inquiry.\n\
             \x20  - Keep it on the computer of the person who reads inquiries, and a backup copy somewhere safe,\n\
             \x20    such as the center's password manager. If every copy is lost, nobody can read the stored inquiries.\n\
             \x20  - To read inquiries, copy data/submissions.jsonl from the server and run:\n\
             \x20    iopsite submissions --file submissions.jsonl --identity {key}"
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// How `iopsite submissions` prints inquiries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// One row per inquiry, the message under it.
    Table,
    /// Comma-separated, for a spreadsheet.
    Csv,
    /// A JSON array.
    Json,
}

/// `iopsite submissions`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iopsite submissions\n  iopsite submissions --identity ~/iopsite-key.txt --format csv > inquiries.csv\n  iopsite submissions purge --older-than 30d"
)]
pub struct SubmissionsArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// The site folder (the one with config.toml); the file is `[contact] store` in it.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Read this inquiry file instead (for example a copy taken from the server).
    #[arg(long, global = true, value_name = "FILE")]
    file: Option<PathBuf>,
    /// The private key file from `iopsite keygen`, to read encrypted inquiries.
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    /// How to print them.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Delete inquiries older than an age, rewriting the file safely.
    Purge(PurgeArgs),
}

#[derive(Debug, Args)]
struct PurgeArgs {
    /// Delete inquiries stored longer ago than this: 30d (days), 2w (weeks), 12h (hours).
    #[arg(long, value_name = "AGE")]
    older_than: String,
}

impl SubmissionsArgs {
    /// List, export or purge.
    pub(super) fn run(self) -> anyhow::Result<ExitCode> {
        let (path, shown) = self.store_file()?;
        if let Some(Action::Purge(purge)) = &self.action {
            let cutoff = cutoff(&purge.older_than)?;
            let done = store::purge(&path, &shown, cutoff)?;
            println!(
                "Deleted {} older than {}; kept {} in {}.",
                count(done.removed),
                purge.older_than,
                count(done.kept),
                shown.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        let identity = self
            .identity
            .as_deref()
            .map(crate::keys::load_identity)
            .transpose()?;
        let listing = store::read(&path, &shown, identity.as_ref())?;
        for problem in &listing.problems {
            eprintln!("warning: {problem}");
        }
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Table => write_table(&mut out, &listing.inquiries, &shown)?,
            Format::Csv => write_csv(&mut out, &listing.inquiries)?,
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &listing.inquiries)?;
                writeln!(out)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The inquiry file: `--file`, or `[contact] store` of the site.
    fn store_file(&self) -> anyhow::Result<(PathBuf, PathBuf)> {
        if let Some(file) = &self.file {
            return Ok((file.clone(), file.clone()));
        }
        let config = Config::load(&self.root.join("config.toml"), Path::new("config.toml"))?;
        Ok((
            self.root.join(&config.contact.store),
            config.contact.store.clone(),
        ))
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 inquiry".into()
    } else {
        format!("{n} inquiries")
    }
}

/// The time before which inquiries are deleted, from an age such as `30d`.
fn cutoff(age: &str) -> anyhow::Result<jiff::Timestamp> {
    let explain = || {
        format!("--older-than {age}: write an age such as 30d (days), 2w (weeks) or 12h (hours)")
    };
    let span: jiff::Span = age.trim().parse().ok().context(explain())?;
    if span.is_negative() || span.is_zero() {
        anyhow::bail!(explain());
    }
    let then = jiff::Zoned::now()
        .checked_sub(span)
        .ok()
        .context(explain())?;
    Ok(then.timestamp())
}

/// Text safe to print on a terminal: no control characters (a stored line could hold escape codes).
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

fn describe(form: &ContactForm) -> [String; 7] {
    let preferred = match form.preferred {
        Some(Preferred::Call) => "call",
        Some(Preferred::Text) => "text",
        Some(Preferred::Email) => "email",
        None => "",
    };
    let voicemail = match form.voicemail {
        Voicemail::No => "no",
        Voicemail::Generic => "generic only",
        Voicemail::Yes => "yes, may name us",
    };
    let for_whom = match form.for_whom {
        Some(ForWhom::Myself) => "self",
        Some(ForWhom::SomeoneElse) => "someone else",
        None => "",
    };
    [
        plain(&form.name),
        plain(&form.phone),
        plain(&form.email),
        preferred.into(),
        plain(&form.safe_times),
        voicemail.into(),
        for_whom.into(),
    ]
}

const HEADER: [&str; 8] = [
    "Received (UTC)",
    "Name",
    "Phone",
    "Email",
    "Prefers",
    "Safe times",
    "Voicemail",
    "For",
];

/// One row of cells per inquiry: the time, then [`describe`].
fn rows(inquiries: &[Inquiry]) -> Vec<Vec<String>> {
    inquiries
        .iter()
        .map(|inquiry| {
            let received = inquiry.time.replace('T', " ").replace('Z', "");
            std::iter::once(received)
                .chain(describe(&inquiry.form))
                .collect()
        })
        .collect()
}

/// Cells padded to their column's width.
fn aligned(cells: &[String], widths: &[usize]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| format!("{c:<w$}"))
        .collect();
    padded.join("  ").trim_end().to_string()
}

fn write_table(out: &mut impl Write, inquiries: &[Inquiry], shown: &Path) -> anyhow::Result<()> {
    if inquiries.is_empty() {
        writeln!(out, "No inquiries in {}.", shown.display())?;
        return Ok(());
    }
    let rows = rows(inquiries);
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|col| {
            rows.iter()
                .map(|r| r[col].chars().count())
                .fold(HEADER[col].len(), usize::max)
        })
        .collect();
    let (count, shown) = (count(inquiries.len()), shown.display());
    writeln!(out, "{count} in {shown}, newest first.\n")?;
    writeln!(out, "{}", aligned(&HEADER.map(String::from), &widths))?;
    for (inquiry, row) in inquiries.iter().zip(&rows) {
        writeln!(out, "{}", aligned(row, &widths))?;
        if !inquiry.form.message.is_empty() {
            let message = plain(&inquiry.form.message).replace('\n', "\n             ");
            writeln!(out, "    Message: {message}")?;
        }
    }
    Ok(())
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula: such values get a leading `'`.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn write_csv(out: &mut impl Write, inquiries: &[Inquiry]) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let columns = "id received_utc name phone email preferred safe_times voicemail for message";
    csv.write_record(columns.split(' '))?;
    for inquiry in inquiries {
        let mut record = vec![inquiry.id.clone(), inquiry.time.clone()];
        record.extend(describe(&inquiry.form));
        record.push(plain(&inquiry.form.message));
        csv.write_record(record.iter().map(|value| cell(value)))?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_days_weeks_hours() {
        let now = jiff::Timestamp::now();
        let hours = now.duration_since(cutoff("30d").unwrap()).as_hours();
        assert!((29 * 24..=31 * 24).contains(&hours), "{hours}");
        assert!(cutoff("2w").unwrap() < cutoff("12h").unwrap());
        assert!(
            cutoff("thirty")
                .unwrap_err()
                .to_string()
                .contains("30d (days)")
        );
        assert!(cutoff("-3d").is_err());
    }

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1 555 555 0100"), "'+1 555 555 0100");
        assert_eq!(cell("Sam"), "Sam");
    }

    #[test]
    fn terminal_escape_codes_are_not_printed() {
        assert_eq!(plain("a\u{1b}[31mb\nc"), "a [31mb\nc");
    }
}
