"""The official Python SDK (labelbox==7.17.0) reading a project export's RESULT stream.

Usage: python project_export_bench.py ENDPOINT API_KEY TASK_ID

Reads the finished export through `get_buffered_stream()` (the official SDK's way; it downloads
the whole stream to a temporary file before the first row) and prints one JSON object:
{"rows", "labels", "first_row_s", "total_s", "cpu_s", "peak_rss_kib", "rss_before_stream_kib"}.
cpu_s is this process's CPU time (user + system, `time.process_time()`) spent streaming;
peak_rss_kib is VmHWM (reset at execve, unlike ru_maxrss).
"""

import json
import sys
import time

from labelbox import Client, ExportTask


def peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    endpoint, api_key, task_id = sys.argv[1:4]
    client = Client(api_key=api_key, endpoint=endpoint)
    export_task = ExportTask.get_task(client, task_id)
    before = peak_rss_kib()
    cpu = time.process_time()
    started = time.perf_counter()
    first_row = None
    rows = labels = 0
    for output in export_task.get_buffered_stream():
        if first_row is None:
            first_row = time.perf_counter() - started
        rows += 1
        for project in output.json["projects"].values():
            labels += len(project["labels"])
    print(json.dumps({
        "rows": rows,
        "labels": labels,
        "first_row_s": first_row if first_row is not None else 0.0,
        "total_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_kib": peak_rss_kib(),
        "rss_before_stream_kib": before,
    }))


if __name__ == "__main__":
    main()
