//! `iopsite notify test` sends one test notice with the server's settings and prints what the other side answered;
//! `iopsite notify status` shows what is waiting, what was sent and what was refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};

use crate::config::Config;
use crate::notify::{Channel, Delivery, Notifier, Outbox};
use crate::state::State;

/// `iopsite notify`
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  iopsite notify test\n  iopsite notify status")]
pub struct NotifyArgs {
    #[command(subcommand)]
    action: Action,
    /// The site folder (the one with config.toml).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Send one test notice on every channel of [notify] now, and print what the mail server or webhook answered.
    Test,
    /// Show the notices waiting to be sent, those sent, and those refused for good.
    Status,
}

impl NotifyArgs {
    pub(super) fn run(self) -> anyhow::Result<ExitCode> {
        let config = Config::load(&self.root.join("config.toml"), Path::new("config.toml"))?;
        if !config.notify.is_on() {
            println!(
                "No notices are set up: add email_to or webhook_url under [notify] in config.toml (see the README)."
            );
            return Ok(ExitCode::SUCCESS);
        }
        let state = State::open_for_site(&self.root, &config.contact.store)?;
        match self.action {
            Action::Test => test(&config, &self.root, state),
            Action::Status => status(&config, &state),
        }
    }
}

fn test(config: &Config, root: &Path, state: State) -> anyhow::Result<ExitCode> {
    let Some(notifier) = Notifier::new(config, root, Arc::new(state), |name| {
        std::env::var(name).ok()
    })?
    else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut all_sent = true;
    for (channel, delivery) in notifier.send_test() {
        let to = match channel {
            Channel::Email => format!(
                "email to {} through {}:{}",
                config.notify.email_to.join(", "),
                config.notify.smtp_host,
                config.notify.smtp_port
            ),
            Channel::Webhook => format!("webhook {}", config.notify.webhook_url),
        };
        match delivery {
            Delivery::Sent(answer) => println!("{to}: sent. The other side answered: {answer}"),
            Delivery::Retry(answer) => {
                all_sent = false;
                println!("{to}: NOT sent, for now. What happened: {answer}");
            }
            Delivery::Refused(answer) => {
                all_sent = false;
                println!("{to}: REFUSED. The other side answered: {answer}");
            }
        }
    }
    Ok(if all_sent {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn status(config: &Config, state: &State) -> anyhow::Result<ExitCode> {
    let outbox = Outbox::new(state);
    let channels = [
        (Channel::Email, config.notify.email_on()),
        (Channel::Webhook, config.notify.webhook_on()),
    ];
    for (channel, on) in channels {
        let status = outbox.status(channel)?;
        if !on && status.pending + status.sent + status.failed.len() == 0 {
            continue;
        }
        let off = if on { "" } else { " (now turned off)" };
        println!(
            "{}{off}: {} waiting, {} inquiries announced, last sent {}.",
            channel.name(),
            status.pending,
            status.sent,
            status.last_sent.as_deref().unwrap_or("never")
        );
        if let Some(problem) = status.last_problem {
            println!("  last try failed: {problem} (it is tried again, at least once a minute)");
        }
        for (id, when, answer) in &status.failed {
            println!("  refused for good: inquiry {id} at {when}: {answer}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
