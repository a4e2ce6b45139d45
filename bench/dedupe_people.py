"""A generic person table in the shape of the FEBRL record-linkage data, with its truth.

Columns as FEBRL has them: ``rec_id`` (``rec-12-org``, ``rec-12-dup-0``), ``given_name``,
``surname``, ``street_number``, ``address_1``, ``address_2``, ``suburb``, ``postcode``,
``state``, ``date_of_birth`` (``YYYYMMDD``), ``soc_sec_id``. No phone, no e-mail. Duplicates
carry what such data carries: typos (insert, delete, swap, substitute), given name and
surname swapped, nicknames, missing values, street types abbreviated, a postcode digit
wrong, day and month of birth swapped. Hard negatives: households (same surname and address,
another given name and birth date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from faker import Faker

__all__ = ["generate_people"]

_NICK = {"robert": "bob", "william": "bill", "james": "jim", "michael": "mike",
         "thomas": "tom", "elizabeth": "liz", "katherine": "kate", "anthony": "tony",
         "david": "dave", "daniel": "dan", "joseph": "joe", "christopher": "chris",
         "matthew": "matt", "samuel": "sam", "stephen": "steve", "nicholas": "nick",
         "jennifer": "jenny", "margaret": "maggie", "andrew": "andy", "edward": "ed"}  # fmt: skip
_ABBREV = {"street": "st", "road": "rd", "avenue": "ave", "crescent": "cres", "place": "pl",
           "drive": "dr", "court": "ct", "parade": "pde", "circuit": "cct"}  # fmt: skip


def _typo(text: str, rng: np.random.Generator) -> str:
    if len(text) < 3:
        return text
    i = int(rng.integers(0, len(text) - 1))
    op = int(rng.integers(0, 4))
    alphabet = "0123456789" if text.isdigit() else "abcdefghijklmnopqrstuvwxyz"
    letter = alphabet[int(rng.integers(0, len(alphabet)))]
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + letter + text[i:]
    if op == 2:
        return text[:i] + letter + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _pools(seed: int) -> dict[str, list[str]]:
    fake = Faker("en_AU")
    fake.seed_instance(seed)
    given = sorted({fake.first_name().lower() for _ in range(3000)} | set(_NICK))
    surnames = sorted({fake.last_name().lower() for _ in range(6000)})
    streets = sorted({fake.street_name().lower() for _ in range(2000)})
    suburbs = sorted({fake.city().lower() for _ in range(2000)})
    return {"given": given, "surname": surnames, "street": streets, "suburb": suburbs,
            "state": ["nsw", "vic", "qld", "wa", "sa", "tas", "act", "nt"]}  # fmt: skip


def _originals(n: int, rng: np.random.Generator, pools: dict[str, list[str]]) -> pd.DataFrame:
    pick = lambda name: np.array(pools[name], dtype=object)[rng.integers(0, len(pools[name]), n)]  # noqa: E731
    birth = pd.to_datetime(rng.integers(-20000, 12000, n), unit="D").strftime("%Y%m%d")
    frame = pd.DataFrame({
        "given_name": pick("given"), "surname": pick("surname"),
        "street_number": rng.integers(1, 400, n).astype(str),
        "address_1": pick("street"),
        "address_2": np.where(rng.random(n) < 0.2, "unit " + rng.integers(1, 40, n).astype(str),
                              ""),
        "suburb": pick("suburb"), "postcode": rng.integers(2000, 7999, n).astype(str),
        "state": pick("state"), "date_of_birth": birth.to_numpy(),
        "soc_sec_id": rng.integers(1_000_000, 9_999_999, n).astype(str),
    })  # fmt: skip
    household = np.flatnonzero(rng.random(n) < 0.05)  # same surname and address, another person
    partners = rng.integers(0, n, len(household))
    for column in ("surname", "street_number", "address_1", "address_2", "suburb", "postcode",
                   "state"):  # fmt: skip
        frame.loc[household, column] = frame.loc[partners, column].to_numpy()
    return frame


def _corrupt(row: dict[str, str], rng: np.random.Generator) -> dict[str, str]:
    out = dict(row)
    fields = ["given_name", "surname", "address_1", "suburb", "postcode", "date_of_birth",
              "soc_sec_id", "street_number"]  # fmt: skip
    for _ in range(int(rng.integers(1, 4))):
        field = fields[int(rng.integers(0, len(fields)))]
        roll = rng.random()
        if roll < 0.15:
            out[field] = ""
        elif field == "date_of_birth" and roll < 0.4 and out[field]:
            v = out[field]
            swappable = v.isdigit() and len(v) == 8 and int(v[6:8]) <= 12
            out[field] = v[:4] + v[6:8] + v[4:6] if swappable else _typo(v, rng)
        elif field == "given_name" and roll < 0.45 and out[field] in _NICK:
            out[field] = _NICK[out[field]]
        elif field == "address_1" and roll < 0.5:
            words = out[field].split()
            out[field] = " ".join(_ABBREV.get(w, w) for w in words)
        elif field in ("given_name", "surname") and roll < 0.55:
            out["given_name"], out["surname"] = out["surname"], out["given_name"]
        else:
            out[field] = _typo(out[field], rng)
    return out


def generate_people(
    entities: int, duplicates: int, seed: int = 11
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A shuffled FEBRL-style table and ``rec_id → entity``."""
    rng = np.random.default_rng(seed)
    originals = _originals(entities, rng, _pools(seed))
    rows, ids, truth = [], [], {}
    for index, row in enumerate(originals.to_dict("records")):
        rows.append(row)
        ids.append(f"rec-{index}-org")
    counts: dict[int, int] = {}
    for source in rng.integers(0, entities, duplicates).tolist():
        k = counts.get(source, 0)
        counts[source] = k + 1
        rows.append(_corrupt(originals.iloc[source].to_dict(), rng))
        ids.append(f"rec-{source}-dup-{k}")
    frame = pd.DataFrame(rows)
    frame.insert(0, "rec_id", ids)
    for rec in ids:
        truth[rec] = rec.split("-")[1]
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    return frame, truth
