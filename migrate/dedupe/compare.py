"""Comparison kinds: per-record features and, for arrays of record pairs, agreement levels.

:func:`prepare` turns a table's columns into features once; :func:`levels` maps two arrays of
record indices to a level per pair: ``-1`` = no evidence (a value is missing), ``0 … k-1`` = the
rule's levels in order (the first one that holds), ``k`` = the values differ. Fuzzy scores are
computed with :func:`rapidfuzz.process.cpdist` over each distinct pair of values once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from migrate.dedupe import _normalise as norm
from migrate.dedupe._features import (
    Codes,
    Multi,
    column_text,
    encode,
    encode_multi,
    gather_ranges,
    multi_values,
    pair_scores,
    shared_scores,
)
from migrate.dedupe._person import initials_agree, part_agrees, person_features, roles_agree
from migrate.dedupe.rules import Comparison

__all__ = ["Compared", "Prepared", "levels", "prepare"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
WORKERS = -1

_SCORERS: dict[str, Callable[..., float]] = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "partial_ratio": fuzz.partial_ratio,
    "WRatio": fuzz.WRatio,
    "jaro_winkler": JaroWinkler.normalized_similarity,
}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A comparison with the features it needs, one entry per record."""

    comparison: Comparison
    main: Codes
    extra: dict[str, Codes] = field(default_factory=dict)
    multi: Multi | None = None
    valid: BoolArray | None = None
    numbers: npt.NDArray[np.float64] | None = None


@dataclass(frozen=True, slots=True)
class Compared:
    """Levels of one comparison for some pairs; ``conflict``: two valid strong values differ."""

    level: npt.NDArray[np.int8]
    conflict: BoolArray


def prepare(frame: pd.DataFrame, comparison: Comparison) -> Prepared:
    """Compute the features ``comparison`` needs from ``frame`` (missing columns are empty)."""
    kind = comparison.kind
    if kind in ("phone", "email"):
        key = norm.phone_key if kind == "phone" else norm.email_key
        clean = r"\+\d{7,15}" if kind == "phone" else r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}"
        multi = encode_multi(len(frame), *multi_values(frame, comparison.columns), key, clean)
        extra = {}
        if kind == "email":
            extra["local"] = encode(_texts(multi.first), lambda e: e.split("@")[0])
        return Prepared(comparison, multi.first, extra, multi=multi)
    if kind == "person_name":
        return _prepare_person(frame, comparison)
    raw = column_text(frame, comparison.columns)
    if kind == "identifier":
        main = encode(raw, norm.inn_key if comparison.validate == "inn" else norm.identifier_key)
        ok = np.array([_valid(v, comparison.validate) for v in main.values] + [False])
        return Prepared(comparison, main, valid=ok[main.codes])
    if kind == "company_name":
        main = encode(raw, norm.company_key)
        translit = encode(_texts(main), norm.translit_key)
        compact = encode(_texts(translit), lambda v: v.replace(" ", ""))
        return Prepared(comparison, main, {"translit": translit, "compact": compact})
    if kind == "date":
        main = encode(raw, _date_key)
        ordinals = np.array([_ordinal(v) for v in main.values] + [np.nan])
        return Prepared(comparison, main, numbers=ordinals[main.codes])
    if kind == "number":
        main = encode(raw, _number_key)
        numbers = np.array([float(v) if v else np.nan for v in main.values] + [np.nan])
        return Prepared(comparison, main, numbers=numbers[main.codes])
    if kind == "code":
        return Prepared(comparison, encode(raw, norm.codes_key))
    return _prepare_text(frame, comparison, raw)


def _prepare_text(
    frame: pd.DataFrame, comparison: Comparison, raw: npt.NDArray[np.object_]
) -> Prepared:
    """The joined text; without spaces (``wolffcrescent``); each column alone for ``parts``."""
    main = encode(raw, _text_key)
    extra = {"compact": encode(_texts(main), lambda v: v.replace(" ", ""))}
    if any(level.name == "parts" for level in comparison.levels):
        for index, column in enumerate(comparison.columns):
            part = encode(column_text(frame, [column]), _text_key)
            extra[f"part{index}"] = encode(_texts(part), lambda v: v.replace(" ", ""))
    return Prepared(comparison, main, extra)


