"""Person-name features and levels: order-insensitive ФИО, roles, initials, transliteration.

Each distinct name is read once; each distinct word is transliterated and classified once
(memoised), so a million contacts cost one pass over their distinct names.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import cleaners
from rapidfuzz.distance import OSA

from migrate.dedupe import _normalise as norm
from migrate.dedupe._features import Codes, encode, pair_scores
from migrate.dedupe._nicknames import canonical_token

__all__ = ["initials_agree", "person_features", "roles_agree"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_WORDS: dict[str, tuple[str, str, str]] = {}
_FIELDS = ("exact", "translit", "surname", "given", "patronymic", "g1", "p1", "gs", "ps")


def _word(token: str) -> tuple[str, str, str]:
    """(canonical word, its Latin key, its role hint), memoised."""
    info = _WORDS.get(token)
    if info is None:
        canon = canonical_token(cleaners.fix_mixed_script(token))
        latin = canonical_token(norm.translit_key(canon)).replace(" ", "")
        info = (canon, latin, norm.role_hint(token))
        _WORDS[token] = info
    return info


def _features(value: str, surname_first: bool) -> tuple[str, ...]:
    tokens = norm.name_tokens(value)
    words = [_word(t) for t in tokens]
    exact = " ".join(sorted(w[0] for w in words))
    latin = " ".join(sorted(w[1] for w in words if w[1]))
    picked = norm.assign_roles([w[2] for w in words], surname_first)
    surname, given, patronymic = (words[i][1] if i >= 0 else "" for i in picked)
    firsts = [_word(tokens[i][:1])[1][:1] if i >= 0 else "" for i in picked[1:]]
    shorts = ["1" if i >= 0 and len(tokens[i]) == 1 else "" for i in picked[1:]]
    return (exact, latin, surname, given, patronymic, *firsts, *shorts)


def person_features(
    raw: npt.NDArray[np.object_], *, surname_first: bool
) -> tuple[Codes, dict[str, Codes]]:
    """``(exact codes, extra codes)``: sorted words as written, and the Latin/role features."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    rows = [_features(str(u), surname_first) for u in uniques]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _FIELDS]
    out: dict[str, Codes] = {}
    for name, values in zip(_FIELDS, columns, strict=True):
        texts = np.array([*values, ""], dtype=object)
        out[name] = encode(texts[codes], lambda v: v)
    exact = out.pop("exact")
    return exact, out


def _both(c: Codes, a: IntArray, b: IntArray) -> BoolArray:
    return (c.codes[a] >= 0) & (c.codes[b] >= 0)


def _same(c: Codes, a: IntArray, b: IntArray) -> BoolArray:
    return _both(c, a, b) & (c.codes[a] == c.codes[b])


def initials_agree(x: dict[str, Codes], a: IntArray, b: IntArray) -> BoolArray:
    """Same surname, given names that agree by initial, one side written as initials."""
    abbreviated = (x["gs"].codes[a] >= 0) | (x["gs"].codes[b] >= 0)
    patronymic_ok = ~_both(x["p1"], a, b) | _same(x["p1"], a, b)
    return abbreviated & _same(x["surname"], a, b) & _same(x["g1"], a, b) & patronymic_ok


def roles_agree(
    x: dict[str, Codes], name: str, threshold: float, a: IntArray, b: IntArray, mask: BoolArray
) -> BoolArray:
    """``subset``: every role present on both sides is equal; ``fuzzy``: each is similar."""
    roles = ("surname", "given", "patronymic")
    if name == "subset":
        agree = np.ones(len(a), dtype=bool)
        any_both = np.zeros(len(a), dtype=bool)
        for role in roles:
            both = _both(x[role], a, b)
            agree &= ~both | _same(x[role], a, b)
            any_both |= both
        return mask & agree & any_both
    ok = mask & _both(x["surname"], a, b) & (_both(x["given"], a, b) | _both(x["patronymic"], a, b))
    for role in roles:
        c = x[role]
        both = _both(c, a, b)
        sim = pair_scores(c, c.codes[a], c.codes[b], mask & both, OSA.normalized_similarity)
        good = ~both | (sim >= threshold - 1e-9)
        if role != "surname":  # an initial agrees with a full name that starts with it
            initial, short = (x["g1"], x["gs"]) if role == "given" else (x["p1"], x["ps"])
            is_short = (short.codes[a] >= 0) | (short.codes[b] >= 0)
            good |= both & is_short & _same(initial, a, b)
        ok &= good
    return ok



