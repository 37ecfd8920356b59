//! `-v` / `-vv`: the SDK's log records (retries, their causes and waits) on stderr.
//!
//! A dozen lines of `log::Log` rather than a logger crate: the CLI needs one fixed format, one
//! destination and one rule about which records may be shown, and that rule must not be
//! loosened by an environment variable (`RUST_LOG=trace` would make ureq dump request headers,
//! the API key included).

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::output::{message_line, one_line};

/// Records from this crate and the SDK only (both are `labelbox`). Anything else, the HTTP
/// crates (`ureq`, `ureq_proto`) first of all, is dropped whatever its level.
fn shown_target(target: &str) -> bool {
    target == "labelbox" || target.starts_with("labelbox::")
}

/// Prints allowed records as `labelbox: info: ...`, one line each.
struct StderrLogger {
    level: Level,
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= self.level && shown_target(metadata.target())
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let level = record.level().as_str().to_ascii_lowercase();
            message_line(&format!(
                "labelbox: {level}: {}",
                one_line(&record.args().to_string())
            ));
        }
    }

    fn flush(&self) {}
}

/// The most detailed level for a count of `-v`: none, info, then debug. Never trace.
fn level_for(verbose: u8) -> Option<Level> {
    match verbose {
        0 => None,
        1 => Some(Level::Info),
        _ => Some(Level::Debug),
    }
}

/// Installs the logger for `-v` (info) or `-vv` (debug); without `-v` nothing is logged.
pub fn init(verbose: u8) {
    let Some(level) = level_for(verbose) else {
        return;
    };
    // Only fails when a logger is already set, which would then keep logging: nothing to do.
    let logger: &'static StderrLogger = Box::leak(Box::new(StderrLogger { level }));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level.to_level_filter().min(LevelFilter::Debug));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_labelbox_records_are_shown() {
        assert!(shown_target("labelbox"));
        assert!(shown_target("labelbox::transport"));
        for other in ["ureq", "ureq_proto::client", "rustls", "labelboxy"] {
            assert!(!shown_target(other), "{other}");
        }
    }

    #[test]
    fn more_v_more_detail_but_never_trace() {
        assert_eq!(level_for(0), None);
        assert_eq!(level_for(1), Some(Level::Info));
        assert_eq!(level_for(2), Some(Level::Debug));
        assert_eq!(level_for(9), Some(Level::Debug));
    }
}
