"""Hypothesis strategies for realistic dirty cells, shared by the cleaner property tests."""

from __future__ import annotations

from hypothesis import strategies as st

NOISE = st.sampled_from(
    ["", " ", "  ", "\u00a0", "\t", "\n", "-", ".", "(", ")", ",", ";", "\u200b", "\ufeff"]
)
JUNK = st.sampled_from(
    ["", "nan", "NULL", "None", "-", "нет", "n/a", "#N/A", "=A1+B2", "1.0E10", "0", "+", "@"]
)
ANY_TEXT = st.text(max_size=60)

DIGITS10 = st.from_regex(r"[3489]\d{9}", fullmatch=True)
PREFIX = st.sampled_from(["", "8", "7", "+7", "+7 ", "8 ", "7-", "+7("])


@st.composite
def formatted_phone(draw: st.DrawFn) -> str:
    """A ten-digit Russian number written with a random prefix and random formatting."""
    digits = draw(DIGITS10)
    prefix = draw(PREFIX)
    parts = [digits[:3], digits[3:6], digits[6:8], digits[8:]]
    out = prefix
    for part in parts:
        out += part + draw(st.sampled_from(["", " ", "-", ") ", "."]))
    if draw(st.booleans()):
        out += draw(st.sampled_from([" доб. ", " вн.", " ext ", " x", ";ext="]))
        out += draw(st.from_regex(r"\d{1,5}", fullmatch=True))
    return out


PHONES = st.one_of(formatted_phone(), JUNK, ANY_TEXT, st.from_regex(r"\+?\d{5,15}", fullmatch=True))
PHONE_CELLS = st.lists(PHONES, max_size=4).map(", ".join)

LOCAL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,12}[A-Za-z0-9]", fullmatch=True)
DOMAIN = st.one_of(
    st.sampled_from(["mail.ru", "gmail.com", "gmial.com", "yandex.ru", "bk.ru", "mail.ry"]),
    st.from_regex(r"[a-z]{1,10}\.(ru|com|рф|org)", fullmatch=True),
)
EMAILS = st.one_of(
    st.builds(lambda a, b, n: f"{n}{a}@{b}{n}", LOCAL, DOMAIN, NOISE), JUNK, ANY_TEXT
)
EMAIL_CELLS = st.lists(EMAILS, max_size=3).map("; ".join)

NAME_WORD = st.one_of(
    st.sampled_from(
        ["иванов", "ИВАНОВ", "Иванoв", "мария-луиза", "о'нил", "И.", "и.и.", "оглы", "фон"]
    ),
    st.from_regex(r"[А-ЯЁа-яёA-Za-z]{1,10}", fullmatch=True),
)
NAMES = st.one_of(st.lists(NAME_WORD, min_size=1, max_size=4).map(" ".join), JUNK, ANY_TEXT)

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
DATES = st.one_of(
    st.builds(
        lambda d, fmt: d.strftime(fmt),
        st.datetimes(),
        st.sampled_from(
            ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%Y%m%d"]
        ),
    ),
    st.from_regex(r"[0-9]{5}(\.[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,2} (марта|января|мая|дек\.|March) [0-9]{4}( г\.)?", fullmatch=True),
    st.from_regex(
        r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](Z|[+-]0[0-9]:00)",
        fullmatch=True,
    ),
    JUNK,
    ANY_TEXT,
)
AMOUNTS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.from_regex(
        r"-?[0-9]{1,3}([ .,][0-9]{3}){0,3}([.,][0-9]{1,3})? ?(₽|руб\.|\$|USD|тыс\.|млн)?",
        fullmatch=True,
    ),
    st.from_regex(r"\(?\$?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{2})?\)?", fullmatch=True),
    JUNK,
    ANY_TEXT,
)
CURRENCIES = st.one_of(
    st.sampled_from(["₽", "руб.", "RUR", "$", "usd", "евро", "тенге", "грн", "SEK", "XYZ"]),
    JUNK,
    ANY_TEXT,
)
BOOLEANS = st.one_of(
    st.sampled_from(["да", "Нет", "YES", "n", "1", "0", "true", "+", "-", "✓", "1.0", "x"]),
    JUNK,
    ANY_TEXT,
)
ENUMS = st.one_of(st.sampled_from(["новый", "В  работе", "ЗАКРЫТ", "Закрыто", "Сайт"]), ANY_TEXT)
URLS = st.one_of(
    st.from_regex(
        r"(https?://)?(www\.)?[a-zа-я0-9-]{1,12}\.(ru|com|рф)(/[a-z /]{0,10})?", fullmatch=True
    ),
    JUNK,
    ANY_TEXT,
)
TEXTS = st.one_of(st.text(max_size=80), st.text(alphabet=" \u00a0\u200b\n\t\x00ab", max_size=30))
