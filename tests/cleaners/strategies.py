"""Hypothesis strategies for realistic dirty cells, shared by the cleaner property tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

NOISE = st.sampled_from(
    ["", " ", "  ", "\u00a0", "\t", "\n", "-", ".", "(", ")", ",", ";", "\u200b", "\ufeff"]
)
SPACES = st.sampled_from(["", " ", "  ", "\u00a0", "\t", "\u200b", "\ufeff"])
JUNK = st.sampled_from(
    ["", "nan", "NULL", "None", "-", "нет", "n/a", "#N/A", "=A1+B2", "1.0E10", "0", "+", "@"]
)
ANY_TEXT = st.text(max_size=60)


def mostly(
    accepted: st.SearchStrategy[str], *others: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """``accepted`` about nine times in ten, else one of ``others``: most examples reach the
    format and idempotence checks, a share still goes down the error paths."""
    rest = st.one_of(*others)
    return st.integers(0, 9).flatmap(lambda i: rest if i == 0 else accepted)


DIGITS10 = st.from_regex(r"[3489]\d{9}", fullmatch=True)
# numbers phonenumbers holds valid: mobile 9xx, Moscow 495/499, St Petersburg 812, Ekaterinburg 343
VALID_DIGITS10 = st.from_regex(r"(9\d\d|495|499|812|343)\d{7}", fullmatch=True)
PREFIX = st.sampled_from(["", "8", "7", "+7", "+7 ", "8 ", "7-", "+7("])


@st.composite
def formatted_phone(draw: st.DrawFn, digits10: st.SearchStrategy[str] = DIGITS10) -> str:
    """A ten-digit Russian number written with a random prefix and random formatting."""
    digits = draw(digits10)
    prefix = draw(PREFIX)
    parts = [digits[:3], digits[3:6], digits[6:8], digits[8:]]
    out = prefix
    for part in parts:
        out += part + draw(st.sampled_from(["", " ", "-", ") ", "."]))
    if draw(st.booleans()):
        out += draw(st.sampled_from([" доб. ", " вн.", " ext ", " x", ";ext="]))
        out += draw(st.from_regex(r"\d{1,5}", fullmatch=True))
    return out


PHONES = mostly(
    formatted_phone(VALID_DIGITS10),
    formatted_phone(),
    JUNK,
    ANY_TEXT,
    st.from_regex(r"\+?\d{5,15}", fullmatch=True),
)
PHONE_CELLS = st.lists(PHONES, min_size=1, max_size=4).map(", ".join)

LOCAL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,12}[A-Za-z0-9]", fullmatch=True)
DOMAIN = st.one_of(
    st.sampled_from(["mail.ru", "gmail.com", "gmial.com", "yandex.ru", "bk.ru", "mail.ry"]),
    st.from_regex(r"[a-z]{1,10}\.(ru|com|рф|org)", fullmatch=True),
)
EMAILS = mostly(st.builds(lambda a, b, n: f"{n}{a}@{b}{n}", LOCAL, DOMAIN, NOISE), JUNK, ANY_TEXT)
EMAIL_CELLS = st.lists(EMAILS, max_size=3).map("; ".join)

NAME_WORD = st.one_of(
    st.sampled_from(
        ["иванов", "ИВАНОВ", "Иванoв", "мария-луиза", "о'нил", "И.", "и.и.", "оглы", "фон"]
    ),
    st.from_regex(r"[А-ЯЁа-яёA-Za-z]{1,10}", fullmatch=True),
)
NAMES = mostly(st.lists(NAME_WORD, min_size=1, max_size=4).map(" ".join), JUNK, ANY_TEXT)

FORMS = st.sampled_from(
    ["ООО", "ооо", "OOO", "АО", "ПАО", "ИП", "Общество с ограниченной ответственностью", "LLC", ""]
)
QUOTED = st.sampled_from(['"{}"', "«{}»", "“{}”", "'{}'", "{}", '"{}"'])
COMPANIES = st.one_of(
    st.builds(
        lambda form, quote, name, tail: f"{form} {quote.format(name)}{tail}",
        FORMS,
        QUOTED,
        st.from_regex(r"[А-Яа-яA-Za-z0-9 -]{1,20}", fullmatch=True),
        st.sampled_from(["", ", ООО", " (АО)", " Ltd."]),
    ),
    JUNK,
    ANY_TEXT,
)

IDS = st.one_of(
    st.from_regex(r"(ИНН |ОГРН |КПП )?[0-9]{8,15}(\.0)?", fullmatch=True),
    st.sampled_from(["7707083893", "274062111", "500100732259", "1027700132195", "773601001"]),
    st.sampled_from(["304500116000157", "23601001", "77360A001", "7.707083893E9"]),
    JUNK,
    ANY_TEXT,
)

# Check digits as the Federal Tax Service defines them (ru.wikipedia: «Идентификационный номер
# налогоплательщика», «Основной государственный регистрационный номер» and «…индивидуального
# предпринимателя»), written here from the rule, not taken from the cleaner or python-stdnum.
_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _weighted(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 % 10)


def inn_check(body: str) -> str:
    """An INN with its check digits: ``body`` is 9 digits (company) or 10 (person)."""
    if len(body) == 9:
        return body + _weighted(body, _INN10)
    body += _weighted(body, _INN11)
    return body + _weighted(body, _INN12)


def ogrn_check(body: str) -> str:
    """OGRN (12 digits + check: mod 11) or OGRNIP (14 + check: the last digit of mod 13)."""
    modulus = 11 if len(body) == 12 else 13
    return body + str(int(body) % modulus % 10)


_REGION = st.integers(1, 99).map("{:02d}".format)
VALID_INNS = st.one_of(
    st.tuples(_REGION, st.from_regex(r"[0-9]{7}", fullmatch=True)),
    st.tuples(_REGION, st.from_regex(r"[0-9]{8}", fullmatch=True)),
).map(lambda parts: inn_check("".join(parts)))
VALID_KPPS = st.from_regex(r"(0[1-9]|[1-9][0-9])[0-9]{2}(0[1-9]|[1-9][0-9]|[0-9][A-Z])[0-9]{3}",
                      fullmatch=True)  # fmt: skip
VALID_OGRNS = st.from_regex(r"[15][0-9]{11}", fullmatch=True).map(ogrn_check)
VALID_OGRNIPS = st.from_regex(r"[34][0-9]{13}", fullmatch=True).map(ogrn_check)


@st.composite
def written_id(draw: st.DrawFn, numbers: st.SearchStrategy[str], label: str) -> tuple[str, str]:
    """``(number, cell)``: a valid identifier and how an export writes it: with a label, spaces
    or dashes, Excel's ``.0``, or stripped of its leading zero by Excel."""
    number = draw(numbers)
    written = number
    style = draw(st.sampled_from(["plain", "label", "spaced", "excel", "unpadded"]))
    if style == "label":
        written = draw(st.sampled_from([f"{label} ", f"{label}: ", f"{label.lower()} №"])) + number
    elif style == "spaced":
        sep = draw(st.sampled_from([" ", "-", "\u00a0"]))
        written = sep.join(number[i : i + 3] for i in range(0, len(number), 3))
    elif style == "excel" and number.isdigit():
        written = number + ".0"
    elif style == "unpadded" and label in ("ИНН", "КПП"):
        written = number.removeprefix("0")
    return number, draw(SPACES) + written + draw(SPACES)


