"""`read_table`: one entry point that picks the reader by the file's extension."""

from __future__ import annotations

import re
from pathlib import Path

from migrate.errors import SourceReadError
from migrate.sources._cml1 import is_commerceml1, read_commerceml1
from migrate.sources._commerceml import read_commerceml, read_offers
from migrate.sources._csv import read_delimited
from migrate.sources._excel import list_sheets as _workbook_sheets
from migrate.sources._excel import read_workbook
from migrate.sources._html import looks_like_html, read_html_table
from migrate.sources._snapshot import PARQUET_MAGIC, read_snapshot
from migrate.sources._table import RawTable

__all__ = ["XML_SHEETS", "list_sheets", "read_table"]

ZIP_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".ods"})  # workbooks in a zip container
OLE_SUFFIXES = frozenset({".xls", ".xlsx"})  # .xls, and .xlsx when encrypted
XML_SHEETS = ("Товары", "Группы")  # the two tables of a CommerceML import.xml


def _check_file(path: Path) -> None:
    if not path.exists():
        raise SourceReadError(
            "the file does not exist", source=str(path), next_step="check the path and its spelling"
        )
    if not path.is_file():
        raise SourceReadError("this is a folder, not a file", source=str(path))


_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)""")
_XML_ROOT = re.compile(r"<([^\s?!/>]+)")


def _head(path: Path, size: int = 8192) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def _kind(path: Path) -> str:
    """What the file really is, whatever its name says: workbook, html, xml or text."""
    head = _head(path)
    if head.startswith(PARQUET_MAGIC):
        return "snapshot"
    if head.startswith((_ZIP, _OLE)):
        return "workbook"
    if looks_like_html(head):
        return "html"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<?xml"):
        return "xml"
    return "text"


def _named_right(path: Path) -> bool:
    """Whether a workbook's extension names its container (zip or OLE)."""
    suffix = path.suffix.lower()
    zipped = _head(path, 4).startswith(_ZIP)
    return suffix in (ZIP_SUFFIXES if zipped else OLE_SUFFIXES)


def _xml_root(path: Path) -> str:
    """``import`` or ``offers`` for CommerceML, ``spreadsheetml`` for Excel 2003 XML, else
    the root element's name."""
    head = _head(path, 65536).removeprefix(b"\xef\xbb\xbf")
    declared = _XML_ENCODING.match(head)
    try:
        text = head.decode(declared.group(1).decode("ascii") if declared else "utf-8", "replace")
    except LookupError:
        text = head.decode("utf-8", "replace")
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    root = _XML_ROOT.search(body)
    name = root.group(1).rsplit(":", 1)[-1] if root else ""
    if name == "КоммерческаяИнформация":
        if is_commerceml1(body):
            return "commerceml1"
        return "offers" if "ПакетПредложений" in body and "<Товар" not in body else "import"
    if name == "Workbook" and "office:spreadsheet" in body:
        return "spreadsheetml"
    return name or "?"


