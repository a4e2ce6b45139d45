"""Guessing how a text file is encoded and delimited, from its first bytes."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

from charset_normalizer import from_bytes

__all__ = [
    "DELIMITERS",
    "SAMPLE_BYTES",
    "cyrillic_score",
    "detect_encoding",
    "looks_binary",
    "sniff_delimiter",
]

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CANDIDATES = [
    "cp1251", "koi8_r", "cp866", "utf_16_le", "utf_16_be", "mac_cyrillic", "cp1252", "mac_roman",
]  # fmt: skip
_EMBEDDED = re.compile(r"(?<=[A-Za-z])[\u0400-\u04ff]|[\u0400-\u04ff](?=[A-Za-z])")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_MAGIC = {
    b"PK\x03\x04": "a zip archive (an .xlsx/.ods workbook?)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Word file (.xls?)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"MOXCEL": "a 1C spreadsheet document (.mxl; in 1C: File → Save as → .xlsx)",
    b"Rar!": "a RAR archive (unpack it first)",
    b"7z\xbc\xaf": "a 7-Zip archive (unpack it first)",
    b"{\\rtf": "an RTF document",
}


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf_16_le``/``utf_16_be`` when the sample decodes to ordinary (Latin/Cyrillic) text."""
    body = sample[:8192]
    body = body[: len(body) // 2 * 2]
    if len(body) < 4:
        return None
    for name in ("utf_16_le", "utf_16_be"):
        text = body.decode(name, errors="replace")
        plain = sum(1 for ch in text if ord(ch) < 0x500 or 0x2000 <= ord(ch) < 0x20D0)
        if plain >= 0.95 * len(text) and text.count("\ufffd") <= len(text) // 100:
            controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
            if controls <= len(text) // 100:
                return name
    return None


def looks_binary(sample: bytes) -> str | None:
    """Say what a binary file is (``"a PDF document"``), or None when it may be text."""
    for magic, what in _MAGIC.items():
        if sample.startswith(magic):
            return what
    if any(sample.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(sample):
        return None
    body = sample[:8192]
    if not body:
        return None
    nuls = body.count(b"\x00")
    rest = body.replace(b"\x00", b"")
    control = sum(1 for b in rest if b < 9 or 13 < b < 26 or 26 < b < 32)
    if nuls > len(body) // 100 and (nuls > len(body) // 4 or control > len(rest) // 50):
        return "binary data (NUL bytes)"  # a few NULs in text are padding; read past them
    return "binary data" if control > len(body) // 20 else None


_COMMON_MARKS = frozenset("«»№–—…“”„‘’•·°±§©®€\xa0")


def cyrillic_score(text: str) -> float:
    """How much the non-ASCII characters of ``text`` look like Russian text (≤ 1).

    Decoded with the right code page, Russian text is mostly lower-case letters; with a wrong
    one it turns into capitals (koi8-r ↔ cp1251), box-drawing symbols (cp866) or symbols
    and non-Russian Cyrillic letters (mac-cyrillic ↔ cp1251), which count against it.
    """
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 0.0
    lower = sum(1 for ch in wide if "а" <= ch <= "я" or ch == "ё")
    odd = sum(1 for ch in wide if not ("А" <= ch <= "я" or ch in "Ёё") and ch not in _COMMON_MARKS)
    return (lower - 2 * odd) / len(wide)


def _western(text: str) -> bool:
    """Whether "Cyrillic" letters sit inside Latin words (``Cafй Mьller``): Western text
    (cp1252, mac-roman) read with a Cyrillic code page."""
    letters = len(_CYRILLIC.findall(text))
    return letters > 0 and len(_EMBEDDED.findall(text)) > 0.5 * letters


def _lower_share(text: str) -> float:
    """Share of non-ASCII characters that are lower-case letters (``é``, ``ü``): high when a
    Western code page is right, low when it turns them into capitals or symbols."""
    wide = [ch for ch in text if ord(ch) > 127]
    return sum(1 for ch in wide if ch.isalpha() and ch.islower()) / len(wide) if wide else 0.0


def _not_utf8_lines(sample: bytes) -> bytes:
    """The lines of ``sample`` that are not valid UTF-8 (a code-page file may hold a few)."""
    kept = []
    for line in sample.splitlines(keepends=True):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            kept.append(line)
    return b"".join(kept)


def detect_encoding(sample: bytes, *, complete: bool = False) -> str:
    """Name the codec of a text sample: BOM first, then strict UTF-8, then the likeliest of
    the Cyrillic code pages (cp1251, koi8-r, cp866, mac-cyrillic) and UTF-16 without BOM.

    ``complete`` says the sample is the whole file (so a UTF-8 sequence cut at the end is an
    error, not the sample's edge). Lines that are valid UTF-8 do not vote for a code page.
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    utf16 = _utf16_without_bom(sample) if b"\x00" in sample[:8192] else None
    if utf16:
        return utf16
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(sample) - 3:
            return "utf-8"  # the sample ends inside a character
    odd = _not_utf8_lines(sample) or sample
    best, best_score = "cp1251", -1.0
    for name in ("cp1251", "koi8_r", "cp866", "mac_cyrillic"):  # ties go to cp1251
        score = cyrillic_score(odd.decode(name, errors="replace"))
        if score > best_score:
            best, best_score = name, score
    if best_score > 0.6 and not _western(odd.decode(best, errors="replace")):
        return best
    if _western(odd.decode("cp1251", errors="replace")):
        return max(
            ("cp1252", "mac_roman"), key=lambda name: _lower_share(odd.decode(name, "replace"))
        )
    guess = from_bytes(sample, cp_isolation=_CANDIDATES).best()
    return guess.encoding if guess is not None else "cp1251"


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter (``,`` ``;`` tab ``|``) that splits the first lines most consistently.

    Quoted fields are respected. Each candidate is scored by how many lines share its most
    common field count (more than one field), weighted by that count.
    """
    lines = text.splitlines()[:50]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    sample = "\n".join(lines)
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(r)]
        if not widths:
            continue
        width, agree = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = agree / len(widths) * (1 + min(width, 50) / 50)
        if score > best_score:
            best, best_score = delimiter, score
    return best