def _cells(numbers: st.SearchStrategy[str], label: str) -> st.SearchStrategy[str]:
    return mostly(written_id(numbers, label).map(lambda pair: pair[1]), IDS)


INNS = _cells(VALID_INNS, "ИНН")
KPPS = _cells(VALID_KPPS, "КПП")
OGRNS = _cells(VALID_OGRNS, "ОГРН")
OGRNIPS = _cells(VALID_OGRNIPS, "ОГРНИП")
_MOMENTS = st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2099, 12, 31))
_MONTHS_RU = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря"]  # fmt: skip
# what clean_date's docstring promises, on real dates inside its years (1900–2100)
_VALID_DATES = st.one_of(
    st.builds(
        lambda d, fmt: d.strftime(fmt),
        _MOMENTS,
        st.sampled_from(
            [
                "%d.%m.%Y",
                "%d.%m.%y",
                "%Y-%m-%d",
                "%Y-%m-%dT%H:%M:%S",
                "%d/%m/%Y %H:%M",
                "%Y%m%d",
                "%d.%m.%Y %H:%M:%S",
                "%Y.%m.%d",
            ]
        ),
    ),
    st.builds(
        lambda d, tail: f"{d.day} {_MONTHS_RU[d.month - 1]} {d.year}{tail}",
        _MOMENTS,
        st.sampled_from(["", " г.", " года"]),
    ),
    st.builds(
        lambda d, zone: d.strftime("%Y-%m-%dT%H:%M:%S") + zone,
        _MOMENTS,
        st.sampled_from(["Z", "+03:00", "-05:00", "+00:00"]),
    ),
    st.integers(10_000, 73_050).map(str),  # Excel serials: 1927-05-18 … 2099-12-31
)
DATES = mostly(
    _VALID_DATES,
    st.from_regex(r"[0-9]{5}(\.[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,2} (марта|января|мая|дек\.|March) [0-9]{4}( г\.)?", fullmatch=True),
    st.from_regex(
        r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](Z|[+-]0[0-9]:00)",
        fullmatch=True,
    ),
    JUNK,
    ANY_TEXT,
)
_SUMS = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


