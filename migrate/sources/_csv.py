"""Delimited text files (csv, txt, tsv): encoding and delimiter guessed, header row found."""

from __future__ import annotations

import codecs
import csv
import io
import sys
from pathlib import Path

import pandas as pd

try:
    import pyarrow as pa
    from pyarrow import csv as pa_csv
except ImportError:  # pragma: no cover - pyarrow is a dependency; the C parser still works
    pa_csv = None

from migrate.errors import SourceReadError
from migrate.sources._encoding import SAMPLE_BYTES, detect_encoding, looks_binary, sniff_delimiter
from migrate.sources._header import HEADER_SCAN_ROWS, detect_header_row
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


def _decode_sample(path: Path, sample: bytes, encoding: str, *, complete: bool) -> str:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(sample) - 4:
            return sample[: exc.start].decode(encoding)
        raise _bad_encoding(path, sample, encoding, exc.start) from None
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
            lines += chunk.count(b"\n")
            offset += len(chunk)
    return _bad_encoding(path, b"", encoding, 0, lines=lines, base=offset)


def _first_records(text: str, delimiter: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """The first records and, for each, the number of physical lines read before it."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
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
    except UnicodeDecodeError:
        raise _locate_bad_bytes(path, encoding) from None
    except pd.errors.ParserError:  # ragged rows: more fields than the header has
        with path.open(encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh, delimiter=delimiter))[skip:]
        return pd.DataFrame(rows, dtype=object).fillna("")


def _read_all(path: Path, encoding: str, delimiter: str, width: int, skip: int) -> pd.DataFrame:
    """Every record from physical line ``skip`` on, as positional text columns.

    pyarrow's parser when it is installed (fast); pandas' C parser when pyarrow is missing
    or refuses the file (short or long rows, bad bytes); the csv module for ragged rows.
    """
    if pa_csv is not None:
        try:
            return _read_arrow(path, encoding, delimiter, width, skip)
        except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
            pass
    return _read_pandas(path, encoding, delimiter, width, skip)


def read_delimited(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read a CSV/TSV/TXT file into a RawTable (see :func:`migrate.sources.read_table`)."""
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
    encoding = encoding or detect_encoding(sample, complete=complete)
    text = _decode_sample(path, sample, encoding, complete=complete)
    delimiter = delimiter or sniff_delimiter(text)
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
    frame = _read_all(path, encoding, delimiter, width, starts[index])
    header = [str(v) for v in frame.iloc[0]]
    header[0] = header[0].lstrip("\ufeff")
    return table_from_grid(
        header, frame.iloc[1:], index + 2, source=path, sheet="", header_row=index + 1
    )
