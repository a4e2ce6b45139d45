"""The encoding of values that may hold their cell's separator (mappings.escape)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings.escape import EscapeError, escape_value, unescape_value


@given(st.text())
def test_any_text_comes_back_exactly_and_holds_no_line_break(value):
    written = escape_value(value)
    assert "\n" not in written
    assert "\r" not in written
    assert unescape_value(written) == value


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("строка 1\nстрока 2", "строка 1\\nстрока 2"),
        ("C:\\путь\\n", "C:\\\\путь\\\\n"),
        ("\r\n", "\\r\\n"),
        ("", ""),
    ],
)
def test_the_written_form(value, written):
    assert escape_value(value) == written
    assert unescape_value(written) == value


@pytest.mark.parametrize("stray", ["плохо\\x", "в конце\\", "\\t"])
def test_a_sequence_the_encoding_never_writes_is_an_error(stray):
    with pytest.raises(EscapeError) as info:
        unescape_value(stray)
    assert info.value.value == stray
    assert info.value.sequence.startswith("\\")
