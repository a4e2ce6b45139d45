"""Read source files into RawTables: every cell text, with file/sheet/row provenance.

``read_table(path)`` reads xlsx/xlsm/xlsb/xls/ods workbooks (python-calamine), CSV/TXT
(encoding, delimiter and header row detected), HTML tables saved as .xls and 1C CommerceML
exchanges (``import.xml``/``offers.xml``, split ``import___*``/``offers___*``/``prices___*``/
``rests___*`` packages, CommerceML 1.x), choosing the reader by the file's content.
A file that cannot be read raises :class:`~migrate.errors.SourceReadError`. The RawTable
contract is in ``docs/internals.md``.
"""

from migrate.sources._commerceml import (
    CommerceMLCatalog,
    exchange_heads,
    read_commerceml,
    read_offers,
)
from migrate.sources._encoding import detect_encoding, sniff_delimiter
from migrate.sources._excel import cell_text
from migrate.sources._header import detect_header_row
from migrate.sources._limits import check_workbook
from migrate.sources._read import list_sheets, read_table
from migrate.sources._table import ROW_COLUMN, RawTable

__all__ = [
    "ROW_COLUMN",
    "CommerceMLCatalog",
    "RawTable",
    "cell_text",
    "check_workbook",
    "detect_encoding",
    "detect_header_row",
    "exchange_heads",
    "list_sheets",
    "read_commerceml",
    "read_offers",
    "read_table",
    "sniff_delimiter",
]
