//! The `iopsite` binary: parse the command line, run it, print any error, set the exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    grow_heaps_in_large_steps();
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

/// glibc grows each thread's heap one page at a time, a system call each: 22,000 in a 10,000-page build. Asking for
/// 64 MiB of address space at a time makes that a handful; memory is still only taken when it is written to, so
/// peak memory does not change (BENCHMARKS.md has the figures).
fn grow_heaps_in_large_steps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a setting of the allocator, before any thread has been started.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}
