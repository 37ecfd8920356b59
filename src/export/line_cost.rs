//! Instructions per line of each reader, for `valgrind --tool=callgrind` (stable where
//! wall-clock figures are not: the machine is shared). Ignored by default:
//!
//! ```sh
//! cargo test --release --lib line_cost -- --ignored --exact export::line_cost::run --nocapture
//! LINE_COST=check:20000 valgrind --tool=callgrind target/release/deps/labelbox-... \
//!     --ignored --exact export::line_cost::run
//! ```
//!
//! `LINE_COST=WHAT:N` runs reader `WHAT` (`check`, `utf8`, `lines`, `typed`, `line`, `labels`:
//! `line` and its labels counted, `value`, `serde`; `project-…` for the project line) `N`
//! times; the difference between two `N`s divided by their difference is the cost of one line.

use std::hint::black_box;

use crate::export::json_check::tests::EXPORT_LINE;
use crate::export::line_row::ExportedLine;
use crate::export::{json_check, typed_row, value_row};

/// A line of a project export as the emulator serves it (one label, its details).
pub(crate) const PROJECT_LINE: &str = r#"{"data_row":{"id":"c00b5s9q8rc0000000000000a","global_key":"bench-project-0","row_data":"https://storage.example.com/bench/project/00000000.jpg","external_id":"project-0.jpg"},"media_attributes":{"asset_type":"image","mime_type":"image/jpeg"},"metadata_fields":[],"projects":{"c00b5s9q8rc0000000000proj":{"name":"project bench","labels":[{"id":"c00b5s9q8rc000000000label0","annotations":{"objects":[],"classifications":[{"name":"weather","answer":{"name":"sunny"},"uuid":"0b6a1c9e-4a0e-4d1e-9f3a-2a8f1e0c0001","dataRow":{"globalKey":"bench-project-0"}}],"relationships":[]},"label_details":{"created_at":"2026-12-06T22:00:00.000Z","updated_at":"2026-12-06T22:00:00.000Z","created_by":"emulator@example.com","content_last_updated_at":"2026-12-06T22:00:00.000Z","reviews":[]}}]}}}"#;

#[test]
#[ignore = "a measurement for callgrind, not a check"]
fn run() {
    let spec = std::env::var("LINE_COST").unwrap_or_else(|_| "check:1000".to_owned());
    let (what, n) = spec.split_once(':').expect("WHAT:N");
    let n: usize = n.parse().expect("N");
    let (what, line) = match what.strip_prefix("project-") {
        Some(what) => (what, PROJECT_LINE),
        None => (what, EXPORT_LINE),
    };
    let bytes = line.as_bytes();
    for _ in 0..n {
        let bytes = black_box(bytes);
        match what {
            "check" => drop(black_box(json_check::check(black_box(line)))),
            "utf8" => drop(black_box(std::str::from_utf8(bytes))),
            // What `ExportLines` does with a line: one pass, UTF-8 and JSON.
            "lines" => {
                black_box(json_check::check_utf8(bytes));
            }
            "typed" => drop(black_box(typed_row::decode(bytes))),
            "line" => drop(black_box(ExportedLine::decode_line(bytes))),
            // What the benchmark's `line` way does with a line: read it, count its labels.
            "labels" => {
                let line = ExportedLine::decode_line(bytes).unwrap();
                black_box(line.projects().map(|p| p.labels().count()).sum::<usize>());
            }
            "value" => drop(black_box(value_row::decode(
                std::str::from_utf8(bytes).unwrap(),
            ))),
            "serde" => drop(black_box(serde_json::from_slice::<serde::de::IgnoredAny>(
                bytes,
            ))),
            other => panic!("unknown reader {other}"),
        }
    }
}
