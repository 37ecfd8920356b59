//! `labelbox-emulator`: run the emulator on its own.
//!
//! Prints `labelbox-emulator listening on http://127.0.0.1:PORT/graphql (api key: KEY)` to
//! stderr, then serves until killed. Run with `--help` for the flags.

use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use labelbox_emulator::{Emulator, Faults, RequestRecord};

/// The binary's documented default key (the library's default is random).
const DEV_API_KEY: &str = "lb-emulator-dev-key";

const USAGE: &str = "\
labelbox-emulator: a local Labelbox task API for tests and demos

USAGE: labelbox-emulator [FLAGS]

  --port N                   port on 127.0.0.1 (default 0: a free port, printed)
  --api-key KEY              the accepted API key (default lb-emulator-dev-key)
  --rows-per-second N        import pace (default 5000)
  --min-task-duration D      shortest import, e.g. 2s, 500ms (default 2s)
  --cancel-duration D        how long a cancelled task stays CANCELLING (default 100ms)
  --cancelable-task-types A,B  PascalCase task types that can be cancelled (default:
                             ExportDataRows,SendToAnnotate,SendToModelRun,
                             BulkUpdateQueuePriority,CreateClassifications,AgreementBackfill;
                             add AdvUpsertDataRows to make imports cancelable)
  --export-file-size BYTES   largest file an export stream is cut into (default 4194304)
  --job-duration D           how long a global-key job stays IN_PROGRESS (default 0s)
  --workers N                threads of the HTTP runtime (default 8)
  --max-body-bytes N         longest request body; longer ones get 413 (default 67108864)
  --body-timeout D           time for a request body to arrive; then 408 (default 30s)
  --max-connections N        connections served at once; more wait (default 1024)
  --idle-timeout D           a connection without a request head this long is closed (default 30s)
  --seed N                   seed of fault decisions (default 0)
  --server-error-rate F      share of requests answered 500/502/503 (0..1)
  --drop-rate F              share of answers cut mid-response (0..1)
  --rate-limit N/D           allow N requests per window D, e.g. 20/1s; then 429
  --latency D                added latency per request, e.g. 5ms
  --except-operations A,B    top-level fields spared from 5xx and drops
  --log-requests             print each request record as an NDJSON line on stdout
  --request-log FILE         write the NDJSON records to FILE instead
  -h, --help                 this text
  -V, --version              the version
";

#[derive(Default)]
struct Options {
    port: u16,
    api_key: Option<String>,
    rows_per_second: Option<u32>,
    min_task_duration: Option<Duration>,
    cancel_duration: Option<Duration>,
    workers: Option<usize>,
    cancelable_types: Option<Vec<String>>,
    export_file_size: Option<usize>,
    job_duration: Option<Duration>,
    max_body_bytes: Option<u64>,
    body_timeout: Option<Duration>,
    max_connections: Option<usize>,
    idle_timeout: Option<Duration>,
    seed: u64,
    server_error_rate: f64,
    drop_rate: f64,
    rate_limit: Option<(u32, Duration)>,
    latency: Duration,
    except: Vec<String>,
    log_requests: bool,
    request_log: Option<String>,
}

fn parse_number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: not a valid number: {value}"))
}

fn parse_duration(flag: &str, value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value).map_err(|e| format!("{flag}: {e}: {value}"))
}

