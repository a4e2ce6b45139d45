"""A cut of the bundled sample: its first N data rows per file, for quick demo runs and tests.

The amoCRM files and the 1C product list are copied to ``ROOT/sources/`` with the same names,
encodings and delimiters, title rows kept (a header row found by the reader stays the header);
references to rows left out become warnings or refused rows, as in a real partial export. The
attachments folder (``amocrm/files/``) is copied whole.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

__all__ = ["sample_subset"]


def sample_subset(root: Path, rows: int) -> tuple[str, ...]:
    """Copies of the sample files (amoCRM + the 1C products) with their first ``rows`` data
    rows, in ROOT/sources; returns the `--source` folder for `init`."""
    import sample_data

    bundled = Path(sample_data.__file__).parent
    for folder, names in (("amocrm", None), ("onec", ("products.csv",))):
        target = root / "sources" / folder
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted((bundled / folder).iterdir()):
            if path.is_dir() and names is None:
                shutil.copytree(path, target / path.name, dirs_exist_ok=True)
            elif names is None or path.name in names:
                _head(path, target / path.name, rows)
    return (str(root / "sources" / "amocrm"),)


def _head(source: Path, target: Path, rows: int) -> None:
    from migrate.sources import read_table

    if source.suffix not in (".csv", ".xlsx"):
        return
    last = read_table(source).header_row + rows
    if source.suffix == ".csv":
        _head_csv(source, target, last)
    else:
        _head_xlsx(source, target, last)


def _head_csv(source: Path, target: Path, lines: int) -> None:
    data = source.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp1251"
    with source.open(encoding=encoding, newline="") as fin:
        dialect = csv.Sniffer().sniff(fin.read(4096), delimiters=",;\t")
        fin.seek(0)
        kept = [row for _, row in zip(range(lines), csv.reader(fin, dialect), strict=False)]
    with target.open("w", encoding=encoding, newline="") as fout:
        csv.writer(fout, dialect).writerows(kept)


def _head_xlsx(source: Path, target: Path, last_row: int) -> None:
    from openpyxl import load_workbook

    book = load_workbook(source)
    for sheet in book.worksheets:
        if sheet.max_row > last_row:
            sheet.delete_rows(last_row + 1, sheet.max_row - last_row)
    book.save(target)
