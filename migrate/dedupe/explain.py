"""Why two records were matched, in plain words (Russian by default, English on request).

``совпадает телефон +79161234567; ФИО совпадает с точностью до транслитерации``. Agreements
come first, strongest first; then what differs; a conflict of strong identifiers says that the
pair will not be merged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from migrate.dedupe.compare import Prepared

__all__ = ["explain_pairs", "label_of"]

_LABELS = {
    "PHONE": ("телефон", "phone"), "EMAIL": ("e-mail", "e-mail"), "RQ_INN": ("ИНН", "INN"),
    "RQ_KPP": ("КПП", "KPP"), "RQ_OGRN": ("ОГРН", "OGRN"), "TITLE": ("название", "name"),
    "COMPANY_TITLE": ("компания", "company"), "BIRTHDATE": ("дата рождения", "date of birth"),
    "ADDRESS": ("адрес", "address"), "WEB": ("сайт", "website"), "XML_ID": ("артикул", "SKU"),
    "NAME": ("имя", "name"), "LAST_NAME": ("ФИО", "full name"), "PRICE": ("цена", "price"),
    "COMPANY_ID": ("компания", "company"),
}  # fmt: skip

_TEMPLATES = {
    "ru": {
        "exact": "совпадает {label} {value}", "exact_plain": "{label} совпадает",
        "translit": "{label} совпадает с точностью до транслитерации",
        "initials": "{label} совпадает с точностью до инициалов",
        "subset": "{label} одной записи входит в {label} другой",
        "fuzzy": "{label} почти совпадает (сходство ≥ {t}%)",
        "part": "часть {label} совпадает (сходство ≥ {t}%)",
        "parts": "{label}: совпадает не меньше {t}% частей",
        "local": "совпадает имя ящика {label}", "suffix": "совпадают последние {t} цифр: {label}",
        "typo": "{label} отличается опечаткой или перестановкой дня и месяца",
        "slip": "{label} отличается одной опечаткой или перестановкой символов",
        "within": "{label} близки (разница ≤ {t})", "differs": "{label} различается",
        "conflict": "разные {label}: {a} и {b} — не объединяем",
    },
    "en": {
        "exact": "same {label} {value}", "exact_plain": "{label} is the same",
        "translit": "{label} is the same up to transliteration",
        "initials": "{label} is the same up to initials",
        "subset": "one {label} contains the other",
        "fuzzy": "{label} is nearly the same (similarity ≥ {t}%)",
        "part": "a part of the {label} agrees (similarity ≥ {t}%)",
        "parts": "{label}: at least {t}% of the parts agree",
        "local": "same {label} mailbox name", "suffix": "the last {t} digits agree: {label}",
        "typo": "{label} differs by a typo or a day/month swap",
        "slip": "{label} differs by one typo or two characters swapped",
        "within": "{label} is close (difference ≤ {t})", "differs": "{label} differs",
        "conflict": "different {label}: {a} and {b}: not merged",
    },
}  # fmt: skip
_SHOW_VALUE = {"phone", "email", "identifier", "exact", "date", "number"}


def label_of(prepared: Prepared, language: str) -> str:
    """A human label of the comparison: a known Bitrix24 field's name, or the rule's name."""
    comparison = prepared.comparison
    if comparison.kind == "person_name":
        return "ФИО" if language == "ru" else "full name"
    index = 0 if language == "ru" else 1
    first = comparison.columns[0] if comparison.columns else comparison.name
    return _LABELS.get(first, _LABELS.get(comparison.name, (comparison.name, comparison.name)))[
        index
    ]


def explain_pairs(
    prepared: Sequence[Prepared],
    levels: Sequence[npt.NDArray[np.int8]],
    conflicts: Sequence[npt.NDArray[np.bool_]],
    weights: Sequence[npt.NDArray[np.float64]],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    language: str = "ru",
) -> list[str]:
    """One sentence per pair ``(a[i], b[i])`` from its comparison levels."""
    templates = _TEMPLATES.get(language, _TEMPLATES["ru"])
    parts: list[list[tuple[float, str]]] = [[] for _ in range(len(a))]
    for p, level, conflict, weight in zip(prepared, levels, conflicts, weights, strict=True):
        label = label_of(p, language)
        specs = p.comparison.levels
        texts_a = p.main.text(a)
        texts_b = p.main.text(b)
        phrases = [_phrase(templates, p, spec.name, spec.threshold, label) for spec in specs]
        phrases.append(templates["differs"].format(label=label))
        for i in np.flatnonzero(level >= 0).tolist():
            lv = int(level[i])
            if conflict[i]:
                text = templates["conflict"].format(label=label, a=texts_a[i], b=texts_b[i])
                parts[i].append((-1e9, text))
                continue
            text = phrases[lv]
            if "{value}" in text:
                text = text.format(value=texts_a[i])
            parts[i].append((float(weight[lv]), text))
    out = []
    for items in parts:
        agree = sorted((x for x in items if x[0] > 0), key=lambda x: -x[0])
        differ = sorted((x for x in items if x[0] <= 0), key=lambda x: x[0])
        out.append("; ".join(text for _, text in [*agree, *differ]))
    return out


def _phrase(
    templates: dict[str, str], p: Prepared, name: str, threshold: float | None, label: str
) -> str:
    if name == "exact":
        if p.comparison.kind in _SHOW_VALUE:
            return templates["exact"].replace("{label}", label)
        return templates["exact_plain"].format(label=label)
    if name == "typo" and p.comparison.kind == "identifier":
        name = "slip"
    t = threshold if threshold is not None else 0
    shown = f"{t * 100:g}" if name in ("fuzzy", "part", "parts") else f"{t:g}"
    return templates[name].format(label=label, t=shown)
