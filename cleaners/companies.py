"""Company names: legal form canonicalised, quotes normalised, and a match key for dedupe."""

from __future__ import annotations

import re
from functools import lru_cache

from cleaners._base import OnError
from cleaners._common import apply, define, fail
from cleaners.lookalikes import fix_mixed_script
from cleaners.names import clean_person_name
from cleaners.registry import register

__all__ = ["LEGAL_FORMS", "clean_company_name", "company_name_key", "legal_form"]

COMPANY_NO_NAME = define(
    "company_name.no_name",
    "В названии компании только организационно-правовая форма: «{value}»",
    "The company name holds only a legal form: '{value}'",
)

MAX_CELL = 1000

# canonical abbreviation -> spelled-out forms and variants (regular expressions, lower case);
# longer forms first, so that "публичное акционерное общество" wins over "акционерное общество".
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "ФГУП": ("федеральное государственное унитарное предприятие", "фгуп"),
    "ФГБУ": ("федеральное государственное бюджетное учреждение", "фгбу"),
    "ГУП": ("государственное унитарное предприятие", "гуп"),
    "МУП": ("муниципальное унитарное предприятие", "муп"),
    "ГБУ": ("государственное бюджетное учреждение", "гбу"),
    "МБУ": ("муниципальное бюджетное учреждение", "мбу"),
    "ООО": ("общество с ограниченной ответственностью", "ооо", "o{3}"),
    "ОДО": ("общество с дополнительной ответственностью", "одо"),
    "ПАО": ("публичное акционерное общество", "пао", "pao"),
    "НАО": ("непубличное акционерное общество", "нао"),
    "ОАО": ("открытое акционерное общество", "оао", "oao"),
    "ЗАО": ("закрытое акционерное общество", "зао", "zao"),
    "АО": ("акционерное общество", "ао"),
    "АНО": ("автономная некоммерческая организация", "ано"),
    "НКО": ("некоммерческая организация", "нко"),
    "ТОО": ("товарищество с ограниченной ответственностью", "тоо"),
    "ТСЖ": ("товарищество собственников жилья", "тсж"),
    "СПК": ("сельскохозяйственный производственный кооператив", "спк"),
    "КФХ": ("крестьянское \\(?фермерское\\)? хозяйство", "кфх"),
    "ИП": ("индивидуальный предприниматель", "ип"),
    "LLC": ("limited liability company", "l\\.?l\\.?c\\.?"),
    "LLP": ("limited liability partnership", "l\\.?l\\.?p\\.?"),
    "Ltd": ("limited", "ltd\\.?"),
    "Inc": ("incorporated", "inc\\.?"),
    "Corp": ("corporation", "corp\\.?"),
    "GmbH": ("gmbh",),
    "AG": ("ag",),
    "JSC": ("joint[- ]stock company", "jsc"),
}
"""Legal forms recognised anywhere in a name, with the spelled-out forms they replace."""

_LATIN_FORMS = frozenset({"LLC", "LLP", "Ltd", "Inc", "Corp", "GmbH", "AG", "JSC"})
_FORM_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<f{i}>{'|'.join(variants)})" for i, variants in enumerate(LEGAL_FORMS.values()))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_FORM_NAMES = list(LEGAL_FORMS)
_QUOTES_RE = re.compile(r"[\"«»“”„‟″'`‘’‚‛]")
_PUNCT_RE = re.compile(r"[^\w]+")
_EDGE_PUNCT_RE = re.compile(r"\(\s*\)|^[\s,.;:\-]+|[\s,;:\-]+$")


def _find_forms(text: str) -> tuple[str | None, str]:
    """The first legal form in ``text`` and the text with every legal form removed."""
    found: list[str] = []

    def remove(match: re.Match[str]) -> str:
        found.append(_FORM_NAMES[int(str(match.lastgroup)[1:])])  # the one group that matched
        return " "

    rest = _FORM_RE.sub(remove, text)
    return (found[0] if found else None), rest


def _requote(core: str) -> str:
    """Quotes inside a name as «»: opening after a space, `(`, an opening quote or at the start,
    else closing. The character before is read from the result, so a second pass changes
    nothing (``0««`` → ``0»»``, not ``0»«``)."""
    if not _QUOTES_RE.search(core):
        return core
    out: list[str] = []
    for char in core:
        if _QUOTES_RE.fullmatch(char) and char not in "'’`":
            opening = not out or out[-1] in " («"
            out.append("«" if opening else "»")
        else:
            out.append(char)
    return "".join(out)


def _core(rest: str) -> str:
    """The name without surrounding punctuation and quotes, inner quotes as «»."""
    previous = None
    while rest != previous:
        previous = rest
        rest = " ".join(_EDGE_PUNCT_RE.sub("", rest).split())
        if len(rest) >= 2 and _QUOTES_RE.fullmatch(rest[0]) and _QUOTES_RE.fullmatch(rest[-1]):
            rest = rest[1:-1]
    return _requote(rest)


def legal_form(name: str | None) -> str | None:
    """The canonical legal form in ``name`` (``"ООО"``, ``"ПАО"``, ``"ИП"``, ``"LLC"``...).

    Recognised anywhere in the name, abbreviated or spelled out, in any case; ``None``
    when there is none.

    Example:
        >>> legal_form('Общество с ограниченной ответственностью "Ромашка"')
        'ООО'
    """
    if not name:
        return None
    return _find_forms(fix_mixed_script(name))[0]


@lru_cache(maxsize=65536)
def company_name_key(name: str | None) -> str:
    """A comparable key for a company name (for blocking and scoring in dedupe).

    Legal forms and quotes removed, look-alike letters fixed, lower case, ``ё`` → ``е``,
    punctuation turned into spaces and spaces collapsed; ``""`` for an empty name.

    Example:
        >>> company_name_key('ООО "Ромашка-Плюс"') == company_name_key("Ромашка плюс, ООО")
        True
    """
    if not name:
        return ""
    rest = _find_forms(fix_mixed_script(name))[1].lower()
    rest = _PUNCT_RE.sub(" ", fix_mixed_script(rest).replace("ё", "е")).replace("_", " ")
    return " ".join(rest.split())


def _display(form: str | None, core: str) -> str:
    if form is None:
        return core
    if form in _LATIN_FORMS:
        return f"{core} {form}"
    if form == "ИП":  # a person's name: "ип иванов иван" → "ИП Иванов Иван"
        return f"ИП {clean_person_name(core, on_error='keep')}"
    return f"{form} «{core}»"


@register("company_name")
def clean_company_name(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Canonical display form of a company name.

    Input: ``общество с ограниченной ответственностью "Ромашка"``, ``Ромашка, ООО``,
    ``ООО “Ромашка”``, ``ИП Иванов И.И.``, ``Acme Limited Liability Company``.
    Output: Russian legal forms as ``ООО «Ромашка»`` (form first, name in «»), ``ИП Иванов
    И.И.`` without quotes, Latin forms after the name (``Acme LLC``); quotes inside the
    name become «»; a name without a legal form is kept (quotes normalised). Use
    :func:`company_name_key` to compare names and :func:`legal_form` to read the form.
    Errors: ``company_name.no_name`` (only a legal form), ``value.too_long``.

    Example:
        >>> clean_company_name('Общество с ограниченной ответственностью "Ромашка"')
        'ООО «Ромашка»'
    """
    return apply(_clean, value, on_error, limit=MAX_CELL)


def _clean(text: str) -> str:
    form, rest = _find_forms(fix_mixed_script(text))
    core = _core(rest)
    if not _PUNCT_RE.sub("", core):
        raise fail(COMPANY_NO_NAME, text)
    return _display(form, core)
