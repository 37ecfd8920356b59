//! The request log: every GraphQL request received, without its key.

use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::faults::FaultKind;

/// One GraphQL request as the emulator received and answered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// Arrival order, from 0; fault decisions are keyed on it.
    pub seq: u64,
    /// The operation's name (from the document, or `operationName`), if any.
    pub operation: Option<String>,
    /// The top-level fields selected, e.g. `["upsertDataRows"]`.
    pub fields: Vec<String>,
    /// The variables sent (for uploads, the non-file variables: files are `null`).
    pub variables: serde_json::Value,
    /// A short fingerprint of the bearer key (`fp:` + 8 hex digits), never the key.
    pub key_fingerprint: Option<String>,
    /// The HTTP status answered (for a dropped connection: the status that was cut).
    pub status: u16,
    /// The fault injected into this request, if any.
    pub fault: Option<FaultKind>,
}

/// Called with each record as soon as it is complete (e.g. the binary's NDJSON printer).
pub type RequestListener = Arc<dyn Fn(&RequestRecord) + Send + Sync>;

/// Records, in completion order.
#[derive(Default)]
pub(crate) struct RequestLog {
    records: Mutex<Vec<RequestRecord>>,
    listener: Option<RequestListener>,
}

impl RequestLog {
    pub(crate) fn new(listener: Option<RequestListener>) -> Self {
        RequestLog {
            records: Mutex::new(Vec::new()),
            listener,
        }
    }

    pub(crate) fn push(&self, record: RequestRecord) {
        if let Some(listener) = &self.listener {
            listener(&record);
        }
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    pub(crate) fn snapshot(&self) -> Vec<RequestRecord> {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        records.sort_by_key(|r| r.seq);
        records
    }
}

/// FNV-1a of the key: stable across runs, so logs of two runs with one key compare.
pub fn key_fingerprint(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fp:{:08x}", (hash >> 32) as u32 ^ hash as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_short_and_hides_the_key() {
        let fp = key_fingerprint("secret-key-123");
        assert_eq!(fp, key_fingerprint("secret-key-123"));
        assert_ne!(fp, key_fingerprint("secret-key-124"));
        assert_eq!(fp.len(), 11);
        assert!(!fp.contains("secret"));
    }
}
