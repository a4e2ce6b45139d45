"""Money and decimals as plain decimal text ("1234567.89"), currency names as ISO codes."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from cleaners._base import CleanerError, OnError
from cleaners._common import apply, define, fail
from cleaners.registry import register

__all__ = ["CURRENCY_ALIASES", "clean_currency", "clean_decimal", "clean_money", "parse_amount"]

NUMBER_INVALID = define(
    "number.invalid",
    "Не удалось распознать число «{value}»",
    "Cannot read a number in '{value}'",
)
NUMBER_ROUNDED = define(
    "number.rounded",
    "Число «{value}» округлено до {places} знаков после запятой: {cleaned}",
    "The number '{value}' was rounded to {places} decimal places: {cleaned}",
)
CURRENCY_UNKNOWN = define(
    "currency.unknown",
    "Неизвестная валюта «{value}»",
    "Unknown currency '{value}'",
)

MAX_CELL = 100
CURRENCY_ALIASES: dict[str, str] = {
    "₽": "RUB", "руб": "RUB", "рубль": "RUB", "рубля": "RUB", "рублей": "RUB", "р": "RUB",
    "rub": "RUB", "rur": "RUB", "российский рубль": "RUB",
    "$": "USD", "usd": "USD", "долл": "USD", "доллар": "USD", "доллара": "USD",
    "долларов": "USD", "доллар сша": "USD", "us$": "USD",
    "€": "EUR", "eur": "EUR", "евро": "EUR",
    "₸": "KZT", "kzt": "KZT", "тенге": "KZT", "тг": "KZT",
    "₴": "UAH", "uah": "UAH", "грн": "UAH", "гривна": "UAH", "гривен": "UAH",
    "byn": "BYN", "byr": "BYN", "бел руб": "BYN", "белорусский рубль": "BYN",
    "£": "GBP", "gbp": "GBP", "фунт": "GBP",
    "¥": "CNY", "cny": "CNY", "rmb": "CNY", "юань": "CNY", "юаней": "CNY",
    "chf": "CHF", "франк": "CHF", "jpy": "JPY", "иена": "JPY", "try": "TRY", "₺": "TRY",
    "лира": "TRY", "amd": "AMD", "драм": "AMD", "uzs": "UZS", "сум": "UZS", "kgs": "KGS",
    "сом": "KGS", "azn": "AZN", "манат": "AZN", "gel": "GEL", "лари": "GEL", "aed": "AED",
    "дирхам": "AED", "inr": "INR", "₹": "INR",
}  # fmt: skip
"""Currency signs, words and codes (lower case, dots removed) → ISO 4217 code."""

_MULTIPLIERS = {
    "тыс": 3, "т": 3, "k": 3, "к": 3, "тысяч": 3, "тысячи": 3, "тысяча": 3,
    "млн": 6, "m": 6, "mln": 6, "миллион": 6, "миллиона": 6, "миллионов": 6,
    "млрд": 9, "bn": 9, "миллиард": 9, "миллиарда": 9, "миллиардов": 9,
}  # fmt: skip
_GROUPING_RE = re.compile(r"[\s'’`_]")
_NUMBER_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?:[eE][+-]?[0-9]{1,3})?|[.,][0-9]+")


def _sign(text: str) -> tuple[str, bool]:
    """Strip a sign: leading ``-``/``−``/``–``, trailing ``-`` or parentheses."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1].strip(), True
    if text[:1] in "-−–":
        return text[1:].strip(), True
    if text[-1:] in "-−" and len(text) > 1:
        return text[:-1].strip(), True
    return text.lstrip("+").strip(), False


def _separators(number: str, dollar: bool) -> str:
    """Decide which of ``,``/``.`` is the decimal separator; return ``1234.56`` form.

    Both present: the last one is decimal. One kind, several times: grouping. One comma
    once: decimal (Russian), except ``$1,234`` (three digits after it in dollars). One
    dot once: decimal.
    """
    if "e" in number.lower():
        return number.replace(",", ".")
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        decimal = "," if number.rfind(",") > number.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        return number.replace(grouping, "").replace(decimal, ".")
    mark = "," if commas else "."
    count = commas or dots
    if count > 1 or (mark == "," and dollar and re.search(r",[0-9]{3}$", number)):
        return number.replace(mark, "")
    return number.replace(",", ".")


def _split_ends(text: str) -> tuple[str, str, str]:
    """``"$ 1,234.56 USD"`` → ``("$ ", "1,234.56", " USD")``: words before and after."""
    start, end = 0, len(text)
    while start < end and not (text[start].isdigit() or text[start] in "(+-−–.,"):
        start += 1
    while end > start and not (text[end - 1].isdigit() or text[end - 1] in ")-−"):
        end -= 1
    return text[:start], text[start:end], text[end:]


def _read_words(words: list[str], text: str) -> tuple[str | None, int]:
    """The currency and the power of ten named by the words around a number."""
    currency: str | None = None
    power, index = 0, 0
    while index < len(words):
        pair = " ".join(words[index : index + 2])
        if index + 1 < len(words) and pair in CURRENCY_ALIASES:
            currency, index = CURRENCY_ALIASES[pair], index + 2
            continue
        word = words[index]
        if word in CURRENCY_ALIASES:
            currency = CURRENCY_ALIASES[word]
        elif word in _MULTIPLIERS:
            power = _MULTIPLIERS[word]
        else:
            raise fail(NUMBER_INVALID, text)
        index += 1
    return currency, power