def _prepare_person(frame: pd.DataFrame, comparison: Comparison) -> Prepared:
    roles = tuple(_column_role(c) for c in comparison.columns)
    if len(comparison.columns) > 1 and not any(roles):
        order = ("surname", "given", "patronymic")
        roles = (order if _surname_first(comparison) else ("given", "surname", "patronymic"))[
            : len(roles)] + ("",) * max(0, len(roles) - 3)  # fmt: skip
    parts = [column_text(frame, [column]) for column in comparison.columns]
    features = person_features(parts, roles=roles, surname_first=_surname_first(comparison))
    return Prepared(comparison, *features)


_GIVEN_FIRST = re.compile(r"^(first|given|forename|имя|name$|fname)", re.IGNORECASE)
_ROLES = (
    ("surname", re.compile(r"last|surname|family|^lname|фамил", re.IGNORECASE)),
    ("patronymic", re.compile(r"second|middle|patronym|отчеств", re.IGNORECASE)),
    ("given", re.compile(r"first|given|forename|fname|^name$|^имя$", re.IGNORECASE)),
)


def _column_role(column: str) -> str:
    return next((role for role, pattern in _ROLES if pattern.search(column)), "")


def _surname_first(comparison: Comparison) -> bool:
    """ФИО columns (LAST_NAME, NAME…) or one full-name column: surname first; given_name…: not."""
    return not _GIVEN_FIRST.search(comparison.columns[0]) if len(comparison.columns) > 1 else True


def _texts(codes: Codes) -> npt.NDArray[np.object_]:
    return np.array([*codes.values, ""], dtype=object)[codes.codes]


def _valid(value: str, validate: str) -> bool:
    return norm.inn_is_valid(value) if validate == "inn" else bool(value)


_NOT_WORD = re.compile(r"[^0-9a-zа-яα-ωßäöüéèàç]+")


def _text_key(value: str) -> str:
    """Lower case, ``ё`` as ``е``, one space between the runs of letters and digits."""
    return _NOT_WORD.sub(" ", str(value).lower().replace("ё", "е")).strip(" ")


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d.%m.%y")


_SPLIT_DATE = re.compile(r"^(\d{4}); (\d{1,2}); (\d{1,2})$")  # year, month, day columns


def _date_key(value: str) -> str:
    if split := _SPLIT_DATE.match(value):
        year, month, day = split.groups()
        return f"{year}{int(month):02d}{int(day):02d}"
    text = value.strip()[:10] if re.match(r"\d{4}-\d\d-\d\dT", value.strip()) else value.strip()
    if len(text) == 8 and text.isdigit():
        return text  # yyyymmdd (an impossible one too: its digits still carry evidence)
    if text.endswith(".0"):
        text = text[:-2]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y%m%d")
        except ValueError:
            continue
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 8 else ""


def _ordinal(value: str) -> float:
    try:
        return float(dt.date(int(value[:4]), int(value[4:6]), int(value[6:8])).toordinal())
    except ValueError:
        return np.nan


# spaces, a currency before the number; what follows the last digit is cut off by position:
# `[^\d]+$` here re-read every run of non-digits to its end from each of its characters
_CURRENCY = re.compile(r"[\s\u00a0'’]|^[^\d\-+.,]+")
_THOUSANDS = re.compile(r"-?\d{1,3}([.,]\d{3})+")


def _number_key(value: str) -> str:
    """``1 234,50``, ``$1,777.69``, ``1.234,56 ₽``, ``12 руб.`` as a number (else ``""``).

    With both separators, the last one is the decimal point; a comma alone is one, unless it
    repeats (``1,234,567``).
    """
    last = next((i for i in range(len(value) - 1, -1, -1) if value[i].isdecimal()), -1)
    text = _CURRENCY.sub("", value[: last + 1])  # `\d` is `str.isdecimal`
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "") if _THOUSANDS.fullmatch(text) else ""
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return ""
    return repr(number) if np.isfinite(number) else ""


def levels(prepared: Prepared, a: IntArray, b: IntArray) -> Compared:
    """Agreement level of every pair ``(a[i], b[i])`` for one comparison."""
    comparison = prepared.comparison
    ca, cb = prepared.main.codes[a], prepared.main.codes[b]
    null = (ca < 0) | (cb < 0)
    differs = len(comparison.levels)
    level = np.full(len(a), differs, dtype=np.int8)
    undecided = ~null
    with shared_scores():  # best level first: a pair it takes is not scored for the others
        for index, spec in enumerate(comparison.levels):
            if not undecided.any():
                break
            holds = _holds(prepared, spec.name, spec.threshold, a, b, ca, cb, undecided)
            level[holds] = index
            undecided &= ~holds
    if prepared.multi is not None:
        shared = _shares_value(prepared.multi, a, b)
        level[shared] = 0
        null &= ~shared
    level[null] = -1
    conflict = np.zeros(len(a), dtype=bool)
    if comparison.strong and prepared.valid is not None:
        conflict = prepared.valid[a] & prepared.valid[b] & (ca != cb)
    return Compared(level, conflict)


