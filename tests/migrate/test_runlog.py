"""The JSON-lines run log: one object per line, secrets masked before anything is written."""

from __future__ import annotations

import json
import logging

import pytest

from migrate.workspace.runlog import RedactSecrets, redact_text, run_log


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "POST https://a.bitrix24.ru/rest/1/abcdef123/batch",
            "POST https://a.bitrix24.ru/rest/1/***/batch",
        ),
        ("GET /rest/crm.contact.list?auth=tok3n&x=1", "GET /rest/crm.contact.list?auth=***&x=1"),
        (
            '{"access_token": "a1b2c3", "refresh_token":"r9"}',
            '{"access_token": "***", "refresh_token":"***"}',
        ),
        ("client_secret=s3cr3t", "client_secret=***"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_credential_shaped_values_are_masked(text, expected):
    assert redact_text(text) == expected


def test_named_secrets_are_masked_anywhere():
    assert redact_text("code s3cret-code in a message", ["s3cret-code"]) == "code *** in a message"


def test_run_log_writes_json_lines_with_extras_and_no_secret(tmp_path):
    secret = "hook-code-4711"
    with run_log(tmp_path, "load", secrets=[secret]) as logged:
        log = logging.getLogger("loaders.client")
        log.warning("retrying after %s (attempt %d)", f"http://h/rest/1/{secret}/batch", 2)
        logging.getLogger("migrate.x").info("done", extra={"event": "end", "url": secret})
        try:
            raise RuntimeError(f"failed at /rest/1/{secret}/")
        except RuntimeError:
            logging.getLogger("migrate.x").exception("stopped")
    logging.getLogger("migrate.x").info("after the run: not in the file")
    text = logged.path.read_text(encoding="utf-8")
    assert secret not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [entry["message"] for entry in lines][:2] == [
        "retrying after http://h/rest/1/***/batch (attempt 2)",
        "done",
    ]
    assert lines[1]["event"] == "end"
    assert lines[1]["url"] == "***"
    assert "RuntimeError" in lines[2]["exception"]
    assert {entry["run"] for entry in lines} == {logged.run_id}
    assert logged.path.parent == tmp_path / ".b24migrate" / "logs"


def test_the_filter_leaves_records_usable_by_other_handlers():
    record = logging.makeLogRecord({"msg": "at %s", "args": ("/rest/7/zzz999/",)})
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "at /rest/7/***/"
