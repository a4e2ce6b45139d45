"""Person-name features and levels: order-insensitive ФИО, roles, initials, transliteration.

Each distinct name is read once; each distinct word is transliterated and classified once
(memoised), so a million contacts cost one pass over their distinct names.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz.distance import OSA

import cleaners
from migrate.dedupe import _normalise as norm
from migrate.dedupe._features import Codes, encode, pair_scores
from migrate.dedupe._nicknames import canonical_token

__all__ = ["initials_agree", "part_agrees", "person_features", "roles_agree"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_WORDS: dict[str, tuple[str, str, str]] = {}
_FIELDS = ("exact", "translit", "surname", "given", "patronymic", "g1", "p1", "gs", "ps",
           "surname_w", "given_w", "patronymic_w")  # fmt: skip
# surname/given/patronymic: Latin keys (cross-script); *_w: the words as written, where a typo
# stays one edit (the Latin fold turns «Сиоров» into «serov», far from «sidorov»)
_JOINT = (("surname", "given"), ("surname_w", "given_w"))


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
    exact = " ".join(sorted(w[0] for w in words if w[0]))
    latin = " ".join(sorted(w[1] for w in words if w[1]))
    picked = _assign(parts, roles if len(roles) == len(parts) else ("",) * len(parts),
                     surname_first)  # fmt: skip
    surname, given, patronymic = (words[i][1] if i >= 0 else "" for i in picked)
    written = [words[i][0] if i >= 0 else "" for i in picked]
    firsts = [_word(tokens[i][:1])[1][:1] if i >= 0 else "" for i in picked[1:]]
    shorts = ["1" if i >= 0 and len(tokens[i]) == 1 else "" for i in picked[1:]]
    return (exact, latin, surname, given, patronymic, *firsts, *shorts, *written)


def person_features(
    parts: list[npt.NDArray[np.object_]], *, roles: tuple[str, ...], surname_first: bool
) -> tuple[Codes, dict[str, Codes]]:
    """``(exact codes, extra codes)``: sorted words as written, and the Latin/role features.

    ``parts`` holds the text of each name column per record; ``roles`` names each column's
    role (``""`` when unknown). Records whose columns hold one word each, in columns of known
    roles (the common case), are handled column-wise and vectorised; the rest (a whole ФИО in
    one column, initials) word by word. Surname and given name share one code space, so that
    a name typed into the other column can still be compared.
    """
    n = len(parts[0])
    feats = {name: np.full(n, "", dtype=object) for name in _FIELDS}
    known = len(roles) == len(parts) <= 3 and all(roles) and len(set(roles)) == len(roles)
    fast = _fast_path(parts, roles, feats) if known else np.zeros(n, dtype=bool)
    slow = np.flatnonzero(~fast)
    if len(slow):
        joined = pd.Series(parts[0][slow], dtype=object)
        for part in parts[1:]:
            joined = joined + SEPARATOR + pd.Series(part[slow], dtype=object)
        codes, uniques = pd.factorize(joined.to_numpy(dtype=object))
        rows = [_features(str(u), roles, surname_first) for u in uniques]
        for index, name in enumerate(_FIELDS):
            feats[name][slow] = np.array([r[index] for r in rows], dtype=object)[codes]
    paired = {name for pair in _JOINT for name in pair}
    out = {name: encode(feats[name], None) for name in _FIELDS if name not in paired}
    for surname, given in _JOINT:
        joint, values = pd.factorize(np.concatenate([feats[surname], feats[given], [""]]))
        joint = np.where(joint == joint[-1], -1, joint).astype(np.int64)
        shared = np.asarray(values, dtype=object)  # one array: scores of it are shared too
        out[surname] = Codes(joint[:n], shared)
        out[given] = Codes(joint[n : 2 * n], shared)
    exact = out.pop("exact")
    return exact, out


def _fast_path(
    parts: list[npt.NDArray[np.object_]], roles: tuple[str, ...], feats: dict[str, Any]
) -> BoolArray:
    """Fill ``feats`` for records whose every name column holds at most one full word."""
    n = len(parts[0])
    fast = np.ones(n, dtype=bool)
    canon_cols, latin_cols = [], []
    for part, role in zip(parts, roles, strict=True):
        codes, uniques = pd.factorize(part)
        info = [_column_word(str(u)) for u in uniques]
        ok, canon, latin, first = (np.array([*column, False if i == 0 else ""], dtype=object)
                                   for i, column in enumerate(zip(*info, strict=True)))  # fmt: skip
        fast &= ok[codes].astype(bool)
        canon_cols.append(canon[codes])
        latin_cols.append(latin[codes])
        feats[role] = np.where(fast, latin[codes], feats[role])
        feats[role + "_w"] = canon[codes]
        if role in ("given", "patronymic"):
            feats["g1" if role == "given" else "p1"] = first[codes]
    for name in ("surname", "given", "patronymic", "g1", "p1", "surname_w", "given_w",
                 "patronymic_w"):  # fmt: skip
        feats[name] = np.where(fast, feats[name], "")
    feats["exact"] = _sorted_words(canon_cols, fast)
    feats["translit"] = _sorted_words(latin_cols, fast)
    return fast


def _column_word(text: str) -> tuple[bool, str, str, str]:
    tokens = norm.name_tokens(text)
    if not tokens:
        return True, "", "", ""
    if len(tokens) > 1 or len(tokens[0]) == 1:
        return False, "", "", ""
    canon, latin, _ = _word(tokens[0])
    return True, canon, latin, _word(tokens[0][:1])[1][:1]


def _sorted_words(
    columns: list[npt.NDArray[np.object_]], rows: BoolArray
) -> npt.NDArray[np.object_]:
    """Per record, its words sorted and joined by a space (as the word-by-word path does)."""
    out = np.full(len(rows), "", dtype=object)
    if not rows.any():
        return out
    stacked = np.concatenate([c[rows] for c in columns])
    codes, vocab = pd.factorize(stacked, sort=True)
    empty = int(np.searchsorted(vocab, "")) if "" in set(vocab[:1]) else -1
    table = np.where(codes == empty, len(vocab), codes).reshape(len(columns), -1).T
    table.sort(axis=1)
    width = np.int64(len(vocab) + 1)
    key = np.zeros(len(table), dtype=np.int64)
    for column in table.T:
        key = key * width + column
    kcodes, keys = pd.factorize(key)
    words = np.append(np.asarray(vocab, dtype=object), "")
    spelled = [words[(keys // width**power) % width].tolist()
               for power in range(len(columns) - 1, -1, -1)]  # fmt: skip
    # empty words sort last, and words hold no spaces: the non-empty ones joined by a space
    text = np.array([" ".join(filter(None, t)) for t in zip(*spelled, strict=True)],
                    dtype=object)  # fmt: skip
    out[rows] = text[kcodes]
    return out


def _both(c: Codes, a: IntArray, b: IntArray) -> BoolArray:
    return (c.codes[a] >= 0) & (c.codes[b] >= 0)


def _same(c: Codes, a: IntArray, b: IntArray) -> BoolArray:
    return np.asarray(_both(c, a, b) & (c.codes[a] == c.codes[b]), dtype=np.bool_)


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
        crossed = (
            (sur.codes[a] == giv.codes[b]) & (giv.codes[a] == sur.codes[b]) & (sur.codes[a] >= 0)
        )
        crossed &= (giv.codes[a] >= 0) & (
            ~_both(x["patronymic"], a, b) | _same(x["patronymic"], a, b)
        )
        return np.asarray(mask & ((agree & any_both) | crossed), dtype=np.bool_)
    ok = mask & _both(x["surname"], a, b) & (_both(x["given"], a, b) | _both(x["patronymic"], a, b))
    straight = ok.copy()
    for role in roles:  # a pair that failed a role is not scored for the next one
        c, w = x[role], x[role + "_w"]
        both = _both(c, a, b)
        need = straight & both
        sim = pair_scores(c, c.codes[a], c.codes[b], need, OSA.normalized_similarity,
                          key=(role, role), at_least=threshold)  # fmt: skip
        weak = need & (sim < threshold - 1e-9)  # the words as written may still be similar
        written = pair_scores(w, w.codes[a], w.codes[b], weak, OSA.normalized_similarity,
                              key=(role + "_w",) * 2, at_least=threshold)  # fmt: skip
        sim = np.maximum(sim, written)
        good = ~both | (sim >= threshold - 1e-9)
        if role != "surname":  # an initial agrees with a full name that starts with it
            initial, short = (x["g1"], x["gs"]) if role == "given" else (x["p1"], x["ps"])
            is_short = (short.codes[a] >= 0) | (short.codes[b] >= 0)
            good |= both & is_short & _same(initial, a, b)
        straight &= good
    return straight | _crossed(x, threshold, a, b, ok & ~straight)


def _crossed(
    x: dict[str, Codes], threshold: float, a: IntArray, b: IntArray, mask: BoolArray
) -> BoolArray:
    """Surname and given name typed into each other's column, each still similar.

    Latin keys or the words as written: both crosswise similarities of one of them reach
    ``threshold``; the second is scored only where the first did.
    """
    sur, giv = x["surname"], x["given"]
    both = (sur.codes[a] >= 0) & (giv.codes[b] >= 0) & (giv.codes[a] >= 0) & (sur.codes[b] >= 0)
    out = np.zeros(len(a), dtype=bool)
    for sn, gn in (("surname", "given"), ("surname_w", "given_w")):
        s, g = x[sn], x[gn]
        need = mask & both & ~out
        one = pair_scores(s, s.codes[a], g.codes[b], need, OSA.normalized_similarity,
                          key=(sn, gn), at_least=threshold)  # fmt: skip
        need &= one >= threshold - 1e-9
        two = pair_scores(s, g.codes[a], s.codes[b], need, OSA.normalized_similarity,
                          key=(gn, sn), at_least=threshold)  # fmt: skip
        out |= need & (two >= threshold - 1e-9)
    return out


def part_agrees(
    feats: dict[str, Codes], threshold: float, a: IntArray, b: IntArray, mask: BoolArray
) -> BoolArray:
    """``part``: a given name of one side is similar to a name part of the other.

    A surname changed on marriage, or the given name and surname swapped with a typo: the
    given name still agrees (also crosswise with the surname). Agreeing on the surname (or the
    patronymic) alone, while both sides name different given names, is no part: that is how
    relatives look (a household shares a surname and an address); without a given name on
    one side the surname alone still counts. Weaker than ``fuzzy`` (which wants every part
    similar); the model learns how much weaker. Surname and given name share one code space,
    so they compare with each other too.
    """
    out = np.zeros(len(a), dtype=bool)
    givens = (feats["given_w"].codes[a] >= 0) & (feats["given_w"].codes[b] >= 0)
    pairs = [("given_w", "given_w"), ("surname_w", "given_w"), ("given_w", "surname_w"),
             ("surname_w", "surname_w"), ("patronymic_w", "patronymic_w")]  # fmt: skip
    for left, right in pairs:
        ca, cb = feats[left].codes[a], feats[right].codes[b]
        both = mask & (ca >= 0) & (cb >= 0) & ~out
        if left == right != "given_w":
            both &= ~givens  # two different given names: a relative, not a part
        if both.any():
            sim = pair_scores(feats[left], ca, cb, both, OSA.normalized_similarity,
                              key=(left, right), at_least=threshold)  # fmt: skip
            out |= both & (sim >= threshold - 1e-9)
    return out
