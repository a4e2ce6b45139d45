"""One rule per fact: a phone, e-mail or INN is the same thing to cleaning, dedupe and the plan.

The same messy values go through the three places that decide "same phone": the cleaner (the
value loaded), the dedupe stage's blocking (stand-alone files are blocked on raw text, workspace
tables on cleaned values) and the plan's matching of portal records (the portal holds what we
loaded and what its users typed by hand). Each must give one answer per number.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners import clean_email, clean_inn, clean_phone
from cleaners.keys import email_key, fio_key, inn_key, phone_key
from migrate.dedupe.blocking import block_codes
from migrate.dedupe.rules import BlockingKey
from migrate.plan._existing import normalize_comm

# Each group: spellings of one number, as exports and people write it.
PHONE_GROUPS = [
    ["+7 (916) 123-45-67", "8 916 123 45 67", "89161234567", "79161234567.0",
     "8(916)1234567 доб. 12", "+79161234567;ext=5", "916 123-45-67", "тел.: 8-916-123-45-67"],
    ["+7 495 123-45-67", "8 (495) 1234567", "84951234567", "(495) 123-45-67 доб.100"],
    ["+375 29 123-45-67", "375291234567", "+375291234567"],
    ["8 (800) 555-35-35", "+78005553535", "88005553535"],
]  # fmt: skip
EMAIL_GROUPS = [["Anna.Petrova@Mail.RU", " anna.petrova@mail.ru ", "mailto:anna.petrova@mail.ru",
                 "<anna.petrova@mail.ru>"]]  # fmt: skip


def _blocked(values: list[str], transform: str, column: str) -> list[str]:
    frame = pd.DataFrame({column: values})
    key = BlockingKey(transform, (column,), (transform,))
    records, codes, labels = block_codes(frame, key)
    by_record = {int(r): labels[int(c)] for r, c in zip(records, codes, strict=True)}
    return [by_record.get(i, "") for i in range(len(values))]


@pytest.mark.parametrize("group", PHONE_GROUPS, ids=lambda g: g[0])
def test_a_phone_has_one_key_in_cleaning_dedupe_and_portal_matching(group):
    cleaned = [c for c in (clean_phone(v, on_error="null") for v in group) if c]
    keys = {
        "cleaned": {phone_key(c) for c in cleaned},
        "dedupe on raw text": set(_blocked(group, "phone", "PHONE")),
        "dedupe on cleaned values": set(_blocked([str(c) for c in cleaned], "phone", "PHONE")),
        "portal record typed by hand": {normalize_comm("PHONE", v) for v in group},
        "portal record we loaded": {normalize_comm("PHONE", str(c)) for c in cleaned},
    }
    answers = set().union(*keys.values())
    assert len(answers) == 1, keys
    assert answers == {str(cleaned[0]).split(";ext=")[0]}  # the key is the loaded E.164 number


@pytest.mark.parametrize("group", EMAIL_GROUPS, ids=lambda g: g[0])
def test_an_email_has_one_key_everywhere(group):
    cleaned = [clean_email(v.strip(" <>").removeprefix("mailto:"), on_error="null") for v in group]
    keys = (
        {email_key(v) for v in group}
        | set(_blocked(group, "email", "EMAIL"))
        | {normalize_comm("EMAIL", v) for v in group}
        | {normalize_comm("EMAIL", str(c)) for c in cleaned}
    )
    assert keys == {"anna.petrova@mail.ru"}


def test_inn_key_restores_the_zero_excel_dropped_as_the_cleaner_does():
    assert inn_key("105017361") == "0105017361"
    assert inn_key("105017360") == "105017360"  # no zero makes these check digits right
    assert clean_inn("0105017361") == inn_key("ИНН 0105 017 361")
    assert inn_key("7707083893.0") == "7707083893"


def test_fio_key_ignores_word_order_alphabet_and_yo():
    assert fio_key("Щукин", "Иван") == fio_key("Ivan Shchukin") == fio_key("иван щукин")
    assert fio_key("Семёнов Пётр") == fio_key("Семенов Петр")
    assert fio_key(None, "", "nan") == ""


@given(st.text(alphabet="0123456789 +-()доб.;ext=#", max_size=30))
def test_keys_are_idempotent_and_never_raise(text):
    assert phone_key(phone_key(text)) == phone_key(text)
    assert email_key(email_key(text)) == email_key(text)
    assert inn_key(inn_key(text)) == inn_key(text)


def test_digits_that_read_as_a_foreign_number_key_as_that_number():
    """Found by the property above: `400219000` is no Russian number, but `+400219000` is
    Romania's `+40 219000`; the key is the number the cleaner would make of the key."""
    assert phone_key("400219000") == phone_key("+400219000") == "+40219000"
    assert phone_key(phone_key("400219000")) == phone_key("400219000")
