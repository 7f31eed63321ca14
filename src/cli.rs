//! The command line: one clap `Args` struct per subcommand, each with its own `run`, turning flags into library
//! options. Printing happens here and in `main`, nowhere below.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::build::{BuildOptions, build_before_exit};
use crate::config::Overrides;
use crate::serve::ServeOptions;

mod check;
pub use check::{CheckArgs, Format};
mod notify;
mod staff;
mod submissions;

/// iopsite: build, preview and check the website of an Intensive Outpatient Program.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    after_help = "Examples:\n  iopsite serve\n  iopsite build\n  iopsite check --strict\n  iopsite new content/groups.md --title \"Our groups\"\n  iopsite init my-site"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (all or nothing: a failed build leaves public/ as it was).
    Build(BuildArgs),
    /// Preview the site while you edit: build it, serve it, rebuild and refresh the browser on every save.
    Serve(ServeArgs),
    /// Check the site before publishing: links, images, headings, privacy, crisis lines, plain language.
    Check(CheckArgs),
    /// Make a new site (config, starter pages and the default theme) in a folder.
    Init(InitArgs),
    /// Write a new draft page with its front matter filled in.
    New(NewArgs),
    /// Make the key pair that encrypts contact-form inquiries on the server.
    Keygen(submissions::KeygenArgs),
    /// List or export the stored contact-form inquiries, or delete old ones (`purge`).
    Submissions(submissions::SubmissionsArgs),
    /// Notices to staff about new inquiries: send a test notice, or see what is waiting or was refused.
    Notify(notify::NotifyArgs),
    /// Staff inbox accounts (add, list, remove, reset) and its audit log.
    Staff(staff::StaffArgs),
}

impl Cli {
    /// Run the chosen subcommand.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Build(args) => args.run(),
            Command::Serve(args) => args.run(),
            Command::Check(args) => args.run(),
            Command::Init(args) => args.run(),
            Command::New(args) => args.run(),
            Command::Keygen(args) => args.run(),
            Command::Submissions(args) => args.run(),
            Command::Notify(args) => args.run(),
            Command::Staff(args) => args.run(),
        }
    }
}

/// Flags shared by the commands that read a site.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site folder (the one with config.toml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Use this address instead of `base_url` from config.toml.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

impl SiteArgs {
    /// Library options for these flags; the output defaults to `ROOT/public`.
    pub fn options(&self, output: Option<PathBuf>) -> BuildOptions {
        BuildOptions {
            output: output.unwrap_or_else(|| self.root.join("public")),
            root: self.root.clone(),
            drafts: self.drafts,
            overrides: Overrides {
                base_url: self.base_url.clone(),
            },
            progress: true,
        }
    }
}

/// `iopsite build`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iopsite build\n  iopsite build --drafts --output /tmp/preview\n  iopsite build --base-url https://www.example.org"
)]
pub struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site (default: public/ inside the site folder).
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
}

impl BuildArgs {
    fn run(self) -> anyhow::Result<ExitCode> {
        let options = self.site.options(self.output);
        let summary = build_before_exit(&options)?;
        let images = summary.images;
        let images = if images.made + images.reused > 0 {
            format!("; images: {} made, {} reused", images.made, images.reused)
        } else {
            String::new()
        };
        println!(
            "Built {} pages ({} files) into {} in {} ms{images}",
            summary.pages,
            summary.files,
            options.output.display(),
            summary.elapsed.as_millis()
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// `iopsite serve`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iopsite serve\n  iopsite serve --drafts --port 8080\n  iopsite serve --no-watch --bind 127.0.0.1 --port 8000"
)]
pub struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site (default: the hidden folder .iopsite/preview/ while watching, so public/ keeps the
    /// real addresses and stays ready to publish; public/ with --no-watch).
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// The port to listen on; if it is taken, the next free one is used. 0 picks any free port.
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// The address to listen on (127.0.0.1: only this computer can open the preview).
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    bind: IpAddr,
    /// Build once and serve, without watching for changes or reloading the browser (for a small production setup
    /// behind a TLS reverse proxy).
    #[arg(long)]
    no_watch: bool,
}

impl ServeArgs {
    fn run(self) -> anyhow::Result<ExitCode> {
        let preview = || self.site.root.join(".iopsite").join("preview");
        let output = self
            .output
            .clone()
            .or_else(|| (!self.no_watch).then(preview));
        crate::serve::serve(&ServeOptions {
            build: self.site.options(output),
            bind: self.bind,
            port: self.port,
            watch: !self.no_watch,
        })?;
        Ok(ExitCode::SUCCESS)
    }
}

/// `iopsite init`
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  iopsite init my-site && cd my-site && iopsite build")]
pub struct InitArgs {
    /// The folder to create the site in.
    dir: PathBuf,
    /// Write into a folder that is not empty (files with the same names are replaced).
    #[arg(long)]
    force: bool,
}

impl InitArgs {
    fn run(self) -> anyhow::Result<ExitCode> {
        let count = crate::new::init(&self.dir, self.force)?;
        println!(
            "Made a new site in {} ({count} files). Next: cd {} && iopsite build",
            self.dir.display(),
            self.dir.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// `iopsite new`
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  iopsite new content/groups.md\n  iopsite new content/what-to-expect/family-sessions.md --title \"Family sessions\""
)]
pub struct NewArgs {
    /// The new page's file, inside content/, ending in .md.
    file: PathBuf,
    /// The page title (default: made from the file name).
    #[arg(long)]
    title: Option<String>,
    /// The site folder (the one with config.toml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
}

impl NewArgs {
    fn run(self) -> anyhow::Result<ExitCode> {
        let today = jiff::Zoned::now().date().to_string();
        let shown = crate::new::page(&self.root, &self.file, self.title.as_deref(), &today)?;
        println!(
            "Wrote {} as a draft. Edit it, then set draft = false to publish it.",
            shown.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// Print an error for a person: every problem on its own line, each followed by its causes (Tera keeps its report
/// with the template excerpt there).
pub fn report(err: &anyhow::Error) -> String {
    match err.downcast_ref::<crate::Error>() {
        Some(crate::Error::Many(errors)) => {
            let mut text: Vec<String> = errors.iter().map(chain).collect();
            text.push(format!(
                "{} problems found: fix them and build again.",
                errors.len()
            ));
            text.join("\n")
        }
        _ => err
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n  caused by: "),
    }
}

fn chain(err: &crate::Error) -> String {
    let mut text = format!("error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
