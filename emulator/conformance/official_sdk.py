"""Conformance of labelbox-emulator with the official Python SDK (labelbox==7.17.0).

Usage: python official_sdk.py ENDPOINT API_KEY

Runs every task flow through the official SDK only and exits non-zero on the first mismatch.
The emulator must be started with a pace that keeps the large import IN_PROGRESS for a few
seconds (e.g. --rows-per-second 2000 --min-task-duration 2s), and with export files of
EXPORT_FILE_SIZE bytes (--export-file-size 2048) so that export streams span several files.
"""

import copy
import sys
import time
import uuid

import labelbox
from labelbox import Client, DataRow, ExportTask, StreamType
from labelbox.schema.identifiable import GlobalKey
from lbox.exceptions import AuthenticationError, LabelboxError, ResourceNotFoundError
from labelbox.schema.task import DataUpsertTask, Task, TaskStatus

LARGE_IMPORT_ROWS = 20_000
EXPORT_ROWS = 60
EXPORT_FILE_SIZE = 2048


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def main():
    endpoint, api_key = sys.argv[1], sys.argv[2]
    check(labelbox.__version__ == "7.17.0", f"official SDK 7.17.0 (got {labelbox.__version__})")
    client = Client(api_key=api_key, endpoint=endpoint)
    run = uuid.uuid4().hex[:8]

    # Create a dataset (the SDK also asks for the organization's IAM integrations).
    dataset = client.create_dataset(name=f"conformance-{run}")
    check(dataset.name == f"conformance-{run}", "create_dataset")
    check(client.get_dataset(dataset.uid).uid == dataset.uid, "get_dataset")

    # Import rows including a duplicate global key.
    gk = f"gk-{run}"
    rows = [
        {"row_data": "https://example.com/a.jpg", "global_key": gk, "external_id": "a"},
        {"row_data": "https://example.com/b.jpg", "global_key": gk, "external_id": "b"},
        {"row_data": "https://example.com/c.jpg", "global_key": f"{gk}-c", "external_id": "c"},
    ]
    task = dataset.create_data_rows(rows)
    check(isinstance(task, DataUpsertTask), "create_data_rows returns a DataUpsertTask")
    check(task.status == "IN_PROGRESS", f"new import is IN_PROGRESS (got {task.status})")
    task.wait_till_done(timeout_seconds=120)
    check(task.status == "COMPLETE", f"import ends COMPLETE (got {task.status})")

    result = task.result
    check(result is not None and len(result) == 2, f"two rows created (got {result})")
    check(
        sorted(r["global_key"] for r in result) == sorted([gk, f"{gk}-c"]),
        "result lists the created global keys",
    )
    errors = task.errors
    check(errors is not None and len(errors) == 1, f"one failed row (got {errors})")
    check(
        errors[0]["message"] == f"Duplicate global key: '{gk}'",
        f"duplicate global key message (got {errors[0]['message']!r})",
    )
    check(errors[0]["failedDataRows"][0]["globalKey"] == gk, "failed row carries its spec")

    # Updates by global key: one applied, one of a missing key failed.
    update = dataset.upsert_data_rows(
        [
            {"key": GlobalKey(f"{gk}-c"), "external_id": "c-updated"},
            {"key": GlobalKey(f"missing-{run}"), "external_id": "nope"},
        ]
    )
    update.wait_till_done(timeout_seconds=120)
    check(update.status == "COMPLETE", f"upsert ends COMPLETE (got {update.status})")
    updated = update.result or []
    check(
        len(updated) == 1 and updated[0]["external_id"] == "c-updated",
        f"update by global key applied (got {updated})",
    )
    check(len(update.errors or []) == 1, f"update of a missing key failed (got {update.errors})")
    check(client.get_dataset(dataset.uid).row_count == 2, "dataset row count after imports")

    # The same task by id.
    fetched = client.get_task_by_id(task.uid)
    check(isinstance(fetched, DataUpsertTask), "get_task_by_id gives a DataUpsertTask")
    check(fetched.uid == task.uid and fetched.status == "COMPLETE", "get_task_by_id status")

    # Results of a task id the service does not know: empty, never an error object (the
    # official SDK reads the page without a check and crashed with a TypeError on one).
    ghost = copy.copy(fetched)
    ghost.uid = f"no-such-task-{run}"
    check(ghost.result is None and ghost.errors is None,
          "results and errors of an unknown task id are empty")

    # A failed import (its manifest cannot be read): the reason reaches the user through the
    # official SDK's own error path (`Job failed. Errors : ...`), not `Errors : None`.
    failed_id = client.execute(
        "mutation UpsertDataRowsPyApi($manifestUri: String!) {"
        " upsertDataRows(data: {manifestUri: $manifestUri}) { id } }",
        {"manifestUri": f"https://elsewhere.example/{run}/manifest.json"},
    )["upsertDataRows"]["id"]
    failed = client.get_task_by_id(failed_id)
    check(isinstance(failed, DataUpsertTask), "a failed import is a DataUpsertTask")
    failed.wait_till_done(timeout_seconds=120)
    check(failed.status == "FAILED", f"an unreadable manifest fails the import (got {failed.status})")
    try:
        failed.result
    except ValueError as e:
        check("Unable to read manifest file" in str(e),
              f"the failed import's reason reaches the user ({e})")
    else:
        check(False, "the result of a failed import raises ValueError")

    try:
        client.get_task_by_id("no-such-task")
    except ResourceNotFoundError:
        check(True, "get_task_by_id of an unknown id raises ResourceNotFoundError")
    else:
        check(False, "get_task_by_id of an unknown id raises ResourceNotFoundError")

    # Listing with a status filter.
    organization = client.get_organization()
    complete = list(organization.tasks(where=Task.status_as_enum == TaskStatus.Complete))
    check(any(t.uid == task.uid for t in complete), "organization.tasks lists the import")
    check(all(t.status == "COMPLETE" for t in complete), "organization.tasks filters by status")

    check_exports(client, run)

    # A large import is running, but imports are not a cancelable type (the seed page's list,
    # which the emulator follows): the official SDK refuses without sending the mutation.
    big = [
        {"row_data": f"https://example.com/big/{i}.jpg", "global_key": f"big-{run}-{i}"}
        for i in range(LARGE_IMPORT_ROWS)
    ]
    big_task = dataset.create_data_rows(big)
    check(client.get_task_by_id(big_task.uid).status == "IN_PROGRESS", "large import IN_PROGRESS")
    check("adv-upsert-data-rows" not in client._get_cancelable_task_types(),
          "imports are not among the cancelable task types")
    try:
        client.cancel_task(big_task.uid)
    except LabelboxError as e:
        check("cannot be cancelled" in str(e), f"cancel_task on an import is refused ({e})")
    else:
        check(False, "cancel_task on an import is refused")
    check(client.get_task_by_id(big_task.uid).status == "IN_PROGRESS",
          "the refused import keeps running")

    # A wrong key.
    try:
        Client(api_key="not-the-key", endpoint=endpoint).get_user()
    except AuthenticationError:
        check(True, "a wrong key raises AuthenticationError")
    else:
        check(False, "a wrong key raises AuthenticationError")

    print("conformance: all checks passed")


