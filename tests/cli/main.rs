//! One integration test binary: each module drives the real `iopsite` binary over small fixture sites
//! (`tests/fixtures/<case>/`) copied into a temporary folder. See `tests/README.md` to add a case.

mod articles;
mod build;
mod check;
mod contact;
mod images;
mod incremental;
mod iop_site;
mod languages;
mod new;
mod notify;
mod parallel;
mod serve;
mod server;
mod shortcodes;
mod sinks;
mod staff;
mod staff_inbox;
mod submissions;
mod support;
