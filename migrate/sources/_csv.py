"""Delimited text files (csv, txt, tsv): encoding and delimiter guessed, header row found."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import sys
import tempfile
from pathlib import Path

import pandas as pd

try:
    import pyarrow as pa
    from pyarrow import csv as pa_csv
except ImportError:  # pragma: no cover - pyarrow is a dependency; the C parser still works
    pa_csv = None

from migrate.errors import SourceReadError, shorten
from migrate.sources._encoding import (
    SAMPLE_BYTES,
    cyrillic_score,
    detect_encoding,
    looks_binary,
    sniff_delimiter,
)
from migrate.sources._header import HEADER_SCAN_ROWS, detect_header_row, join_two_row_header
from migrate.sources._quotes import runaway_quote, unclosed_quote
from migrate.sources._table import RawTable, table_from_grid

__all__ = ["read_delimited"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 5 MB cell is data, not an attack


def _sample(path: Path) -> tuple[bytes, bool]:
    try:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES + 1)
    except OSError as exc:
        raise SourceReadError(
            f"cannot open the file ({exc.strerror})",
            source=str(path),
            next_step="check the path and that the file is not open exclusively elsewhere",
        ) from None
    return sample[:SAMPLE_BYTES], len(sample) <= SAMPLE_BYTES


def _without_cut_character(sample: bytes, encoding: str) -> str:
    """The sample decoded without the partial character its cut left at the end."""
    for cut in range(1, 4):
        try:
            return sample[:-cut].decode(encoding)
        except UnicodeDecodeError:
            continue
    return sample.decode(encoding, errors="ignore")


def _decode_sample(path: Path, sample: bytes, encoding: str, *, complete: bool) -> str:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError as exc:
        # a sample cut inside a character; with utf-8-sig ``exc.start`` does not count the BOM
        if not complete and exc.reason == "unexpected end of data":
            return _without_cut_character(sample, encoding)
        raise _bad_encoding(path, sample, encoding, exc.start) from None
    except UnicodeError:
        raise _bad_encoding(path, sample, encoding, 0) from None
    except LookupError:
        raise SourceReadError(
            f"unknown encoding `{encoding}`",
            source=str(path),
            next_step="use a Python codec name such as `utf-8`, `cp1251`, `koi8-r`, `utf-16`",
        ) from None


def _bad_encoding(
    path: Path, data: bytes, encoding: str, offset: int, *, lines: int = 0, base: int = 0
) -> SourceReadError:
    row = lines + data[:offset].count(b"\n") + 1
    return SourceReadError(
        f"the bytes at offset {base + offset} are not valid `{encoding}` text",
        source=str(path),
        row=row,
        next_step="pass the right `--encoding` (e.g. `cp1251` for old Windows exports, `utf-8`)",
    )


def _locate_bad_bytes(path: Path, encoding: str) -> SourceReadError:
    """Find the first undecodable byte by decoding the file chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, offset = 0, 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = max(0, exc.start - len(exc.object) + len(chunk))
                return _bad_encoding(path, chunk, encoding, bad, lines=lines, base=offset)
            except UnicodeError:  # "UTF-16 stream does not start with BOM" and the like
                return _bad_encoding(path, chunk, encoding, 0, lines=lines, base=offset)
            lines += chunk.count(b"\n")
            offset += len(chunk)
    return _bad_encoding(path, b"", encoding, 0, lines=lines, base=offset)


