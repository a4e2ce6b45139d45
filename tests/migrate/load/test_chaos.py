"""The chaos test, short form: sample rows into a served faulty sandbox, the load SIGKILLed.

Full size (whole sample, 20 kills): `python bench/chaos.py`. `B24_SLOW=1` runs more here.
"""

from __future__ import annotations

import os

import pytest

from .chaos import run_chaos

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

FULL = bool(os.environ.get("B24_SLOW"))


@pytest.mark.parametrize("oauth", [False, True], ids=["webhook", "oauth"])
def test_sample_load_killed_and_faulty_ends_with_every_record_exactly_once(tmp_path, oauth):
    rows = None if FULL else (60 if oauth else 120)
    kills = 8 if FULL else (3 if oauth else 4)
    result = run_chaos(
        tmp_path, kills=kills, rows=rows, oauth=oauth, batch_size=10, structure=not oauth
    )
    assert result.kills >= 2
    assert result.final_code == 0, f"the last load ended {result.final_code}: {result.final_error}"
    if not oauth:  # the load created the proposed structure: each once (found == planned)
        assert {"user_field", "field_item", "pipeline", "stage"} <= set(result.planned)
        assert result.planned["user_field"] == 4  # UF_CRM_TAGS ×3, the contracts' status
    assert result.failed == 0
    assert sum(result.faults.values()) > 0, "no fault was injected"
    assert (result.lost, result.duplicated, result.wrong_refs) == (0, 0, 0), result
    assert result.wrong_files == 0, result  # no attachment uploaded twice or lost
    assert result.found == result.planned
    assert {"activity", "task"} <= set(result.planned), "the history was not exercised"
