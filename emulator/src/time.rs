//! Timestamps as the service writes them: RFC 3339, UTC, milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, truncated to whole milliseconds so that a formatted time parses back to the same value
/// (filters like `createdAt_gt` then compare exactly what clients saw).
pub(crate) fn now() -> SystemTime {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    UNIX_EPOCH + Duration::from_millis(since.as_millis() as u64)
}

/// `2026-11-29T07:00:01.000Z`.
pub(crate) fn format(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Accepts RFC 3339 with or without fractional seconds, `Z` or no zone (read as UTC).
pub(crate) fn parse(text: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_parses_back() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_849_201_000);
        let text = format(t);
        assert_eq!(text, "2026-11-28T07:00:01.000Z");
        assert_eq!(parse(&text), Some(t));
        assert_eq!(parse("2026-11-28T07:00:01Z"), Some(t));
        assert_eq!(parse("yesterday"), None);
    }
}
