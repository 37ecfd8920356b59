"""Benchmark: the official Python SDK (labelbox==7.17.0) reading a streamable export.

Usage: python export_bench.py ENDPOINT API_KEY (--task TASK_ID | --dataset DATASET_ID)

With --task, reads an existing export task (waiting for it first if it is still running); with
--dataset, starts `dataset.export()` and waits for it. Then reads the RESULT stream through
`get_buffered_stream()`, the official SDK's only way (it downloads every file of the stream to a
temporary file before it yields the first row), and prints one JSON object on stdout:

    {"rows": N, "first_row_s": ..., "total_s": ..., "cpu_s": ..., "export_wait_s": ...,
     "peak_rss_kib": ..., "rss_before_stream_kib": ..., "ru_maxrss_kib": ..., "sdk": "7.17.0"}

first_row_s and total_s are measured from the call to get_buffered_stream(), cpu_s is the
process's CPU time (time.process_time(), all threads) over the same span; export_wait_s is
the time spent starting and waiting for the export. peak_rss_kib is this process's peak resident
memory in KiB at the end, rss_before_stream_kib the same peak just before streaming (the
interpreter and the SDK). On Linux they are read from /proc/self/status (VmHWM), because
resource.getrusage's ru_maxrss survives execve: a script started by a big process (the Rust
benchmark holding the emulator) would report its parent's peak. ru_maxrss_kib is given too, and
is the peak used where /proc is missing. A human summary goes to stderr.
"""

import argparse
import json
import resource
import sys
import time

import labelbox
from labelbox import Client, ExportTask


def ru_maxrss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_kib():
    """This process's own peak RSS: VmHWM (reset at execve), else ru_maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return ru_maxrss_kib()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint")
    parser.add_argument("api_key")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--task", help="an export task id")
    source.add_argument("--dataset", help="a dataset id to export")
    args = parser.parse_args()

    client = Client(api_key=args.api_key, endpoint=args.endpoint)
    waiting = time.perf_counter()
    if args.task:
        export_task = ExportTask.get_task(client, args.task)
    else:
        export_task = client.get_dataset(args.dataset).export()
    export_task.wait_till_done()
    export_wait = time.perf_counter() - waiting
    if export_task.status != "COMPLETE":
        sys.exit(f"export {export_task.uid} ended {export_task.status}")

    before = peak_rss_kib()
    cpu_started = time.process_time()
    started = time.perf_counter()
    first_row = None
    rows = 0
    for _output in export_task.get_buffered_stream():
        if first_row is None:
            first_row = time.perf_counter() - started
        rows += 1
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started

    figures = {
        "rows": rows,
        "first_row_s": round(first_row if first_row is not None else total, 3),
        "total_s": round(total, 3),
        "cpu_s": round(cpu, 3),
        "export_wait_s": round(export_wait, 3),
        "peak_rss_kib": peak_rss_kib(),
        "rss_before_stream_kib": before,
        "ru_maxrss_kib": ru_maxrss_kib(),
        "sdk": labelbox.__version__,
    }
    print(
        f"official Python SDK {labelbox.__version__}: {rows} rows, first row after "
        f"{figures['first_row_s']:.2f} s, all in {total:.2f} s "
        f"({rows / total if total else 0:.0f} rows/s), peak RSS "
        f"{figures['peak_rss_kib'] / 1024:.0f} MiB ({before / 1024:.0f} MiB before streaming)",
        file=sys.stderr,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
