"""Synthetic contact tables with planted duplicates and their truth, fast enough for 1M rows.

Entities are drawn from Faker's Russian name lists with numpy; duplicates copy an entity and
corrupt it the way CRM exports do: surname typos, name order swapped, Latin transliteration,
initials, nicknames, a dropped patronymic, a lost / changed / added phone or e-mail. Hard
negatives are planted too: namesakes, and people sharing an office or family phone. A
duplicate left with no phone, e-mail or birth date of its original gets its phone back: with
namesakes by the thousand, a name alone is no truth a person could decide.
Returns a CleanTable-shaped frame (``_key``, ``LAST_NAME``, ``NAME``, ``SECOND_NAME``, ``PHONE`` and
``EMAIL`` as multi-field tuples, ``BIRTHDATE``, ``DATE_MODIFY``) and ``truth``: key → entity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from faker.providers.person.ru_RU import Provider

from migrate.dedupe._normalise import translit_key

__all__ = ["generate_contacts"]

_NICK = {"Александр": "Саша", "Дмитрий": "Дима", "Михаил": "Миша", "Николай": "Коля",
         "Сергей": "Сережа", "Елена": "Лена", "Татьяна": "Таня", "Екатерина": "Катя",
         "Мария": "Маша", "Евгений": "Женя", "Владимир": "Вова", "Павел": "Паша"}  # fmt: skip
_LAT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})  # fmt: skip
_DOMAINS = np.array(["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru"])


def _latin(name: str) -> str:
    return name.lower().translate(_LAT).capitalize()


def _typo(text: str, rng: np.random.Generator) -> str:
    if len(text) < 4:
        return text
    i = int(rng.integers(1, len(text) - 1))
    op = int(rng.integers(0, 3))
    letters = "аеиоунртсл"
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + letters[int(rng.integers(0, len(letters)))] + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _people(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    male = rng.random(n) < 0.5
    first_m, first_f = np.array(Provider.first_names_male), np.array(Provider.first_names_female)
    mid_m, mid_f = np.array(Provider.middle_names_male), np.array(Provider.middle_names_female)
    last_m, last_f = np.array(Provider.last_names_male), np.array(Provider.last_names_female)
    pick = lambda arr: arr[rng.integers(0, len(arr), n)]  # noqa: E731
    first = np.where(male, pick(first_m), pick(first_f))
    middle = np.where(male, pick(mid_m), pick(mid_f))
    last_idx = rng.integers(0, min(len(last_m), len(last_f)), n)
    last = np.where(male, np.array(last_m)[last_idx], np.array(last_f)[last_idx])
    phones = np.char.add("+79", rng.integers(0, 10**9, n).astype(str).astype("U9"))
    phones = np.char.add("+79", np.char.zfill(rng.integers(0, 10**9, n).astype(str), 9))
    shared = rng.random(n) < 0.03  # office / family phones: different people, one number
    phones[shared] = phones[rng.integers(0, n, int(shared.sum()))]
    uniq_first = {f: translit_key(f).replace(" ", "") for f in np.unique(first)}
    uniq_last = {s: translit_key(s).replace(" ", "") for s in np.unique(last)}
    local = [f"{uniq_first[f][:1]}.{uniq_last[s]}{d}" for f, s, d in
             zip(first, last, rng.integers(1, 9999, n), strict=True)]  # fmt: skip
    email = np.char.add(
        np.char.add(np.array(local, dtype=str), "@"), _DOMAINS[rng.integers(0, 6, n)]
    )
    birth = pd.to_datetime(rng.integers(-7000, 12000, n), unit="D").strftime("%Y-%m-%d").to_numpy()
    birth = np.where(rng.random(n) < 0.4, birth, None)
    modified = pd.to_datetime(rng.integers(17000, 20000, n), unit="D").strftime("%Y-%m-%d")
    return {"LAST_NAME": last, "NAME": first, "SECOND_NAME": middle, "phone": phones,
            "email": email, "BIRTHDATE": birth, "DATE_MODIFY": modified.to_numpy()}  # fmt: skip


def generate_contacts(
    records: int, duplicate_share: float = 0.10, seed: int = 7
) -> tuple[pd.DataFrame, dict[str, int]]:
    """``records`` contacts of which about ``duplicate_share`` are planted duplicates."""
    rng = np.random.default_rng(seed)
    dups = int(records * duplicate_share)
    entities = records - dups
    base = _people(entities, rng)
    source = np.concatenate([np.arange(entities), rng.integers(0, entities, dups)])
    cols = {k: np.asarray(v, dtype=object)[source] for k, v in base.items()}
    is_dup = np.arange(records) >= entities
    _corrupt(cols, is_dup, rng)
    other = _people(records, rng)
    phones = _multi(cols["phone"], other["phone"], is_dup, rng, lose=0.25, change=0.15, add=0.2)
    emails = _multi(cols["email"], other["email"], is_dup, rng, lose=0.35, change=0.10, add=0.05)
    _keep_evidence(base, source, cols, phones, emails, is_dup)
    order = rng.permutation(records)
    keys = np.array([f"C{i:07d}" for i in range(records)], dtype=object)
    frame = pd.DataFrame({
        "_key": keys, "_source": "contacts.csv", "_sheet": "", "_row": np.arange(records) + 2,
        "LAST_NAME": cols["LAST_NAME"][order], "NAME": cols["NAME"][order],
        "SECOND_NAME": cols["SECOND_NAME"][order], "PHONE": phones[order],
        "EMAIL": emails[order], "BIRTHDATE": cols["BIRTHDATE"][order],
        "DATE_MODIFY": cols["DATE_MODIFY"][order],
    })  # fmt: skip
    truth = dict(zip(keys.tolist(), source[order].tolist(), strict=True))
    return frame, truth


def _corrupt(cols: dict[str, np.ndarray], is_dup: np.ndarray, rng: np.random.Generator) -> None:
    last, first, middle = cols["LAST_NAME"], cols["NAME"], cols["SECOND_NAME"]
    for i in np.flatnonzero(is_dup).tolist():
        r = rng.random(7)
        if r[0] < 0.15:
            last[i] = _typo(str(last[i]), rng)
        if r[1] < 0.10 and first[i] in _NICK:
            first[i] = _NICK[first[i]]
        if r[2] < 0.20:
            middle[i] = None
        if r[3] < 0.12:
            first[i], middle[i] = (
                str(first[i])[0] + ".",
                (str(middle[i])[0] + ".") if middle[i] else None,
            )
        if r[4] < 0.15:
            last[i], first[i] = _latin(str(last[i])), _latin(str(first[i]))
            middle[i] = _latin(str(middle[i])) if middle[i] else None
        if r[5] < 0.20:  # the whole name typed into one field, in another order
            parts = [p for p in (first[i], middle[i], last[i]) if p]
            first[i], last[i], middle[i] = " ".join(parts), None, None
        if r[6] < 0.5:
            cols["BIRTHDATE"][i] = None


def _keep_evidence(
    base: dict[str, np.ndarray], source: np.ndarray, cols: dict[str, np.ndarray],
    phones: np.ndarray, emails: np.ndarray, is_dup: np.ndarray,
) -> None:  # fmt: skip
    """A duplicate must keep a phone, an e-mail or the birth date of its original.

    The generator plants namesakes (Faker's name lists are short: a million people share
    full names by the thousand); a copy whose only tie to its original is such a name, with
    the phone and e-mail lost or changed and no birth date, is something no person could
    decide. It gets its phone back.
    """
    for i in np.flatnonzero(is_dup).tolist():
        j = int(source[i])
        shared = (
            any(p == base["phone"][j] for p, _ in phones[i])
            or any(e == base["email"][j] for e, _ in emails[i])
            or (cols["BIRTHDATE"][i] is not None and cols["BIRTHDATE"][i] == base["BIRTHDATE"][j])
        )
        if not shared:
            phones[i] = ((str(base["phone"][j]), "WORK"), *phones[i])


def _multi(
    own: np.ndarray, new: np.ndarray, is_dup: np.ndarray, rng: np.random.Generator,
    *, lose: float, change: float, add: float,
) -> np.ndarray:  # fmt: skip
    r = rng.random((len(own), 2))
    out = np.empty(len(own), dtype=object)
    for i in range(len(own)):
        value: tuple[tuple[str, str], ...] = ((str(own[i]), "WORK"),)
        if is_dup[i]:
            if r[i, 0] < lose:
                value = ()
            elif r[i, 0] < lose + change:
                value = ((str(new[i]), "WORK"),)
            if r[i, 1] < add:
                value = (*value, (str(new[(i * 7919) % len(new)]), "MOBILE"))
        out[i] = value
    return out
