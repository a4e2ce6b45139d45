"""Blocking finds every pair that shares a key, once, and skips blocks that are data problems."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from migrate.dedupe.blocking import candidate_pairs, count_pairs
from migrate.dedupe.rules import BlockingKey

PHONE = BlockingKey("phone", ("PHONE",), ("phone",))
CITY = BlockingKey("city+initial", ("CITY", "NAME"), ("exact", "initial"))


def _pairs(found):
    return set(zip(found.a.tolist(), found.b.tolist(), strict=True))


def test_every_pair_sharing_any_key_is_found_exactly_once():
    frame = pd.DataFrame({
        "PHONE": ["8 916 111-22-33", "+79161112233", "", "+7 916 111 22 33; +79035554433",
                  "+79035554433", ""],
        "CITY": ["Омск", "омск", "Тула", "Тула", "", "Тула"],
        "NAME": ["Анна", "Антон", "Борис", "Белла", "Вера", "Богдан"],
    })  # fmt: skip
    found = candidate_pairs(frame, (PHONE, CITY), max_block=100)
    phones = {(0, 1), (0, 3), (1, 3), (3, 4)}
    cities = {(0, 1), (2, 3), (2, 5), (3, 5)}
    assert _pairs(found) == phones | cities
    assert found.per_key == {"phone": 4, "city+initial": 4}
    assert len(found.a) == len(_pairs(found))
    assert (found.a < found.b).all()


def test_brute_force_agrees_on_random_tables():
    rng = np.random.default_rng(3)
    cities = np.array(["a", "b", "c", "d", ""])
    frame = pd.DataFrame({"CITY": cities[rng.integers(0, 5, 300)],
                          "NAME": np.array(["x", "y", "z"])[rng.integers(0, 3, 300)]})  # fmt: skip
    found = candidate_pairs(frame, (CITY,), max_block=10_000, chunk_pairs=50)
    city, name = frame.CITY.tolist(), frame.NAME.tolist()
    expected = {(i, j) for i, j in itertools.combinations(range(300), 2)
                if city[i] and city[i] == city[j] and name[i] == name[j]}  # fmt: skip
    assert _pairs(found) == expected


def test_a_huge_block_is_skipped_and_reported():
    frame = pd.DataFrame({"PHONE": ["+74951234567"] * 50 + ["+79160000001", "89160000001"]})
    found = candidate_pairs(frame, (PHONE,), max_block=20)
    assert _pairs(found) == {(50, 51)}
    assert [(s.key, s.value, s.size) for s in found.skipped] == [("phone", "+74951234567", 50)]


def test_count_pairs():
    assert count_pairs(np.array([1, 2, 3, 10])) == 0 + 1 + 3 + 45