def _holds(
    p: Prepared, name: str, threshold: float | None, a: IntArray, b: IntArray,
    ca: IntArray, cb: IntArray, mask: BoolArray,
) -> BoolArray:  # fmt: skip
    kind = p.comparison.kind
    if kind == "person_name" and name in ("exact", "translit"):
        # a lone first name («Вадим») is no identity: without surnames it is a subset at best
        sur = p.extra["surname"].codes
        mask = mask & (sur[a] >= 0) & (sur[b] >= 0)
    if name == "exact":
        return np.asarray(mask & (ca == cb), dtype=np.bool_)
    if name == "translit":
        t = p.extra.get("compact", p.extra["translit"])
        return np.asarray(mask & (t.codes[a] == t.codes[b]) & (t.codes[a] >= 0), dtype=np.bool_)
    if name == "initials":
        return np.asarray(mask & initials_agree(p.extra, a, b), dtype=np.bool_)
    if name == "part":
        return np.asarray(mask & part_agrees(p.extra, float(threshold or 1.0), a, b, mask),
                          dtype=np.bool_)  # fmt: skip
    if kind == "person_name" and name in ("subset", "fuzzy"):
        return np.asarray(
            mask & roles_agree(p.extra, name, float(threshold or 1.0), a, b, mask), dtype=np.bool_
        )
    if name == "local":
        t = p.extra["local"]
        return np.asarray(mask & (t.codes[a] == t.codes[b]) & (t.codes[a] >= 0), dtype=np.bool_)
    if name == "suffix":
        digits = int(threshold or 7)
        return np.asarray(mask & _suffix_equal(p.main, ca, cb, digits), dtype=np.bool_)
    if name == "typo" and kind == "identifier":
        return _id_typo(p.main, ca, cb, mask)
    if name == "parts":
        return _parts_agree(p, float(threshold or 1.0), a, b, mask)
    if name in ("within", "typo"):
        return _numeric_level(p, name, threshold, a, b, mask)
    source = p.extra.get("translit", p.main) if kind in ("person_name", "company_name") else p.main
    sa, sb = source.codes[a], source.codes[b]
    if name == "subset":
        score = pair_scores(source, sa, sb, mask, fuzz.token_set_ratio, key="subset")
        return np.asarray(mask & (score >= 1.0) & (sa != sb), dtype=np.bool_)
    scorer = _SCORERS[p.comparison.scorer] if kind == "text" else fuzz.token_sort_ratio
    if kind == "identifier" or kind == "email":
        scorer = fuzz.ratio
    score = pair_scores(source, sa, sb, mask, scorer, key="fuzzy")
    if kind == "email":  # only pairs that would hold can be namesakes' numbered mailboxes
        near = np.flatnonzero(mask & (score >= float(threshold or 1.0) - 1e-9))
        if len(near):
            score = score.copy()
            score[near[_only_numbers_differ(p, a[near], b[near])]] = 0.0
    if kind in ("company_name", "text"):  # «ЗАОФаворит Нягань», «wolffcrescent»: spacing varies
        compact = p.extra["compact"]
        short = mask & (score < float(threshold or 1.0) - 1e-9)  # only where it can still help
        glued = pair_scores(compact, compact.codes[a], compact.codes[b], short, fuzz.ratio,
                            key="glued", at_least=float(threshold or 1.0))  # fmt: skip
        score = np.maximum(score, glued)
    return np.asarray(mask & (score >= float(threshold or 1.0) - 1e-9), dtype=np.bool_)


PART_SIMILARITY = 0.8  # a part of a multi-column text agrees when this similar
_DIGITS, _NOT_DIGIT = re.compile(r"\d"), re.compile(r"\D")


