"""`read_table`: one entry point that picks the reader by the file's extension."""

from __future__ import annotations

from pathlib import Path

from migrate.errors import SourceReadError
from migrate.sources._commerceml import read_commerceml, read_offers
from migrate.sources._csv import read_delimited
from migrate.sources._excel import list_sheets as _workbook_sheets
from migrate.sources._excel import read_workbook
from migrate.sources._table import RawTable

__all__ = ["TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "XML_SHEETS", "list_sheets", "read_table"]

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".tab"})
XML_SHEETS = ("Товары", "Группы")  # the two tables of a CommerceML import.xml


def _check_file(path: Path) -> None:
    if not path.exists():
        raise SourceReadError(
            "the file does not exist", source=str(path), next_step="check the path and its spelling"
        )
    if not path.is_file():
        raise SourceReadError("this is a folder, not a file", source=str(path))


def _xml_root(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace")
    return "offers" if "ПакетПредложений" in head else "import"


def list_sheets(path: str | Path) -> list[str]:
    """The sheets a file offers: workbook sheet names; ``[""]`` for CSV; XML_SHEETS for
    a CommerceML ``import.xml``."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _workbook_sheets(path)
    if suffix == ".xml":
        return list(XML_SHEETS) if _xml_root(path) == "import" else [""]
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

    Args:
        path: ``.xlsx/.xlsm/.xlsb/.xls/.ods`` (python-calamine), ``.csv/.txt/.tsv/.tab``
            (encoding and delimiter guessed), or a CommerceML ``import.xml`` / ``offers.xml``.
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
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        table = read_workbook(path, sheet=sheet, header_row=header_row)
    elif suffix == ".xml":
        return _read_xml(path, sheet)
    elif suffix in TEXT_SUFFIXES or sheet is None:
        table = read_delimited(path, encoding=encoding, delimiter=delimiter, header_row=header_row)
    else:
        raise _sheet_not_applicable(path, suffix)
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
        f"`--sheet` does not apply to a {suffix or 'text'} file",
        source=str(path),
        next_step="drop `--sheet`",
    )


def _read_xml(path: Path, sheet: str | int | None) -> RawTable:
    if _xml_root(path) == "offers":
        return read_offers(path)
    catalog = read_commerceml(path)
    if sheet in (None, 0, "Товары"):
        return catalog.products
    if sheet in (1, "Группы"):
        return catalog.sections
    raise SourceReadError(
        f"there is no table `{sheet}` in a CommerceML file; the tables are: "
        + ", ".join(f"`{s}`" for s in XML_SHEETS),
        source=str(path),
        next_step="pass one of these with `--sheet`",
    )
