"""Russian bank details: BIK, settlement and correspondent accounts, and their control key.

The Bank of Russia's key (Положение Банка России № 385-П, приложение: «Порядок расчёта
контрольного ключа в номере лицевого счёта»): the account's 20 digits are preceded by three
digits from the BIK — its last three for a settlement account at a bank, ``0`` and its 5th–6th
digits for a correspondent account at the Bank of Russia — and each of the 23 digits is
multiplied by the weights 7, 1, 3, 7, 1, 3, …; the account is right when the sum of the last
digits of the products ends in 0.

Example:
    >>> account_key_ok("40702810438000060473", "044525225")
    True
    >>> account_key_ok("30101810400000000225", "044525225", correspondent=True)
    True
"""

from __future__ import annotations

import re

__all__ = ["account_key_ok", "bank_digits"]

_WEIGHTS = ((7, 1, 3) * 8)[:23]
_NOT_DIGIT = re.compile(r"[\s\-.]")


def bank_digits(value: str | None) -> str:
    """``value`` without the spaces, dashes and dots people write in a BIK or an account
    (``"044 525 225"`` → ``"044525225"``); other characters are kept, so a caller sees them."""
    return _NOT_DIGIT.sub("", value or "")


def account_key_ok(account: str, bik: str, *, correspondent: bool = False) -> bool:
    """Whether a 20-digit ``account`` has the right control digit for a 9-digit ``bik``
    (``False`` when either is not all digits of that length)."""
    account, bik = bank_digits(account), bank_digits(bik)
    if not (len(account) == 20 and account.isdigit() and len(bik) == 9 and bik.isdigit()):
        return False
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    total = sum(int(d) * w % 10 for d, w in zip(prefix + account, _WEIGHTS, strict=True))
    return total % 10 == 0