def _words(text: str) -> list[str]:
    """Currency signs and words as separate lower-case tokens (``"₽"``, ``"руб"``)."""
    spaced = "".join(f" {ch} " if ch in "₽$€₸₴£¥₺₹" else ch for ch in text.lower())
    return spaced.replace(".", " ").split()


def parse_amount(text: str) -> tuple[Decimal, str | None]:
    """``"1 234,5 руб."`` → ``(Decimal("1234.5"), "RUB")``; raises :class:`CleanerError`.

    The words before and after the number may name a currency (signs, words, codes — see
    :data:`CURRENCY_ALIASES`) and a multiplier (``тыс``, ``млн``, ``млрд``, ``k``).
    """
    head, middle, tail = _split_ends(text)
    currency, power = _read_words(_words(head + " " + tail), text) if head or tail else (None, 0)
    middle, negative = _sign(middle)
    number = _GROUPING_RE.sub("", middle)
    if not _NUMBER_RE.fullmatch(number):
        raise fail(NUMBER_INVALID, text)
    try:
        amount = Decimal(_separators(number, currency == "USD")).scaleb(power)
    except InvalidOperation:
        raise fail(NUMBER_INVALID, text) from None
    return (-amount if negative else amount), currency


def _plain(amount: Decimal, places: int | None) -> str:
    with localcontext(prec=80):
        if places is not None:
            amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        elif amount == amount.to_integral_value():
            amount = amount.quantize(Decimal(1))
    text = f"{amount:f}"
    return text[1:] if text.startswith("-") and not amount else text


def _number_text(text: str, places: int | None) -> str:
    amount, _ = parse_amount(text)
    if abs(amount.adjusted()) > 30:
        raise fail(NUMBER_INVALID, text)
    out = _plain(amount, places)
    if Decimal(out) != amount:
        raise fail(NUMBER_ROUNDED, text, severity="warning", cleaned=out, places=places)
    return out


@register("money")
def clean_money(
    value: str | None, *, on_error: OnError = "raise", places: int | None = 2
) -> str | None:
    """Normalise an amount of money to plain decimal text.

    Input: ``1 234 567,89 ₽``, ``1.234.567,89``, ``$1,234.56``, ``1234,5 руб.``,
    ``12 тыс.`` / ``1,5 млн`` (multipliers), ``(1 234,00)`` and ``-1234`` (negative),
    ``1.0E10`` (Excel). Grouping by spaces, non-breaking spaces, apostrophes; the currency
    sign or word is ignored (read it with ``currency``).

    Output: ``1234567.89`` — dot as decimal separator, no grouping, ``places`` decimals
    (``None`` keeps the written precision; more decimals than ``places`` are rounded half
    up with the warning ``number.rounded``). Errors: ``number.invalid``.

    Example:
        >>> clean_money("1 234 567,89 ₽")
        '1234567.89'
    """
    return apply(lambda text: _number_text(text, places), value, on_error, limit=MAX_CELL)


@register("decimal")
def clean_decimal(
    value: str | None, *, on_error: OnError = "raise", places: int | None = None
) -> str | None:
    """Normalise a number to plain decimal text (as :func:`clean_money`, no rounding).

    Input: ``1 234,5``, ``1.234.567,89``, ``1,5 тыс.``, ``-0,25``, ``7.0E3``, ``15 %``
    (a percent cell as a spreadsheet shows it: the number of percent, ``15``).
    Output: ``1234.5``; whole numbers without a fraction (``7000``). Errors:
    ``number.invalid``.

    Example:
        >>> clean_decimal("1.234.567,89")
        '1234567.89'
    """
    return apply(
        lambda text: _number_text(text.rstrip().removesuffix("%").rstrip() or text, places),
        value,
        on_error,
        limit=MAX_CELL,
    )


def _currency_code(text: str) -> str:
    words = _words(text)
    key = " ".join(words)
    if key in CURRENCY_ALIASES:
        return CURRENCY_ALIASES[key]
    if re.fullmatch(r"[A-Z]{3}", text):
        return text
    try:
        currency = parse_amount(text)[1]
    except CleanerError:
        currency = None
    if currency is None:
        raise fail(CURRENCY_UNKNOWN, text)
    return currency


@register("currency")
def clean_currency(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Normalise a currency to its ISO 4217 code.

    Input: a sign (``₽ $ € ₸ ₴ £ ¥``), a word (``руб.``, ``рублей``, ``тенге``, ``грн``,
    ``евро``), a code in any case (``rur`` → ``RUB``, ``BYR`` → ``BYN``), any other
    three-letter code in capitals, or an amount with a currency (``1 000 руб.``).
    Output: ``RUB``, ``USD``, ``EUR``, ``KZT``, ``UAH``... Errors: ``currency.unknown``.

    Example:
        >>> clean_currency("руб.")
        'RUB'
    """
    return apply(_currency_code, value, on_error, limit=MAX_CELL)
