"""A small contact table with known duplicates, shared by the dedupe tests."""

from __future__ import annotations

import pandas as pd
import pytest

ROWS = [
    # key, LAST_NAME, NAME, SECOND_NAME, PHONE, EMAIL, DATE_MODIFY
    ("1", "Иванов", "Иван", "Иванович", "+79161112233", "ivanov@mail.ru", "2023-01-01"),
    ("2", "Ivanov", "Ivan", "Ivanovich", "8 916 111-22-33", "", "2024-01-01"),
    ("3", "Иванов", "И.", "И.", "", "IVANOV@MAIL.RU", "2022-01-01"),
    ("4", "Петрова", "Анна", "Сергеевна", "+79035554433", "anna.p@yandex.ru", "2023-06-01"),
    ("5", "Петрова", "Анна", "", "+79035554433", "", "2021-06-01"),
    ("6", "Сидоров", "Олег", "Петрович", "+79035554433", "sidorov@bk.ru", "2023-03-03"),
    ("7", "Кузнецова", "Мария", "Игоревна", "+79267778899", "m.kuz@gmail.com", "2020-01-01"),
    ("8", "Кузнецова", "Мария", "Игоревна", "", "", "2020-01-01"),
]
TRUTH = {"1": "A", "2": "A", "3": "A", "4": "B", "5": "B", "6": "C", "7": "D", "8": "D"}


def contact_frame(rows=ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["_key", "LAST_NAME", "NAME", "SECOND_NAME", "PHONE",
                                        "EMAIL", "DATE_MODIFY"])  # fmt: skip
    frame["PHONE"] = [((p, "WORK"),) if p else () for p in frame["PHONE"]]
    frame["EMAIL"] = [((e, "WORK"),) if e else () for e in frame["EMAIL"]]
    frame["_source"], frame["_sheet"], frame["_row"] = "contacts.csv", "", range(2, len(frame) + 2)
    return frame


@pytest.fixture
def contacts() -> pd.DataFrame:
    return contact_frame()
