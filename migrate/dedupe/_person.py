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


SEPARATOR = "\x1f"  # between the columns of one name


def _assign(parts: list[list[str]], roles: tuple[str, ...], surname_first: bool) -> list[int]:
    """Indices (into the flattened words) of surname, given name, patronymic (-1: none).

    A column that holds one word gives it the column's role; words of a column holding
    several (a whole ФИО in «Имя») are placed by their look (:func:`assign_roles`).
    """
    picked: dict[str, int] = {}
    rest: list[int] = []
    offset = 0
    for words, role in zip(parts, roles, strict=True):
        if len(words) == 1 and role and role not in picked and len(words[0]) > 1:
            picked[role] = offset
        else:
            rest.extend(range(offset, offset + len(words)))
        offset += len(words)
    flat = [w for words in parts for w in words]
    hints = [_word(flat[i])[2] for i in rest]
    if "given" in picked:  # initials in the other columns belong to the patronymic
        hints = ["patronymic" if h == "initial" else h for h in hints]
    sub = norm.assign_roles(hints, surname_first)
    for role, index in zip(("surname", "given", "patronymic"), sub, strict=True):
        if index >= 0 and role not in picked:
            picked[role] = rest[index]
    return [picked.get(r, -1) for r in ("surname", "given", "patronymic")]


def _features(value: str, roles: tuple[str, ...], surname_first: bool) -> tuple[str, ...]:
    parts = [norm.name_tokens(part) for part in value.split(SEPARATOR)]
    tokens = [t for words in parts for t in words]
    words = [_word(t) for t in tokens]
    exact = " ".join(sorted(w[0] for w in words))
    latin = " ".join(sorted(w[1] for w in words if w[1]))
    picked = _assign(parts, roles if len(roles) == len(parts) else ("",) * len(parts),
                     surname_first)  # fmt: skip
    surname, given, patronymic = (words[i][1] if i >= 0 else "" for i in picked)
    firsts = [_word(tokens[i][:1])[1][:1] if i >= 0 else "" for i in picked[1:]]
    shorts = ["1" if i >= 0 and len(tokens[i]) == 1 else "" for i in picked[1:]]
    return (exact, latin, surname, given, patronymic, *firsts, *shorts)


def person_features(
    raw: npt.NDArray[np.object_], *, roles: tuple[str, ...], surname_first: bool
) -> tuple[Codes, dict[str, Codes]]:
    """``(exact codes, extra codes)``: sorted words as written, and the Latin/role features.

    ``raw`` holds each record's name columns joined by :data:`SEPARATOR`; ``roles`` names the
    role of each column (``""`` when unknown). Surname and given name share one code space,
    so that a name typed into the other column can still be compared.
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    rows = [_features(str(u), roles, surname_first) for u in uniques]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _FIELDS]
    out: dict[str, Codes] = {}
    for name, values in zip(_FIELDS, columns, strict=True):
        if name in ("surname", "given"):
            continue
        texts = np.array([*values, ""], dtype=object)
        out[name] = encode(texts[codes], lambda v: v)
    joint, values = pd.factorize(np.array([*columns[2], *columns[3], ""], dtype=object))
    joint = np.where(joint == joint[-1], -1, joint).astype(np.int64)
    n = len(uniques)
    for index, name in enumerate(("surname", "given")):
        part = np.append(joint[index * n : (index + 1) * n], -1)
        out[name] = Codes(part[codes], np.asarray(values, dtype=object))
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
        sur, giv = x["surname"], x["given"]
        crossed = (sur.codes[a] == giv.codes[b]) & (giv.codes[a] == sur.codes[b]) & (sur.codes[a] >= 0)
        crossed &= (giv.codes[a] >= 0) & (~_both(x["patronymic"], a, b) | _same(x["patronymic"], a, b))
        return mask & ((agree & any_both) | crossed)
    ok = mask & _both(x["surname"], a, b) & (_both(x["given"], a, b) | _both(x["patronymic"], a, b))
    straight = ok.copy()
    for role in roles:
        c = x[role]
        both = _both(c, a, b)
        sim = pair_scores(c, c.codes[a], c.codes[b], mask & both, OSA.normalized_similarity)
        good = ~both | (sim >= threshold - 1e-9)
        if role != "surname":  # an initial agrees with a full name that starts with it
            initial, short = (x["g1"], x["gs"]) if role == "given" else (x["p1"], x["ps"])
            is_short = (short.codes[a] >= 0) | (short.codes[b] >= 0)
            good |= both & is_short & _same(initial, a, b)
        straight &= good
    return straight | (ok & _crossed(x, threshold, a, b, mask))


def _crossed(
    x: dict[str, Codes], threshold: float, a: IntArray, b: IntArray, mask: BoolArray
) -> BoolArray:
    """Surname and given name typed into each other's column, each still similar."""
    sur, giv = x["surname"], x["given"]
    both = (sur.codes[a] >= 0) & (giv.codes[b] >= 0) & (giv.codes[a] >= 0) & (sur.codes[b] >= 0)
    one = pair_scores(sur, sur.codes[a], giv.codes[b], mask & both, OSA.normalized_similarity)
    two = pair_scores(sur, giv.codes[a], sur.codes[b], mask & both, OSA.normalized_similarity)
    return both & (one >= threshold - 1e-9) & (two >= threshold - 1e-9)