/// `A, B,,C` -> `[A, B, C]`.
fn comma_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "-V" | "--version" => {
                println!("labelbox-emulator {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            "--port" => options.port = parse_number(&flag, &value()?)?,
            "--api-key" => options.api_key = Some(value()?),
            "--rows-per-second" => options.rows_per_second = Some(parse_number(&flag, &value()?)?),
            "--min-task-duration" => {
                options.min_task_duration = Some(parse_duration(&flag, &value()?)?)
            }
            "--cancel-duration" => {
                options.cancel_duration = Some(parse_duration(&flag, &value()?)?)
            }
            "--workers" => options.workers = Some(parse_number(&flag, &value()?)?),
            "--cancelable-task-types" => options.cancelable_types = Some(comma_list(&value()?)),
            "--export-file-size" => {
                options.export_file_size = Some(parse_number(&flag, &value()?)?)
            }
            "--job-duration" => options.job_duration = Some(parse_duration(&flag, &value()?)?),
            "--max-body-bytes" => options.max_body_bytes = Some(parse_number(&flag, &value()?)?),
            "--body-timeout" => options.body_timeout = Some(parse_duration(&flag, &value()?)?),
            "--max-connections" => options.max_connections = Some(parse_number(&flag, &value()?)?),
            "--idle-timeout" => options.idle_timeout = Some(parse_duration(&flag, &value()?)?),
            "--seed" => options.seed = parse_number(&flag, &value()?)?,
            "--server-error-rate" => options.server_error_rate = parse_number(&flag, &value()?)?,
            "--drop-rate" => options.drop_rate = parse_number(&flag, &value()?)?,
            "--rate-limit" => {
                let v = value()?;
                let (n, window) = v
                    .split_once('/')
                    .ok_or_else(|| format!("{flag}: expected N/DURATION, e.g. 20/1s: {v}"))?;
                options.rate_limit =
                    Some((parse_number(&flag, n)?, parse_duration(&flag, window)?));
            }
            "--latency" => options.latency = parse_duration(&flag, &value()?)?,
            "--except-operations" => options.except.extend(comma_list(&value()?)),
            "--log-requests" => options.log_requests = true,
            "--request-log" => options.request_log = Some(value()?),
            other => return Err(format!("unknown argument: {other} (see --help)")),
        }
    }
    Ok(Some(options))
}

fn build(options: Options) -> Result<Emulator, String> {
    let mut faults = Faults::seeded(options.seed)
        .server_errors(options.server_error_rate)
        .dropped_connections(options.drop_rate)
        .latency(options.latency)
        .except_operations(options.except);
    if let Some((n, window)) = options.rate_limit {
        faults = faults.rate_limit(n, window);
    }
    let mut builder = Emulator::builder()
        .port(options.port)
        .api_key(options.api_key.unwrap_or_else(|| DEV_API_KEY.to_string()))
        .faults(faults);
    if let Some(rows) = options.rows_per_second {
        builder = builder.import_rows_per_second(rows);
    }
    if let Some(d) = options.min_task_duration {
        builder = builder.min_task_duration(d);
    }
    if let Some(d) = options.cancel_duration {
        builder = builder.cancel_duration(d);
    }
    if let Some(w) = options.workers {
        builder = builder.workers(w);
    }
    if let Some(types) = options.cancelable_types {
        builder = builder.cancelable_task_types(types);
    }
    if let Some(d) = options.job_duration {
        builder = builder.job_duration(d);
    }
    if let Some(bytes) = options.export_file_size {
        builder = builder.export_file_size(bytes);
    }
    if let Some(bytes) = options.max_body_bytes {
        builder = builder.max_body_bytes(bytes);
    }
    if let Some(d) = options.body_timeout {
        builder = builder.body_timeout(d);
    }
    if let Some(n) = options.max_connections {
        builder = builder.max_connections(n);
    }
    if let Some(d) = options.idle_timeout {
        builder = builder.idle_timeout(d);
    }
    let sink: Option<Box<dyn Write + Send>> = match options.request_log {
        Some(path) => Some(Box::new(
            File::create(&path).map_err(|e| format!("--request-log {path}: {e}"))?,
        )),
        None if options.log_requests => Some(Box::new(std::io::stdout())),
        None => None,
    };
    if let Some(sink) = sink {
        let sink = Mutex::new(sink);
        builder = builder.on_request(move |record: &RequestRecord| {
            if let Ok(line) = serde_json::to_string(record) {
                let mut out = sink.lock().unwrap_or_else(|e| e.into_inner());
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
        });
    }
    builder.start().map_err(|e| e.to_string())
}

fn main() {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return;
        }
        Err(message) => {
            eprintln!("labelbox-emulator: {message}");
            std::process::exit(2);
        }
    };
    let emulator = match build(options) {
        Ok(emulator) => emulator,
        Err(message) => {
            eprintln!("labelbox-emulator: {message}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "labelbox-emulator listening on {} (api key: {})",
        emulator.url(),
        emulator.api_key()
    );
    loop {
        std::thread::park();
    }
}
