//! The `iopsite` binary: parse the command line, run it, print any error, set the exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = iopsite::cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(err) => {
            let text = iopsite::cli::report(&err);
            if text.starts_with("error: ") {
                eprintln!("{text}");
            } else {
                eprintln!("error: {text}");
            }
            ExitCode::FAILURE
        }
    }
}
