"""Text for the terminal: no secrets, no control characters from the data.

Source files are hostile input: a cell (or a file name) may hold escape sequences that move
the cursor, retitle the window, hide text or erase the screen when printed. Everything a
command prints that may hold such text goes through :func:`terminal_text`; error lines are
also redacted here, as a last line of defence behind the redaction at the source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from rich.markup import escape

from migrate.workspace.runlog import redact_text

__all__ = ["json_text", "shown", "terminal_text"]

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that
# can make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: object, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials masked and control characters removed (tab, newline kept)."""
    return _CONTROL.sub("", redact_text(str(text), secrets))


def shown(text: object) -> str:
    """:func:`terminal_text` made safe for rich markup too (``[bold]`` in data stays text)."""
    return escape(terminal_text(text))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(data: object, *, indent: int | None = 2) -> str:
    """``data`` as JSON for the terminal (`--json`): the same data, with the characters a
    terminal may obey (C1 controls, bidirectional overrides) written as ``\\uXXXX`` escapes
    (C0 controls already are)."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
