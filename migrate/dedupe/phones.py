"""Damaged phones: a number that is another record's number with one digit lost or added in front.

An earlier migration that cut a country code short leaves numbers that still look valid:
Ukraine's ``+380 50 123-45-67`` without its first digit is ``8 050 123-45-67``, a Russian
number by its form; Armenia's ``+374 95 123456`` becomes ``+7 495 123456``. Nothing about
such a number alone is wrong; only another record holding the full number gives it away.
:func:`damaged_phones` compares every phone's digits, as typed and as normalised, with every
other record's digits without their first digit, and returns a warning row per damaged number
(for ``errors.xlsx``) and the pair with its reason in words (for ``duplicates.xlsx``). It is a
pure function of the table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from migrate.dedupe import _normalise as norm
from migrate.dedupe._features import multi_values
from migrate.issues import ISSUE_COLUMNS, empty_issues, issues_frame

__all__ = ["DamagedPhones", "damaged_phones", "with_reasons"]

RULE = "phone.damaged"
MIN_DIGITS = 10  # a shorter number losing a digit is too likely to meet another by chance
_TEXT = {
    "ru": {
        "message": "Телефон {value} совпадает с телефоном {other} записи {key} без первой "
        "цифры «{digit}»: один из номеров, вероятно, повреждён (потерян или добавлен код "
        "страны)",
        "suggestion": "сверьте номер с клиентом; верный номер оставьте в обеих записях",
        "reason": "телефон {short} — это {long} без первой цифры «{digit}»: номер мог быть "
        "повреждён при прошлом переносе",
    },
    "en": {
        "message": "Phone {value} is the phone {other} of record {key} without its first "
        "digit «{digit}»: one of them is probably damaged (a country code lost or added)",
        "suggestion": "check the number with the client; keep the right one in both records",
        "reason": "phone {short} is {long} without its first digit «{digit}»: it may have "
        "been damaged by an earlier migration",
    },
}


@dataclass(frozen=True, slots=True)
class DamagedPhones:
    """``issues``: one warning per damaged number (:data:`migrate.issues.ISSUE_COLUMNS`);
    ``pairs``: ``key_a``, ``key_b`` (the record with the shorter number first), ``reason``."""

    issues: pd.DataFrame
    pairs: pd.DataFrame


def _digit_forms(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``record, shown, digits``: each phone's digits as typed and as normalised (E.164)."""
    records, values = multi_values(frame, columns)
    if not values:
        return pd.DataFrame(columns=["record", "shown", "digits"])
    shown = pd.Series(values, dtype=object).str.strip()
    typed = shown.map(lambda v: re.sub(r"\D", "", v.split(";ext=")[0]))
    keyed = shown.map(lambda v: norm.phone_key(v).lstrip("+"))
    both = pd.DataFrame({"record": np.r_[records, records], "shown": [*shown, *shown],
                         "digits": [*typed, *keyed]})  # fmt: skip
    return both[both["digits"].str.len() >= MIN_DIGITS - 1].drop_duplicates()


def damaged_phones(
    frame: pd.DataFrame,
    entity: str,
    *,
    columns: Sequence[str] = ("PHONE",),
    key: str = "_key",
    language: str = "ru",
) -> DamagedPhones:
    """Numbers of ``frame`` that are another record's number with its first digit cut off."""
    frame = frame.reset_index(drop=True)
    forms = _digit_forms(frame, [c for c in columns if c in frame.columns])
    if forms.empty:
        return DamagedPhones(empty_issues(), pd.DataFrame(columns=["key_a", "key_b", "reason"]))
    longer = forms[forms["digits"].str.len() >= MIN_DIGITS].copy()
    longer["cut"] = longer["digits"].str[1:]
    longer["digit"] = longer["digits"].str[:1]
    found = longer.merge(forms, left_on="cut", right_on="digits", suffixes=("_long", "_short"))
    found = found[found["record_long"] != found["record_short"]]
    same = _same_number(frame, columns, found)
    found = found[~same].drop_duplicates(["record_short", "record_long"])
    if found.empty:
        return DamagedPhones(empty_issues(), pd.DataFrame(columns=["key_a", "key_b", "reason"]))
    return _report(frame, entity, found, key, _TEXT.get(language, _TEXT["ru"]))


