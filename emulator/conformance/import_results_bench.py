"""Reads one finished import's results with the official Python SDK (labelbox==7.17.0) and prints
figures as one JSON line: the side-by-side half of `examples/import_bench.rs`.

Usage: python import_results_bench.py ENDPOINT API_KEY TASK_ID

`DataUpsertTask.result` walks `successesfulDataRowImports` 5,000 rows at a time and returns every
row as a dict, as a user of the official SDK would read them. CPU is this process's user + system
time around that call (getrusage); memory is the process's peak resident size.
"""

import json
import resource
import sys
import time

from labelbox import Client


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    endpoint, api_key, task_id = sys.argv[1:4]
    client = Client(api_key=api_key, endpoint=endpoint, enable_experimental=False)
    task = client.get_task_by_id(task_id)
    wall_start, cpu_start = time.perf_counter(), cpu_seconds()
    rows = task.result
    wall, cpu = time.perf_counter() - wall_start, cpu_seconds() - cpu_start
    print(json.dumps({
        "rows": len(rows or []),
        "wall_s": wall,
        "cpu_s": cpu,
        # ru_maxrss is in kB on Linux.
        "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
