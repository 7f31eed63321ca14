//! The `iopsite` binary: parse the command line, run it, print any error, set the exit code.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system's allocator: a build makes and frees many small values on every thread, and at
/// 10,000 pages it is 15 % faster (BENCHMARKS.md has the figures, and the earlier measurement that rejected it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
