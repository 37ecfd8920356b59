//! Conformance with the official client: runs `conformance/official_sdk.py` through the
//! unmodified Python SDK (`labelbox==7.17.0`, installed in a cached virtualenv under the target
//! directory) against the built emulator binary.
//!
//! Needs `python3` (with `venv`) and PyPI the first time. Set `LABELBOX_SKIP_PYTHON=1` to skip.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SDK: &str = "labelbox==7.17.0";

/// Kills the emulator child when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python_found() -> bool {
    Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(command: &mut Command, what: &str) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

/// `<target>/conformance-venv` with the official SDK, created and installed once.
fn venv_python() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    let venv = target.join("conformance-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        );
    }
    let installed = Command::new(&python)
        .args([
            "-c",
            "import labelbox, sys; sys.exit(labelbox.__version__ != '7.17.0')",
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        run(
            Command::new(&python).args(["-m", "pip", "install", "--quiet", SDK]),
            "pip install labelbox==7.17.0",
        );
    }
    python
}

/// Starts the emulator binary on a free port; answers it with its endpoint and key.
fn start_emulator() -> (Running, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args([
            "--port",
            "0",
            "--rows-per-second",
            "2000",
            "--min-task-duration",
            "2s",
            "--export-file-size",
            "2048",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the emulator binary: {e}"));
    let stderr = child.stderr.take();
    let running = Running(child);
    let mut line = String::new();
    if let Some(stderr) = stderr {
        let _ = BufReader::new(stderr).read_line(&mut line);
    }
    // `labelbox-emulator listening on http://127.0.0.1:PORT/graphql (api key: KEY)`
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in the startup line: {line:?}"))
        .to_string();
    let key = line
        .split("(api key: ")
        .nth(1)
        .and_then(|rest| rest.trim().strip_suffix(')'))
        .unwrap_or_else(|| panic!("no key in the startup line: {line:?}"))
        .to_string();
    (running, url, key)
}

#[test]
fn the_official_python_sdk_runs_every_task_flow() {
    if std::env::var("LABELBOX_SKIP_PYTHON").is_ok_and(|v| v == "1") {
        eprintln!("skipped: LABELBOX_SKIP_PYTHON=1 (the official Python SDK conformance run)");
        return;
    }
    assert!(
        python_found(),
        "python3 not found: the conformance test runs the official Python SDK. Install \
         python3 (with venv) or set LABELBOX_SKIP_PYTHON=1 to skip it."
    );
    let python = venv_python();
    let (_emulator, url, key) = start_emulator();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/official_sdk.py");
    let status = Command::new(&python)
        .arg(&script)
        .arg(&url)
        .arg(&key)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(status.success(), "the conformance script failed: {status}");
}