def _same_number(frame: pd.DataFrame, columns: Sequence[str], found: pd.DataFrame) -> np.ndarray:
    """Pairs that also share a normalised number (``8 916…`` and ``916…``): not damage."""
    records, values = multi_values(frame, [c for c in columns if c in frame.columns])
    keys = pd.DataFrame({"record": records, "phone": [norm.phone_key(v) for v in values]})
    held = set(zip(keys["record"].tolist(), keys["phone"].tolist(), strict=True))
    by_record: dict[int, set[str]] = {}
    for record, phone in held:
        by_record.setdefault(int(record), set()).add(phone)
    return np.array([bool(by_record.get(int(s), set()) & by_record.get(int(lo), set()))
                     for s, lo in zip(found["record_short"], found["record_long"], strict=True)],
                    dtype=bool)  # fmt: skip


def _report(
    frame: pd.DataFrame, entity: str, found: pd.DataFrame, key: str, text: dict[str, str]
) -> DamagedPhones:
    keys = frame[key].astype(str).to_numpy(object)
    issues, pairs = [], []
    for row in found.itertuples(index=False):
        short, long_ = int(str(row.record_short)), int(str(row.record_long))
        issues.append({
            "entity": entity, "source": _cell(frame, "_source", short),
            "sheet": _cell(frame, "_sheet", short), "row": _row(frame, short),
            "key": keys[short], "column": "PHONE", "field": "PHONE", "rule": RULE,
            "value": row.shown_short, "severity": "warning",
            "message": text["message"].format(value=row.shown_short, other=row.shown_long,
                                              key=keys[long_], digit=row.digit),
            "suggestion": text["suggestion"],
        })  # fmt: skip
        reason = text["reason"].format(short=row.shown_short, long=row.shown_long,
                                       digit=row.digit)  # fmt: skip
        pairs.append({"key_a": keys[short], "key_b": keys[long_], "reason": reason})
    frame_issues = pd.DataFrame(issues, columns=list(ISSUE_COLUMNS))
    return DamagedPhones(issues_frame([]) if frame_issues.empty else _typed(frame_issues),
                         pd.DataFrame(pairs))  # fmt: skip


def _typed(issues: pd.DataFrame) -> pd.DataFrame:
    from migrate.issues import concat_issues

    return concat_issues([issues])


def _cell(frame: pd.DataFrame, column: str, index: int) -> str:
    return str(frame[column].iat[index]) if column in frame.columns else ""


def _row(frame: pd.DataFrame, index: int) -> int | None:
    if "_row" not in frame.columns:
        return None
    value = str(frame["_row"].iat[index])
    return int(value) if value.isdigit() else None


def with_reasons(pairs: pd.DataFrame, damaged: DamagedPhones) -> pd.DataFrame:
    """Dedupe's pairs plus the damaged-phone pairs: a known pair gets the reason appended, a
    new one is added for review (``status`` ``review``, no probability)."""
    if damaged.pairs.empty:
        return pairs
    out = pairs.copy()
    index = {frozenset((a, b)): i for i, (a, b) in
             enumerate(zip(out["key_a"], out["key_b"], strict=True))}  # fmt: skip
    extra = []
    for a, b, reason in damaged.pairs.itertuples(index=False, name=None):
        at = index.get(frozenset((a, b)))
        if at is None:
            extra.append({"key_a": a, "key_b": b, "probability": 0.0, "score": 0.0,
                          "status": "review", "reason": reason})  # fmt: skip
        else:
            label = out.index[at]
            known = str(out.at[label, "reason"])
            out.loc[label, "reason"] = f"{known}; {reason}" if known else reason
    if not extra:
        return out
    added = pd.DataFrame(extra, columns=out.columns)
    return added if out.empty else pd.concat([out, added], ignore_index=True)
