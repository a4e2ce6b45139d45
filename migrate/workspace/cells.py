"""Cells of the files we write for people (workbooks, CSV): text a spreadsheet must not run.

A client opens these files in Excel, where a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return) is evaluated as a formula: an id such as
``=HYPERLINK("http://…")`` from a hostile export would become a live link or worse. The
workbooks mark such cells as text (:mod:`migrate.reports._xlsx`); a CSV cell gets a leading
``'`` (:func:`formula_safe_text`). Shared by the reports and the stand-alone dedupe's CSV.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_PREFIXES", "formula_safe_text"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def formula_safe_text(value: object) -> str:
    """``value`` as text for a CSV a person opens in Excel: one that would start a formula
    gets a leading ``'``, which Excel shows as text.

    Plain numbers (``-5``, ``+7``) are left alone: Excel reads them as numbers, not formulas.

    Example: ``formula_safe_text("=1+1")`` → ``"'=1+1"``.
    """
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