def _grouped(amount: object, thousands: str, point: str) -> str:
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return whole.replace(",", thousands) + point + cents


_VALID_AMOUNTS = st.one_of(
    _SUMS.map(str),
    st.builds(
        lambda a, sep, tail: _grouped(a, sep, ",") + tail,
        _SUMS,
        st.sampled_from([" ", "\u00a0", ""]),
        st.sampled_from(["", " ₽", " руб.", " р.", "\u00a0₽", " RUB"]),
    ),
    st.builds(lambda a: "$" + _grouped(a, ",", "."), _SUMS.map(abs)),
    st.integers(0, 10**6).map(str),
)
AMOUNTS = mostly(
    _VALID_AMOUNTS,
    st.from_regex(
        r"-?[0-9]{1,3}([ .,][0-9]{3}){0,3}([.,][0-9]{1,3})? ?(₽|руб\.|\$|USD|тыс\.|млн)?",
        fullmatch=True,
    ),
    st.from_regex(r"\(?\$?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{2})?\)?", fullmatch=True),
    JUNK,
    ANY_TEXT,
)


@st.composite
def spelled(draw: st.DrawFn, words: list[str]) -> str:
    """One of ``words`` in any case, with doubled inner spaces and spaces around it."""
    word = draw(st.sampled_from(words))
    case = draw(st.sampled_from([str, str.lower, str.upper, str.title, str.capitalize]))
    inner = draw(st.sampled_from([" ", "  ", "\u00a0"]))
    return draw(SPACES) + case(word).replace(" ", inner) + draw(SPACES)


# what clean_currency's docstring promises: signs, words, codes in any case, an amount
_CURRENCY_WORDS = ["₽", "руб.", "руб", "рублей", "р.", "RUR", "rub", "Российский рубль", "$",
                   "usd", "доллар США", "€", "eur", "евро", "₸", "тенге", "KZT", "₴", "грн",
                   "гривна", "BYN", "byr", "£", "GBP", "¥", "юань", "CNY", "CHF",
                   "JPY"]  # fmt: skip
CURRENCIES = mostly(
    st.one_of(
        spelled(_CURRENCY_WORDS),
        st.sampled_from(["SEK", "PLN", "INR"]),  # other codes in capitals
        st.builds("{} {}".format, st.integers(1, 10**6), st.sampled_from(_CURRENCY_WORDS)),
    ),
    st.sampled_from(["XYZ", "рупь", "у.е."]),
    JUNK,
    ANY_TEXT,
)
# every spelling clean_boolean's docstring lists, and a few more it should take
_BOOLEAN_WORDS = ["да", "нет", "д", "н", "yes", "no", "y", "n", "1", "0", "1.0", "0.0", "true",
                  "false", "t", "f", "истина", "ложь", "+", "-", "✓", "✗", "✔", "✘", "вкл",
                  "выкл", "on", "off", "x", "х", "есть", "ok"]  # fmt: skip
BOOLEANS = mostly(spelled(_BOOLEAN_WORDS), st.sampled_from(["может быть", "2", "?"]), JUNK,
                  ANY_TEXT)  # fmt: skip
# the labels and the loaded values of the property test's enum, as people type them
ENUMS = mostly(
    spelled(["Новый", "В работе", "Закрыт", "NEW", "WORK", "DONE"]),
    st.sampled_from(["Закрыто", "Сайт", "В раб"]),
    ANY_TEXT,
)
URLS = mostly(
    st.from_regex(
        r"(https?://)?(www\.)?[a-zа-я0-9-]{1,12}\.(ru|com|рф)(/[a-z /]{0,10})?", fullmatch=True
    ),
    JUNK,
    ANY_TEXT,
)
TEXTS = st.one_of(st.text(max_size=80), st.text(alphabet=" \u00a0\u200b\n\t\x00ab", max_size=30))
