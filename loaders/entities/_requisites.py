"""Which requisite preset a company gets: organisation (ООО, АО) or sole proprietor (ИП)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RequisitePresets", "choose_preset", "presets_from_rows"]

_ORGANIZATION = ("organization", "организация", "юр. лицо", "юридическое лицо", "company")
_SOLE = ("sole proprietor", "индивидуальный предприниматель", "ип")
_PERSON = ("individual", "person", "физ. лицо", "физическое лицо")
_SOLE_FORMS = re.compile(r"^\s*(ип|индивидуальный предприниматель)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RequisitePresets:
    """The portal's preset ids (``crm.requisite.preset.list``); ``None`` when it has none."""

    organization: int | None
    sole_proprietor: int | None
    person: int | None = None


def presets_from_rows(rows: Iterable[Mapping[str, Any]]) -> RequisitePresets:
    """Recognise the standard presets by name (Russian or English portal)."""
    found: dict[str, int] = {}
    for row in rows:
        name = str(row.get("NAME") or "").strip().lower()
        for kind, names in (("person", _PERSON), ("sole", _SOLE), ("org", _ORGANIZATION)):
            if kind not in found and any(_names_match(name, n) for n in names):
                found[kind] = int(row["ID"])
                break
    return RequisitePresets(found.get("org"), found.get("sole"), found.get("person"))


def _names_match(name: str, candidate: str) -> bool:
    if len(candidate) <= 3:  # «ИП»: a whole word only
        return candidate in re.split(r"[\s().,]+", name)
    return name.startswith(candidate)


def choose_preset(
    presets: RequisitePresets, inn: str | None, title: str = "", legal_form: str = ""
) -> int | None:
    """The preset for a company's requisites, or ``None`` when the portal lacks it.

    A 12-digit INN, an OGRNIP-style legal form or a title starting with «ИП» means a sole
    proprietor; a 10-digit INN (or nothing telling otherwise) an organisation.
    """
    digits = re.sub(r"\D", "", inn or "")
    sole = len(digits) == 12 or bool(_SOLE_FORMS.match(legal_form) or _SOLE_FORMS.match(title))
    if len(digits) == 10:
        sole = False
    return presets.sole_proprietor if sole else presets.organization