def _only_numbers_differ(p: Prepared, a: IntArray, b: IntArray) -> BoolArray:
    """E-mails the same but for the number in the mailbox name (``i.ivanov1234@mail.ru`` and
    ``i.ivanov1284@mail.ru``): two mailboxes of namesakes (a year of birth, a counter), not a
    typo of one. Mailboxes are made of names, so among people of one name such pairs grow
    with the square of the table: at 1M contacts they were 98 % of the false merges."""
    ca, cb = p.main.codes[a], p.main.codes[b]
    used = np.unique(np.concatenate([ca, cb]))
    used = used[used >= 0]
    values = [str(p.main.values[i]) for i in used]
    letters, _ = pd.factorize(np.array([_DIGITS.sub("", v) for v in values], dtype=object))
    numbers, _ = pd.factorize(
        np.array([_NOT_DIGIT.sub("", v.split("@")[0]) for v in values], dtype=object)
    )
    pos_a, pos_b = np.searchsorted(used, ca), np.searchsorted(used, cb)
    both = (ca >= 0) & (cb >= 0)
    pos_a, pos_b = np.where(both, pos_a, 0), np.where(both, pos_b, 0)
    same_letters = both & (letters[pos_a] == letters[pos_b]) if len(used) else both
    return np.asarray(same_letters & (numbers[pos_a] != numbers[pos_b]) if len(used) else both,
                      dtype=np.bool_)  # fmt: skip


def _parts_agree(
    p: Prepared, threshold: float, a: IntArray, b: IntArray, mask: BoolArray
) -> BoolArray:
    """``parts``: of the columns filled on both sides, at least this share are similar.

    An address in six columns with a typo in one and another in a second still agrees on
    four of six parts, which one similarity over the joined text blurs.
    """
    agree = np.zeros(len(a))
    both = np.zeros(len(a))
    for index in range(len(p.comparison.columns)):
        part = p.extra[f"part{index}"]
        ca, cb = part.codes[a], part.codes[b]
        filled = mask & (ca >= 0) & (cb >= 0)
        score = pair_scores(part, ca, cb, filled, fuzz.ratio, key="part",
                            at_least=PART_SIMILARITY)  # fmt: skip
        both += filled
        agree += filled & (score >= PART_SIMILARITY - 1e-9)
    share = np.divide(agree, both, out=np.zeros(len(a)), where=both > 0)
    return np.asarray(mask & (both >= 2) & (share >= threshold - 1e-9), dtype=np.bool_)


def _shares_value(multi: Multi, a: IntArray, b: IntArray) -> BoolArray:
    """Whether records ``a[i]`` and ``b[i]`` have any value in common."""
    recs = multi.records()
    starts = np.searchsorted(recs, a, side="left")
    ends = np.searchsorted(recs, a, side="right")
    lengths = (ends - starts).astype(np.int64)
    entries = gather_ranges(starts.astype(np.int64), lengths)
    pair_of = np.repeat(np.arange(len(a), dtype=np.int64), lengths)
    probe = b[pair_of] * multi.width + multi.pairs[entries] % multi.width
    found = np.searchsorted(multi.pairs, probe)
    found = np.minimum(found, max(len(multi.pairs) - 1, 0))
    hit = multi.pairs[found] == probe if len(multi.pairs) else np.zeros(0, dtype=bool)
    shared = np.zeros(len(a), dtype=bool)
    shared[pair_of[hit]] = True
    return shared


def _id_typo(main: Codes, ca: IntArray, cb: IntArray, mask: BoolArray) -> BoolArray:
    """One keying slip: an edit (also two neighbours swapped) or any two characters swapped."""
    distance = pair_scores(main, ca, cb, mask, OSA.distance, scale=1.0)
    two = mask & (distance == 2)  # two characters swapped far apart are two substitutions
    swapped = pair_scores(main, ca, cb, two, _one_slip, scale=1.0) < 0.5
    return np.asarray(mask & ((distance <= 1) | swapped), dtype=np.bool_)


def _one_slip(left: str, right: str, **_: object) -> float:
    """0.0 when ``left`` becomes ``right`` by one edit or one swap of two characters, else 1."""
    if OSA.distance(left, right, score_cutoff=1) <= 1:
        return 0.0
    if len(left) != len(right):
        return 1.0
    diff = [i for i, (x, y) in enumerate(zip(left, right, strict=True)) if x != y]
    swapped = len(diff) == 2 and left[diff[0]] == right[diff[1]] and left[diff[1]] == right[diff[0]]
    return 0.0 if swapped else 1.0


def _suffix_equal(main: Codes, ca: IntArray, cb: IntArray, digits: int) -> BoolArray:
    suffix = np.array([v[-digits:] for v in main.values] + [""], dtype=object)
    codes, _ = pd.factorize(suffix)
    return np.asarray((codes[ca] == codes[cb]) & (ca >= 0) & (cb >= 0), dtype=np.bool_)