def _first_records(text: str, delimiter: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """The first records and, for each, the number of physical lines read before it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, starts, before = [], [], 0
    for row in reader:
        rows.append(row)
        starts.append(before)
        before = reader.line_num
        if len(rows) >= limit:
            break
    return rows, starts


def _read_arrow(path: Path, encoding: str, delimiter: str, width: int, skip: int) -> pd.DataFrame:
    names = [str(i) for i in range(width)]
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        encoding = "utf8"  # Arrow's own decoder (it skips a BOM); others go through Python
    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=names, skip_rows=skip, encoding=encoding, block_size=8 << 20
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame: pd.DataFrame = table.to_pandas()
    frame.columns = pd.RangeIndex(width)
    return frame


def _read_pandas(path: Path, encoding: str, delimiter: str, width: int, skip: int) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            sep=delimiter,
            header=None,
            names=range(width),
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=encoding,
            quotechar='"',
            engine="c",
            low_memory=False,
        )
    except UnicodeError:
        raise _locate_bad_bytes(path, encoding) from None
    except pd.errors.ParserError:  # ragged rows: more fields than the header has
        with path.open(encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh, delimiter=delimiter))[skip:]
        longest = max((len(r) for r in rows), default=width)
        return pd.DataFrame([r + [""] * (longest - len(r)) for r in rows], dtype=object)


def _read_all(path: Path, encoding: str, delimiter: str, width: int, skip: int) -> pd.DataFrame:
    """Every record from physical line ``skip`` on, as positional text columns.

    pyarrow's parser when it is installed (fast); pandas' C parser when pyarrow is missing
    or refuses the file (short or long rows, bad bytes); the csv module for ragged rows.
    """
    if pa_csv is not None:
        try:
            return _read_arrow(path, encoding, delimiter, width, skip)
        except (pa.ArrowInvalid, UnicodeError, LookupError):
            pass
    return _read_pandas(path, encoding, delimiter, width, skip)


_SEP_HINT = re.compile(r"\ufeff?sep=(.)[ \t]*(?:\r\n|\r|\n|$)")
_UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf][\xd0\xd1][\x80-\xbf]")
_SINGLE_BYTE = frozenset({"cp1251", "koi8-r", "cp866", "mac-cyrillic"})
_EOF_MARK = "\x1a"  # Ctrl-Z: the end-of-file mark of old DOS/1C exports


def _has_utf8_lines(path: Path) -> bool:
    """Whether a file read as a single-byte code page also holds UTF-8 Cyrillic text."""
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            if _UTF8_CYRILLIC.search(tail + chunk):
                return True
            tail = chunk[-3:]
    return False


def _mixed_copy(path: Path, fallback: str | None) -> Path | None:
    """A UTF-8 copy of a file whose lines mix UTF-8 and a code page, without NUL bytes.

    Each line is decoded as UTF-8 when it is valid UTF-8, else with ``fallback`` (or the
    likeliest Cyrillic code page of those lines). None when the other lines are not text.
    """
    data = path.read_bytes().replace(b"\x00", b"").removeprefix(b"\xef\xbb\xbf")
    lines = data.splitlines(keepends=True)
    other = [i for i, line in enumerate(lines) if not _is_utf8(line)]
    if other:
        odd = b"".join(lines[i] for i in other)
        fallback = fallback or detect_encoding(odd, complete=True)
        if (
            fallback in ("utf-8", "utf-8-sig")
            or cyrillic_score(odd.decode(fallback, "replace")) < 0.6
        ):
            return None
        for i in other:
            lines[i] = lines[i].decode(fallback, errors="replace").encode("utf-8")
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="b24migrate-")
    with os.fdopen(fd, "wb") as fh:
        fh.writelines(lines)
    return Path(name)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _fixed_width(rows: list[list[str]]) -> bool:
    """Whether one-column rows are really columns aligned with runs of spaces."""
    lines = [r[0] for r in rows[:20] if r and r[0].strip()]
    aligned = [line for line in lines if len(re.split(r" {2,}", line.strip())) >= 3]
    return len(lines) >= 2 and len(aligned) >= 0.8 * len(lines)


def _check_delimiter(path: Path, delimiter: str) -> str:
    named = {"\\t": "\t", "tab": "\t", "TAB": "\t", "\\x09": "\t"}
    delimiter = named.get(delimiter, delimiter)
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise SourceReadError(
            f"the delimiter must be one character, not `{delimiter!r}`",
            source=str(path),
            next_step="pass `--delimiter ';'`, `','`, `'|'` or `tab` (or leave it out to sniff it)",
        )
    return delimiter


_APOSTROPHE_NUMBER = r"^'\+?[0-9][0-9 ()\-]*$"
_APOSTROPHE_CELL = re.compile(r"(?:^|[,;\t|\"])'\+?[0-9]", re.M)


def _unwrap_excel_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``="0105017360"`` and ``'0105017360`` → ``0105017360``: the marks exporters put on a
    number so that Excel keeps it as text (leading zeros, long phones)."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        wrapped = values.str.startswith('="') & values.str.endswith('"') & (values.str.len() >= 3)
        if wrapped.any():
            frame.loc[wrapped, column] = values[wrapped].str[2:-1].str.replace('""', '"')
        marked = values.str.match(_APOSTROPHE_NUMBER)
        if marked.any():
            frame.loc[marked, column] = values[marked].str[1:]
    return frame


def read_delimited(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read a CSV/TSV/TXT file into a RawTable (see :func:`migrate.sources.read_table`).

    Besides the encoding and the delimiter it copes with what old exporters leave: a
    ``sep=;`` first line (Excel's hint, which also names the delimiter), CR-only line ends,
    NUL bytes, a Ctrl-Z end-of-file mark, and lines in UTF-8 among lines in a code page.
    A quote that opens a field and never closes raises an error naming its row.
    """
    sample, complete = _sample(path)
    if not sample:
        raise SourceReadError(
            "the file is empty (0 bytes)",
            source=str(path),
            next_step="export the data again; the export may have failed half-way",
        )
    binary = looks_binary(sample) if encoding is None else None
    if binary:
        raise SourceReadError(
            f"this is not a text file but {binary}",
            source=str(path),
            next_step="export the data as CSV or XLSX, or give the file its real extension",
        )
    if delimiter is not None:
        delimiter = _check_delimiter(path, delimiter)
    detected = encoding is None
    encoding = encoding or detect_encoding(sample, complete=complete)
    copy = None
    if (
        detected
        and not codecs.lookup(encoding).name.startswith("utf-16")
        and (
            b"\x00" in sample
            or (codecs.lookup(encoding).name in _SINGLE_BYTE and _has_utf8_lines(path))
        )
    ):
        fallback = None if encoding in ("utf-8", "utf-8-sig") else encoding
        copy = _mixed_copy(path, fallback)
        if copy is not None:
            encoding = "utf-8"
    try:
        try:
            return _read_text(path, copy or path, encoding, delimiter, header_row, complete)
        except SourceReadError:
            if not detected or copy is not None or encoding not in ("utf-8", "utf-8-sig"):
                raise
            copy = _mixed_copy(path, None)  # UTF-8 at the top, a code page further down
            if copy is None:
                raise
            return _read_text(path, copy, "utf-8", delimiter, header_row, complete)
    finally:
        if copy is not None:
            copy.unlink(missing_ok=True)


def _read_text(
    path: Path,
    source: Path,
    encoding: str,
    delimiter: str | None,
    header_row: int | None,
    complete: bool,
) -> RawTable:
    sample, _ = _sample(source)
    text = _decode_sample(path, sample, encoding, complete=complete)
    hint = _SEP_HINT.match(text)
    delimiter = delimiter or (hint.group(1) if hint else None) or sniff_delimiter(text)
    first, starts = _first_records(text, delimiter, max(HEADER_SCAN_ROWS, header_row or 0))
    index = detect_header_row(first) if header_row is None else header_row - 1
    if index is None:
        raise SourceReadError(
            "the file has only blank lines",
            source=str(path),
            next_step="export the data again; the export may have failed",
        )
    if index >= len(first):
        raise SourceReadError(
            f"the header row {index + 1} is past the end of the file ({len(first)} rows)",
            source=str(path),
            next_step="check `--header-row`",
        )
    width = max(len(r) for r in first[index:])
    if width == 1 and _fixed_width(first[index:]):
        raise SourceReadError(
            "the columns are aligned with spaces (a fixed-width text report), not separated "
            "by a delimiter",
            source=str(path),
            row=index + 1,
            next_step="open it in Excel (Data → Text to Columns → Fixed width) or export the "
            "report from 1C as Excel/CSV, then re-run",
        )
    frame = _read_all(source, encoding, delimiter, width, starts[index])
    if len(frame) and (frame.iloc[-1] == _EOF_MARK).any():
        last = frame.iloc[-1].replace(_EOF_MARK, "")
        if (last == "").all():
            frame = frame.iloc[:-1]
    runaway = runaway_quote(frame, delimiter, width) or unclosed_quote(
        frame, source, encoding, delimiter, index
    )
    if runaway is not None:
        at, swallowed = runaway
        what = (
            f"the next lines became part of one cell (`{shorten(swallowed, 60)}`)"
            if swallowed.strip()
            else "the rest of the file became part of one cell"
        )
        raise SourceReadError(
            f"a quote opened in this row is never closed, so {what}",
            source=str(path),
            row=index + 1 + at,
            next_step='fix the quote in that row (write it twice, `""`, or remove it) and re-run',
        )
    if '="' in text or _APOSTROPHE_CELL.search(text):
        frame = _unwrap_excel_text(frame)
    header = [str(v) for v in frame.iloc[0]]
    header[0] = header[0].lstrip("\ufeff")
    joined = join_two_row_header(first[index : index + 3]) if header_row is None else None
    skip = 2 if joined is not None else 1
    return table_from_grid(
        joined or header,
        frame.iloc[skip:],
        index + 1 + skip,
        source=path,
        sheet="",
        header_row=index + 1,
    )
