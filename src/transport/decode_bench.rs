//! Decoding one 5,000-row result page, as `DataUpsertTask::results` fetches it: a benchmark,
//! not a test: `cargo test --release -p labelbox --lib page_decode_bench -- --ignored --nocapture`.

use super::*;

const ROWS: usize = 5_000;
const ROUNDS: u32 = 60;

#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct Row {
    id: String,
    external_id: Option<String>,
    global_key: Option<String>,
    row_data: String,
}
#[derive(Deserialize)]
#[allow(dead_code)]
struct Page {
    nodes: Vec<Row>,
    after: Option<String>,
    total: u64,
}
#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct Data {
    successesful_data_row_imports: Page,
}

fn page() -> Vec<u8> {
    let nodes: Vec<Value> = (0..ROWS)
        .map(|i| {
            serde_json::json!({
                "id": format!("clrow{i:020}"),
                "externalId": format!("external-{i}"),
                "globalKey": format!("global-key-{i}"),
                "rowData": format!("https://storage.example.com/bucket/images/{i}.jpg"),
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"data": {"successesfulDataRowImports": {
        "nodes": nodes, "after": "cursor", "total": ROWS * 3,
    }}}))
    .unwrap()
}

fn response(bytes: &[u8]) -> Response<Body> {
    Response::builder()
        .status(200)
        .body(Body::builder().data(bytes.to_vec()))
        .unwrap()
}

/// Microseconds per row of `decode`, the best of `ROUNDS` (the response is built outside
/// the timing).
fn per_row(bytes: &[u8], decode: impl Fn(Response<Body>)) -> f64 {
    (0..ROUNDS)
        .map(|_| {
            let r = response(bytes);
            let start = Instant::now();
            decode(r);
            start.elapsed()
        })
        .min()
        .unwrap()
        .as_secs_f64()
        * 1e6
        / ROWS as f64
}

#[test]
#[ignore = "benchmark: run with --release --ignored --nocapture"]
fn page_decode_bench() {
    let t = Transport::new(&ClientBuilder::new().api_key("bench-key"));
    let bytes = page();
    let typed = per_row(&bytes, |r| {
        t.read_answer(r, &mut AnswerBuffer::default(), &mut PhantomData::<Data>)
            .ok()
            .unwrap();
    });
    let value = per_row(&bytes, |r| {
        t.read_answer(r, &mut AnswerBuffer::default(), &mut PhantomData::<Value>)
            .ok()
            .unwrap();
    });
    println!(
        "5,000-row page ({} bytes): typed {typed:.3} µs/row, Value {value:.3} µs/row",
        bytes.len()
    );
}
