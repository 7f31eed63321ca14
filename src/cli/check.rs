//! `iopsite check`: flags, the rules in `--help`, and printing the report as text or JSON.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::SiteArgs;
use crate::check::{CheckOptions, Level, check};

/// `iopsite check`
#[derive(Debug, Args)]
#[command(after_help = check_help())]
pub struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Count warnings as errors (use before publishing).
    #[arg(long)]
    strict: bool,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// How `iopsite check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One `path:line: level: message [rule]` line per problem, then a summary.
    Text,
    /// One JSON object with every problem, for tools.
    Json,
}

fn check_help() -> String {
    let mut help = String::from(
        "Rules (turn one off with a reason: `[check.ignore]` in config.toml, or `[check]` in a page's front matter):\n",
    );
    for (_, name, level, what) in crate::check::RULES {
        help.push_str(&format!("  {name:<18} {level:<8} {what}\n"));
    }
    help.push_str(
        "\nExamples:\n  iopsite check\n  iopsite check --strict\n  iopsite check --format json",
    );
    help
}

impl CheckArgs {
    pub(super) fn run(self) -> anyhow::Result<ExitCode> {
        let options = CheckOptions {
            build: self.site.options(None),
            strict: self.strict,
            today: jiff::Zoned::now().date(),
        };
        let report = check(&options)?;
        match self.format {
            Format::Text => {
                // Pages not yet translated are listed only in JSON (for translators' tools); the summary counts them.
                let shown = report.problems.iter().filter(|p| p.level != Level::Info);
                for problem in shown {
                    println!("{problem}");
                }
                println!("{}", report.summary());
            }
            Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        }
        Ok(if report.errors() == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}
