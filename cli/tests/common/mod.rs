//! What the CLI's test files share: running the built binary against an emulator and reading
//! what it left behind.
#![allow(dead_code)] // each test file uses its own part

use std::process::{Command, Stdio};

use labelbox::{Client, DataRowSpec, RowData, WaitOptions};
use labelbox_emulator::Emulator;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_labelbox");

/// What a run of the binary left behind.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:?}"))
    }

    pub fn ndjson(&self) -> Vec<Value> {
        ndjson(&self.stdout)
    }

    /// Exit code, and nothing a person should never see.
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "{self:?}");
        for text in [&self.stdout, &self.stderr] {
            assert!(!text.contains("panicked"), "{self:?}");
            assert!(!text.contains("RUST_BACKTRACE"), "{self:?}");
            assert!(
                !text.contains('\u{1b}') && !text.contains('\r'),
                "control characters: {self:?}"
            );
        }
        self
    }
}

/// Each line of `text` as a JSON document.
pub fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
        .collect()
}

/// The binary with the emulator's key in the environment, no endpoint, its output captured.
pub fn bare_command(emu: &Emulator) -> Command {
    let mut command = Command::new(BIN);
    command
        .env("LABELBOX_API_KEY", emu.api_key())
        .env_remove("LABELBOX_ENDPOINT")
        .env_remove("LABELBOX_RETRY_BUDGET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The binary, pointed at the emulator with its key in the environment.
pub fn command(emu: &Emulator, args: &[&str]) -> Command {
    let mut command = bare_command(emu);
    command.args(args).arg("--endpoint").arg(emu.url());
    command
}

pub fn finish(child: std::process::Child) -> Run {
    let output = child.wait_with_output().expect("the binary runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// Runs a prepared command to its end.
pub fn execute(command: &mut Command) -> Run {
    finish(command.spawn().expect("the binary starts"))
}

pub fn labelbox(emu: &Emulator, args: &[&str]) -> Run {
    execute(&mut command(emu, args))
}

/// An SDK client of `emu` that may poll fast, to set the stage for the binary.
pub fn sdk_client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.api_key())
        .endpoint(emu.url())
        .min_check_frequency(std::time::Duration::from_millis(10))
        .build()
        .unwrap()
}

/// A dataset of `n` rows with keys `{prefix}-{i}`, imported through the SDK and waited for.
pub fn keyed_rows(client: &Client, prefix: &str, n: usize) {
    let specs: Vec<DataRowSpec> = (0..n)
        .map(|i| {
            DataRowSpec::new(RowData::url(format!("https://e.com/{prefix}/{i}.jpg")))
                .global_key(format!("{prefix}-{i}"))
        })
        .collect();
    let wait = WaitOptions::default().check_frequency(std::time::Duration::from_millis(20));
    client
        .create_dataset(prefix)
        .unwrap()
        .create_data_rows(&specs)
        .unwrap()
        .wait_with(wait)
        .unwrap();
}
