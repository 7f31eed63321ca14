//! `iopsite staff`: the accounts of the staff inbox (add, list, remove, reset) and its audit log. Passwords are
//! asked for without echo (or read from standard input with `--password-stdin`, for scripts) and stored only as
//! Argon2id hashes in the site's records (`data/iopsite.sqlite3`, mode 0600); each account enrolls an
//! authenticator app, shown as a QR code in the terminal.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::config::Config;
use crate::staff::accounts::{Accounts, Enrolled};
use crate::staff::records::Records;
use crate::staff::totp;
use crate::state::State;

/// `iopsite staff`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iopsite staff add maria.lopez\n  iopsite staff list\n  iopsite staff reset maria.lopez\n  iopsite staff remove maria.lopez\n  iopsite staff audit"
)]
pub struct StaffArgs {
    #[command(subcommand)]
    action: Action,
    /// The site folder (the one with config.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Make an account: asks for a password, then shows the code to scan with an authenticator app.
    Add(Credentials),
    /// List the accounts.
    List,
    /// Delete an account.
    Remove {
        /// The account's name.
        name: String,
    },
    /// Give an account a new password and a new authenticator code (for a lost phone or a forgotten password).
    Reset(Credentials),
    /// Print the audit log: every sign-in, failed sign-in, view, status change, deletion and export.
    Audit,
}

#[derive(Debug, Args)]
struct Credentials {
    /// The account's name (letters, digits, dots, dashes, underscores).
    name: String,
    /// Read the password from the first line of standard input instead of asking (for scripts).
    #[arg(long)]
    password_stdin: bool,
}

impl StaffArgs {
    pub(super) fn run(self) -> anyhow::Result<ExitCode> {
        let config = Config::load(&self.root.join("config.toml"), Path::new("config.toml"))?;
        let state = State::open_for_site(&self.root, &config.contact.store)?;
        let accounts = Accounts::new(&state);
        let records = Records::new(&state);
        let issuer = issuer(&config);
        match self.action {
            Action::Add(who) => {
                let password = password(&who)?;
                let enrolled = accounts.add(&who.name, &password, &issuer)?;
                records.audit(&who.name, "account-added", None, "")?;
                show(&who.name, &enrolled, "made");
            }
            Action::Reset(who) => {
                let password = password(&who)?;
                let enrolled = accounts.reset(&who.name, &password, &issuer)?;
                records.audit(&who.name, "account-reset", None, "")?;
                show(&who.name, &enrolled, "reset");
                println!(
                    "The old password and the old authenticator entry no longer work. Delete the old entry in the app."
                );
            }
            Action::Remove { name } => {
                accounts.remove(&name)?;
                records.audit(&name, "account-removed", None, "")?;
                println!("Removed the account \"{name}\". Its sessions end at its next request.");
            }
            Action::List => {
                let list = accounts.list()?;
                if list.is_empty() {
                    println!(
                        "No staff accounts: the staff inbox is off. `iopsite staff add NAME` makes one."
                    );
                }
                for account in list {
                    println!("{}  (made or reset {})", account.name, account.created_at);
                }
            }
            Action::Audit => {
                for line in records.audit_log()? {
                    let inquiry = line
                        .inquiry
                        .map(|id| format!(" inquiry {id}"))
                        .unwrap_or_default();
                    let detail = if line.detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", line.detail)
                    };
                    println!(
                        "{}  {}  {}{inquiry}{detail}",
                        line.at, line.staff, line.action
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The name an authenticator app shows for the account: the center's, else the site's title.
fn issuer(config: &Config) -> String {
    [&config.center.name, &config.title]
        .into_iter()
        .find(|name| !name.trim().is_empty())
        .map_or_else(|| "iopsite".to_string(), |name| name.trim().to_string())
}

fn password(who: &Credentials) -> anyhow::Result<String> {
    if who.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password(format!(
        "Password for {} (at least 12 characters): ",
        who.name
    ))
    .context("cannot ask for a password here: use --password-stdin")?;
    let again = rpassword::prompt_password("The same password again: ")
        .context("cannot ask for a password here: use --password-stdin")?;
    if first != again {
        bail!("the two passwords are not the same: nothing was changed, please try again");
    }
    Ok(first)
}

fn show(name: &str, enrolled: &Enrolled, done: &str) {
    println!("Account \"{name}\" {done}.\n");
    println!(
        "Now open an authenticator app on {name}'s phone (for example Google Authenticator, Microsoft Authenticator or 2FAS), add an account and scan this code:\n"
    );
    if let Some(qr) = totp::qr_for_terminal(&enrolled.uri) {
        println!("{qr}");
    }
    println!(
        "If scanning does not work, type this key into the app instead: {}",
        enrolled.secret.to_base32()
    );
    println!("(or open this address on the phone: {})\n", enrolled.uri);
    println!(
        "Signing in to the staff inbox (/staff/) then takes the name, the password and the 6-digit code the app shows."
    );
    println!(
        "Keep this screen private and clear it when done: anyone who copies the code can make the same codes."
    );
}
