"""Without a terminal a command still says where it is: notes at once, a progress line every
few seconds and at the end, as text or JSON objects on stderr."""

from __future__ import annotations

import json

from migrate.cli._progress import ProgressLines
from migrate.progress import Tick


def test_text_lines_notes_at_once_progress_every_few_seconds(capsys):
    now = [0.0]
    lines = ProgressLines(every=10, clock=lambda: now[0])
    lines(Tick("load", 0, 200, "records"))
    now[0] = 3
    lines(Tick("load", 50, 200, "records"))  # too soon
    lines(Tick("load", 60, 200, "records", note="12:00:01 The portal does not answer"))
    now[0] = 11
    lines(Tick("load", 120, 200, "records"))
    lines(Tick("load", 200, 200, "records", finished=True))
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "load: 0 of 200 records (0 %)",
        "12:00:01 The portal does not answer",
        "load: 120 of 200 records (60 %)",
        "load: 200 of 200 records (100 %)",
    ]


def test_json_lines_for_scripts(capsys):
    lines = ProgressLines(as_json=True, clock=lambda: 0.0)
    lines(Tick("load", 5, 10, "records", note="hello"))
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [e["event"] for e in events] == ["note", "progress"]
    assert events[0]["text"] == "hello"
    assert events[1] == {"event": "progress", "step": "load", "done": 5, "total": 10,
                         "unit": "records", "text": "load: 5 of 10 records (50 %)"}  # fmt: skip