def _numeric_level(
    p: Prepared, name: str, threshold: float | None, a: IntArray, b: IntArray, mask: BoolArray
) -> BoolArray:
    assert p.numbers is not None
    if name == "within":
        va, vb = p.numbers[a], p.numbers[b]
        limit = float(threshold or 0.0)
        if p.comparison.kind == "number":
            return np.asarray(
                mask & (np.abs(va - vb) <= limit * np.maximum(np.abs(va), np.abs(vb))),
                dtype=np.bool_,
            )
        return np.asarray(mask & (np.abs(va - vb) <= limit), dtype=np.bool_)
    source = p.main
    ca, cb = source.codes[a], source.codes[b]
    swapped = np.array([v[:4] + v[6:8] + v[4:6] for v in source.values] + [""], dtype=object)
    index = {v: i for i, v in enumerate(source.values)}
    swap_code = np.array([index.get(v, -2) for v in swapped], dtype=np.int64)
    return np.asarray(mask & (_one_edit(source, ca, cb, mask) | (swap_code[ca] == cb)),
                      dtype=np.bool_)  # fmt: skip


EDIT_CHUNK = 1_000_000


def _one_edit(source: Codes, ca: IntArray, cb: IntArray, mask: BoolArray) -> BoolArray:
    """OSA distance ≤ 1 (one character changed, lost, added, or two neighbours swapped).

    Values of one length (dates: ``YYYYMMDD``) are compared as integers holding their bytes
    (up to 8 ASCII characters) or as arrays of characters, the others by rapidfuzz: between
    equal lengths, one edit is at most one differing position or one swap of neighbours (a
    loss plus an addition would be two).
    """
    sel = mask & (ca >= 0) & (cb >= 0)
    values = source.values
    lengths = np.array([len(v) for v in values] + [0], dtype=np.int64)
    equal = sel & (lengths[ca] == lengths[cb])
    out = np.zeros(len(ca), dtype=bool)
    rest = sel & ~equal & (np.abs(lengths[ca] - lengths[cb]) == 1)
    if rest.any():
        out |= rest & (pair_scores(source, ca, cb, rest, OSA.distance, scale=1.0) <= 1)
    width = int(lengths.max()) if len(values) else 0
    if width == 0 or not equal.any():
        return out
    packed = _packed(values, width)
    at = np.flatnonzero(equal)
    if packed is not None:
        out[at] = _one_slip_packed(packed[ca[at]], packed[cb[at]])
        return out
    chars = np.array(list(values), dtype=f"<U{width}").view(np.uint32).reshape(-1, width)
    for start in range(0, len(at), EDIT_CHUNK):
        part = at[start : start + EDIT_CHUNK]
        left, right = chars[ca[part]], chars[cb[part]]
        differ = left != right
        count = differ.sum(axis=1)
        first = differ.argmax(axis=1)
        second = np.minimum(first + 1, width - 1)
        rows = np.arange(len(part))
        neighbours = (count == 2) & differ[rows, second] & (second == first + 1)
        one, two = (rows, first), (rows, second)
        swap = (left[one] == right[two]) & (left[two] == right[one])
        out[part] = (count <= 1) | (neighbours & swap)
    return out


def _packed(values: npt.NDArray[np.object_], width: int) -> npt.NDArray[np.uint64] | None:
    """Each value's characters as the bytes of one integer (zero-padded), or ``None`` when a
    value is longer than 8 characters or not ASCII (dates: ``YYYYMMDD`` always fit)."""
    if width > 8:
        return None
    try:
        raw = np.array([*values, ""], dtype="S8")
    except UnicodeEncodeError:
        return None
    return raw.view(np.uint64)


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_HIGH = np.uint64(0x8080808080808080)
_U8, _U7, _BYTE = np.uint64(8), np.uint64(7), np.uint64(0xFF)


def _one_slip_packed(left: npt.NDArray[np.uint64], right: npt.NDArray[np.uint64]) -> BoolArray:
    """For values of equal length packed by :func:`_packed`: at most one differing character,
    or two neighbours swapped (what the character-array path below computes, per integer)."""
    x = left ^ right
    differ = (((x & _LOW7) + _LOW7) | x) & _HIGH  # the top bit of every differing byte
    count = np.bitwise_count(differ)
    low = differ & (~differ + np.uint64(1))  # the lowest differing byte's top bit
    neighbours = (count == 2) & (differ == (low | (low << _U8)))
    mask = (low >> _U7) * _BYTE  # the lower of the two bytes
    swap = (((left << _U8) ^ right) & (mask << _U8)) == 0
    swap &= (((left >> _U8) ^ right) & mask) == 0
    return np.asarray((count <= 1) | (neighbours & swap), dtype=np.bool_)