def check_finished_export(export_task, what):
    check(isinstance(export_task, ExportTask), f"{what}: an ExportTask")
    export_task.wait_till_done(timeout_seconds=120)
    check(export_task.status == "COMPLETE", f"{what}: COMPLETE (got {export_task.status})")
    check(export_task.type == "export-data-rows", f"{what}: type export-data-rows")


def streamed(export_task):
    return [output.json for output in export_task.get_buffered_stream()]


def check_exports(client, run):
    """The streamable-export flow of the official SDK (PROTOCOL 3.9)."""
    dataset = client.create_dataset(name=f"export-{run}")
    rows = [
        {"row_data": f"https://example.com/export/{i}.jpg", "global_key": f"exp-{run}-{i}",
         "external_id": f"e{i}"}
        for i in range(EXPORT_ROWS)
    ]
    imported = dataset.create_data_rows(rows)
    imported.wait_till_done(timeout_seconds=120)
    check(imported.status == "COMPLETE", "rows to export imported")
    created = {r["global_key"]: r["id"] for r in imported.result}
    check(len(created) == EXPORT_ROWS, f"{EXPORT_ROWS} rows to export")

    # The whole dataset, over several files.
    export_task = dataset.export()
    check_finished_export(export_task, "dataset.export()")
    check(export_task.has_result(), "the dataset export has a result")
    check(export_task.has_errors() is False, "the dataset export has no errors")
    check(export_task.get_total_lines(StreamType.RESULT) == EXPORT_ROWS,
          f"total lines = rows (got {export_task.get_total_lines(StreamType.RESULT)})")
    size = export_task.get_total_file_size(StreamType.RESULT)
    check(size > 3 * EXPORT_FILE_SIZE, f"the stream spans several {EXPORT_FILE_SIZE}-byte files ({size} bytes)")
    check(export_task.get_total_lines(StreamType.ERRORS) is None, "no errors stream")
    lines = []
    export_task.get_buffered_stream().start(stream_handler=lambda output: lines.append(output.json))
    check(len(lines) == EXPORT_ROWS, f"every row streamed (got {len(lines)})")
    check({l["data_row"]["global_key"]: l["data_row"]["id"] for l in lines} == created,
          "streamed ids and global keys match the dataset")
    check(all(l["data_row"]["global_key"] == f"exp-{run}-{l['data_row']['external_id'][1:]}"
              for l in lines), "rows streamed with their external ids")
    check(all("details" not in l["data_row"] for l in lines), "no details unless asked")

    # Params shape the lines.
    detailed = dataset.export(params={"data_row_details": True, "attachments": True,
                                      "metadata_fields": True})
    check_finished_export(detailed, "dataset.export(params=...)")
    line = streamed(detailed)[0]
    check(line["data_row"]["details"]["dataset_id"] == dataset.uid, "details name the dataset")
    check(line["attachments"] == [] and line["metadata_fields"] == [],
          "attachments and metadata when asked")
    check(line["projects"] == {} and line["experiments"] == {}, "no projects, no experiments")

    # By data row ids, by global keys, and a dataset export narrowed by global keys.
    some_keys = [f"exp-{run}-{i}" for i in (5, 1, 42)]
    by_ids = DataRow.export(client, data_rows=[created[k] for k in some_keys])
    check_finished_export(by_ids, "DataRow.export(data_rows=...)")
    check(sorted(l["data_row"]["id"] for l in streamed(by_ids)) ==
          sorted(created[k] for k in some_keys), "export by data row ids")
    by_keys = DataRow.export(client, global_keys=some_keys)
    check_finished_export(by_keys, "DataRow.export(global_keys=...)")
    check(sorted(l["data_row"]["global_key"] for l in streamed(by_keys)) == sorted(some_keys),
          "export by global keys")
    narrowed = dataset.export(filters={"global_keys": some_keys[:2]})
    check_finished_export(narrowed, "dataset.export(filters=...)")
    check(narrowed.get_total_lines(StreamType.RESULT) == 2, "dataset export narrowed by keys")

    # Unknown ids: COMPLETE, with neither stream (the official SDK's test_with_invalid_id).
    unknown = DataRow.export(client, data_rows=["invalid_id"])
    check_finished_export(unknown, "export of unknown ids")
    check(unknown.has_result() is False and unknown.has_errors() is False,
          "an export of unknown ids has neither result nor errors")
    check(unknown.get_total_file_size(StreamType.RESULT) is None
          and unknown.get_total_lines(StreamType.RESULT) is None, "no result header")
    try:
        unknown.get_buffered_stream()
    except ValueError:
        check(True, "get_buffered_stream of an absent stream raises ValueError")
    else:
        check(False, "get_buffered_stream of an absent stream raises ValueError")

    # Listed by the user's created tasks (test_task_filter), never by the organization.
    user_complete = list(client.get_user().created_tasks(where=Task.status_as_enum == TaskStatus.Complete))
    check(any(t.uid == export_task.uid for t in user_complete), "user.created_tasks lists exports")
    org_tasks = list(client.get_organization().tasks())
    check(all(t.type != "export-data-rows" for t in org_tasks), "organization.tasks lists no export")

    # Cancel a running export.
    running = dataset.export()
    check(client.get_task_by_id(running.uid).status == "IN_PROGRESS", "a new export is IN_PROGRESS")
    check("export-data-rows" in client._get_cancelable_task_types(), "exports are cancelable")
    check(client.cancel_task(running.uid) is True, "cancel_task on a running export")
    status = client.get_task_by_id(running.uid).status
    check(status in ("CANCELLING", "CANCELED"), f"cancelled export is CANCELLING (got {status})")
    deadline = time.monotonic() + 30
    while status != "CANCELED" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = client.get_task_by_id(running.uid).status
    check(status == "CANCELED", f"cancelled export ends CANCELED (got {status})")


if __name__ == "__main__":
    main()
