"""Survivorship: which record survives, what its row holds, and the key map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from migrate.dedupe import repoint_references
from migrate.dedupe.rules import Survivorship
from migrate.dedupe.survive import _filled_mask, choose_masters, merge_rows

FRAME = pd.DataFrame({
    "_key": ["a", "b", "c", "d"],
    "NAME": ["Иван", "Иван", None, "Олег"],
    "POST": [None, "директор", None, None],
    "DATE_MODIFY": ["2023-01-01", "2021-05-05", "2024-02-02", None],
    "PHONE": [(("+79161112233", "WORK"),), (("+79035554433", "MOBILE"), ("+79161112233", "WORK")),
              (), (("+74950000000", "WORK"),)],
})  # fmt: skip
LABELS = np.array([0, 0, 0, 3])


def test_the_most_complete_record_survives_by_default():
    master, _ = choose_masters(FRAME, LABELS, Survivorship())
    assert master.tolist() == [1, 1, 1, 3]


def test_recency_first_picks_the_latest_change():
    master, _ = choose_masters(FRAME, LABELS, Survivorship(prefer=("recency",)))
    assert master.tolist() == [2, 2, 2, 3]


def test_the_clients_choice_beats_every_rule():
    preferred = np.array([True, False, False, False])
    master, _ = choose_masters(FRAME, LABELS, Survivorship(), preferred=preferred)
    assert master.tolist() == [0, 0, 0, 3]


def test_merged_row_fills_gaps_and_unions_multi_fields():
    rules = Survivorship(prefer=("recency",))
    master, order = choose_masters(FRAME, LABELS, rules)
    merged = merge_rows(FRAME, master, order, rules, "_key").set_index("_key")
    assert list(merged.index) == ["c", "d"]
    survivor = merged.loc["c"]
    assert survivor["NAME"] == "Иван"
    assert survivor["POST"] == "директор"
    assert survivor["DATE_MODIFY"] == "2024-02-02"
    assert survivor["PHONE"] == (("+79161112233", "WORK"), ("+79035554433", "MOBILE"))
    assert set(survivor["_absorbed"]) == {"a", "b"}
    assert merged.loc["d", "_absorbed"] == ()


def test_without_fill_empty_the_masters_gaps_stay():
    rules = Survivorship(prefer=("recency",), fill_empty=False)
    master, order = choose_masters(FRAME, LABELS, rules)
    merged = merge_rows(FRAME, master, order, rules, "_key").set_index("_key")
    assert pd.isna(merged.loc["c", "NAME"])


def test_references_follow_the_merge():
    deals = pd.DataFrame(
        {"COMPANY_ID": ["a", "x", None], "CONTACT_IDS": [("a", "b", "z"), (), ("b",)]}
    )
    key_map = {"a": "c", "b": "c", "c": "c"}
    out = repoint_references(deals, key_map, ["COMPANY_ID", "CONTACT_IDS"])
    assert out["COMPANY_ID"].tolist()[:2] == ["c", "x"]
    assert out["CONTACT_IDS"].tolist() == [("c", "z"), (), ("c",)]


def test_a_filled_cell_is_judged_as_text_once_per_value():
    """Missing values, blanks and the texts pandas writes for nothing (``nan``, ``None``,
    ``()``) are empty; anything else, a NaT's neighbour «NaT» as text included, is filled."""
    cells = ["a", " ", None, np.nan, "nan", "None", "()", (), ("x",), pd.NA, pd.NaT, 0, " b ",
             "<NA>", "NaT", "a"]  # fmt: skip
    want = [True, False, False, False, False, False, False, False, True, False, False, True,
            True, True, True, True]  # fmt: skip
    got = _filled_mask(pd.Series(cells, dtype=object, index=range(5, 5 + len(cells))))
    assert got.tolist() == want
    assert list(got.index) == list(range(5, 5 + len(cells)))
    unhashable = pd.Series([["x"], None, " "], dtype=object)  # a list: judged one by one
    assert _filled_mask(unhashable).tolist() == [True, False, False]