def list_sheets(path: str | Path) -> list[str]:
    """The sheets a file offers: workbook sheet names; ``[""]`` for CSV, HTML and
    ``offers.xml``; XML_SHEETS for a CommerceML ``import.xml``."""
    path = Path(path)
    _check_file(path)
    kind = _kind(path)
    if kind == "workbook":
        return _workbook_sheets(path, by_content=not _named_right(path))
    if kind == "xml":
        return list(XML_SHEETS) if _xml_root(path) in ("import", "commerceml1") else [""]
    return [""]


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> RawTable:
    """Read one table of a source file, every cell as text.

    The reader is chosen by what the file holds, not by its name: a workbook named ``.csv``
    reads as a workbook, a CSV or an HTML table named ``.xls`` (Bitrix24's "Export to
    Excel") reads as text or HTML.

    Args:
        path: ``.xlsx/.xlsm/.xlsb/.xls/.ods`` (python-calamine), ``.csv/.txt/.tsv/.tab``
            (encoding and delimiter guessed), an HTML table, or a CommerceML
            ``import.xml`` / ``offers.xml``.
        sheet: a sheet name (case-insensitive) or 0-based index; default: the first
            non-empty sheet. For ``import.xml``: ``"Товары"`` (default) or ``"Группы"``.
        header_row: the 1-based header row; default: detected below title/blank rows.
        encoding: a Python codec name for text files; default: detected.
        delimiter: for text files; default: sniffed among ``,`` ``;`` tab ``|``.

    Raises:
        SourceReadError: the file cannot be read; the message names the file (and sheet and
            row where they matter) and what to do next.
    """
    path = Path(path)
    _check_file(path)
    if header_row is not None and header_row < 1:
        raise SourceReadError(
            f"the header row must be 1 or more, not {header_row}",
            source=str(path),
            next_step="rows count from 1 as a spreadsheet shows them; leave `--header-row` out "
            "to detect the header",
        )
    kind = _kind(path)
    if kind == "snapshot":  # a table read from a source portal (may be empty: no leads)
        return read_snapshot(path)
    if kind == "xml":
        table = _read_xml(path, sheet)
        if not len(table):
            groups = sheet in (1, "Группы")
            raise SourceReadError(
                f"the CommerceML file holds no {'groups' if groups else 'products'}",
                source=str(path),
                next_step="1C may split a catalogue over several files (import0_1.xml holds the "
                "groups, import0_2.xml the goods): give the one with the goods, or read the "
                "groups with `--sheet Группы`",
            )
        return table
    if kind == "workbook":
        table = read_workbook(
            path, sheet=sheet, header_row=header_row, by_content=not _named_right(path)
        )
    elif sheet not in (None, 0, ""):
        raise _sheet_not_applicable(path, path.suffix.lower())
    elif kind == "html":
        table = read_html_table(path, header_row=header_row)
    else:
        table = read_delimited(path, encoding=encoding, delimiter=delimiter, header_row=header_row)
    if not len(table):
        raise SourceReadError(
            f"there is a header (row {table.header_row}) but no data rows below it",
            source=str(path),
            sheet=table.sheet or None,
            row=table.header_row,
            next_step="export again with the records selected, or pick the right `--sheet`",
        )
    return table


def _sheet_not_applicable(path: Path, suffix: str) -> SourceReadError:
    return SourceReadError(
        f"`--sheet` does not apply to a {suffix or 'text'} file: it has one table",
        source=str(path),
        next_step="drop `--sheet` (and `sheet:` for this source in `migration.yaml`)",
    )


def _read_xml(path: Path, sheet: str | int | None) -> RawTable:
    root = _xml_root(path)
    if root == "spreadsheetml":
        raise SourceReadError(
            "this is an Excel 2003 XML spreadsheet, which is not read directly",
            source=str(path),
            next_step="open it in Excel or LibreOffice, save it as .xlsx, and re-run",
        )
    if root not in ("import", "offers", "commerceml1"):
        raise SourceReadError(
            f"this XML file is not a 1C CommerceML catalogue (its root element is `{root}`)",
            source=str(path),
            next_step="export the catalogue from 1C (import.xml, offers.xml) or the data as CSV",
        )
    if root == "offers":
        if sheet not in (None, 0, ""):
            raise _sheet_not_applicable(path, "offers.xml")
        return read_offers(path)
    if root == "commerceml1":
        products, sections = read_commerceml1(path)
    else:
        catalog = read_commerceml(path)
        products, sections = catalog.products, catalog.sections
    if sheet in (None, 0, "Товары"):
        return products
    if sheet in (1, "Группы"):
        return sections
    raise SourceReadError(
        f"there is no table `{sheet}` in a CommerceML file; the tables are: "
        + ", ".join(f"`{s}`" for s in XML_SHEETS),
        source=str(path),
        next_step="pass one of these with `--sheet`",
    )
