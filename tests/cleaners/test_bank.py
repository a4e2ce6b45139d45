"""The Bank of Russia's control key of an account (cleaners.bank)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners import account_key_ok, bank_digits

# Sberbank's BIK with its correspondent account at the Bank of Russia (both public), and a
# settlement account built to its key; the b24restdocs example's account (…938…) fails it.
SBER_BIK = "044525225"


@pytest.mark.parametrize(
    ("account", "bik", "correspondent", "ok"),
    [
        ("30101810400000000225", SBER_BIK, True, True),
        ("30101810400000000226", SBER_BIK, True, False),
        ("40702810438000060473", SBER_BIK, False, True),
        ("40702810938000060473", SBER_BIK, False, False),
        ("4070281043800006047", SBER_BIK, False, False),  # 19 digits
        ("40702810438000060473", "04452522", False, False),  # 8-digit BIK
        ("4070 2810 4380 0006 0473", "044-525-225", False, True),  # written with separators
        ("40702810438000O60473", SBER_BIK, False, False),  # a letter O
    ],
)
def test_account_key(account, bik, correspondent, ok):
    assert account_key_ok(account, bik, correspondent=correspondent) is ok


def test_bank_digits_drops_separators_only():
    assert bank_digits(" 044 525-225. ") == "044525225"
    assert bank_digits("04452522x") == "04452522x"
    assert bank_digits(None) == ""


@given(st.text(alphabet="0123456789", min_size=20, max_size=20))
def test_exactly_one_last_digit_fits(account):
    """For any 20 digits, exactly one of the ten last digits gives a right key."""
    fits = [d for d in "0123456789" if account_key_ok(account[:-1] + d, SBER_BIK)]
    assert len(fits) == 1
