"""Several values in one cell when a value may hold the separator itself (``escaped: true``).

A source portal's *multiple* text user field may hold a value with line breaks («строка 1
⏎ строка 2»), and the cell puts its values one per line. So inside each value a backslash is
written ``\\\\``, a line feed ``\\n`` and a carriage return ``\\r``: the cell's only real line
breaks are then the ones between values, and every value comes back exactly
(``unescape_value(escape_value(v)) == v`` for any text). The mapping line says so:

```yaml
UF_CRM_NOTES: {from: UF_CRM_NOTES, separator: "\\n", escaped: true}
```

and the prepare stage splits the cell at the separator first and decodes each value after.
A backslash followed by anything else was not written by this encoding (a cell edited by
hand): :class:`EscapeError` says where, and the row is flagged, never loaded with a guess.
"""

from __future__ import annotations

import re

__all__ = ["EscapeError", "escape_value", "unescape_value"]

_WRITTEN = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_READ = {"\\": "\\", "n": "\n", "r": "\r"}
_SEQUENCE = re.compile(r"\\(.?)", re.DOTALL)


class EscapeError(ValueError):
    """A value holding a backslash sequence the encoding never writes (``sequence``)."""

    def __init__(self, value: str, sequence: str) -> None:
        super().__init__(f"unknown escape {sequence!r} in {value[:80]!r}")
        self.value, self.sequence = value, sequence


def escape_value(value: str) -> str:
    """``value`` with its backslashes and line breaks escaped (one line, decodable).

    Example:
        >>> escape_value("строка 1\\nстрока 2")
        'строка 1\\\\nстрока 2'
    """
    return "".join(_WRITTEN.get(char, char) for char in value)


def unescape_value(value: str) -> str:
    """The value :func:`escape_value` wrote; :class:`EscapeError` for any other backslash."""

    def one(found: re.Match[str]) -> str:
        decoded = _READ.get(found.group(1))
        if decoded is None:
            raise EscapeError(value, found.group(0))
        return decoded

    return _SEQUENCE.sub(one, value)
