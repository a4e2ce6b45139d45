"""Owners: a legacy CRM's user (a name or an e-mail) → a portal employee id."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from migrate.plan._metadata import PortalUser

__all__ = ["OwnerResolution", "OwnerResolver", "owner_key"]

_MESSAGES = {
    "owner.mapped": ("назначен по карте ответственных", "assigned by the owner map"),
    "owner.email": ("найден по e-mail", "found by e-mail"),
    "owner.name": ("найден по имени", "found by name"),
    "owner.empty": (
        "ответственный не указан, назначен ответственный по умолчанию",
        "no owner given, the default owner is assigned",
    ),
    "owner.dismissed": (
        "сотрудник «{value}» уволен, назначен ответственный по умолчанию",
        "employee “{value}” is dismissed, the default owner is assigned",
    ),
    "owner.unknown": (
        "сотрудник «{value}» не найден на портале, назначен ответственный по умолчанию",
        "employee “{value}” is not on the portal, the default owner is assigned",
    ),
    "owner.ambiguous": (
        "имени «{value}» соответствуют несколько сотрудников, назначен ответственный по умолчанию",
        "several employees are called “{value}”, the default owner is assigned",
    ),
    "owner.no_default": (
        "сотрудник «{value}» не найден, а ответственный по умолчанию не задан в migration.yaml",
        "employee “{value}” is not found and migration.yaml sets no default owner",
    ),
}


def owner_key(text: str) -> str:
    """A name or e-mail made comparable: lower case, ``ё`` → ``е``, words sorted."""
    words = re.split(r"[\s,.]+", text.strip().lower().replace("ё", "е"))
    return " ".join(sorted(w for w in words if w))


@dataclass(frozen=True, slots=True)
class OwnerResolution:
    """Who gets the record and why; ``severity`` ``ok`` needs no issue row."""

    user_id: int | None
    rule: str
    severity: str  # ok | warning | error
    value: str = ""

    def message(self, language: str = "ru") -> str:
        ru, en = _MESSAGES[self.rule]
        return (en if language == "en" else ru).format(value=self.value)


class OwnerResolver:
    """Resolves legacy owners against the portal's users.

    Order: the explicit map of `migration.yaml` (``owners.map``: name or e-mail → user id or
    portal e-mail), then the e-mail, then the full name (any word order, with or without the
    patronymic). Dismissed, unknown or ambiguous owners get ``default_owner`` with a warning;
    without a default they are errors (the row cannot be loaded as planned).
    """

    def __init__(
        self,
        users: Iterable[PortalUser],
        explicit: Mapping[str, int | str] | None = None,
        default_owner: int | None = None,
    ) -> None:
        self.users = {u.id: u for u in users}
        self.default_owner = default_owner
        self._by_email = {u.email.lower(): u for u in self.users.values() if u.email}
        self._by_name: dict[str, list[PortalUser]] = {}
        for user in self.users.values():
            for key in {owner_key(f"{user.last_name} {user.name}"), owner_key(user.full_name)}:
                self._by_name.setdefault(key, []).append(user)
        self._explicit = {owner_key(str(k)): v for k, v in (explicit or {}).items()}

    def resolve(self, legacy: str | None) -> OwnerResolution:
        """The portal user for ``legacy`` (a name or an e-mail from the source)."""
        text = (legacy or "").strip()
        if not text:
            return self._fallback("owner.empty", text)
        target = self._explicit.get(owner_key(text))
        if target is not None:
            user = self.users.get(target) if isinstance(target, int) else self._email(target)
            return self._found(user, "owner.mapped", text)
        if "@" in text:
            return self._found(self._email(text), "owner.email", text)
        matches = self._by_name.get(owner_key(text), [])
        if len(matches) > 1:
            return self._fallback("owner.ambiguous", text)
        return self._found(matches[0] if matches else None, "owner.name", text)

    def _email(self, email: str) -> PortalUser | None:
        return self._by_email.get(email.strip().lower())

    def _found(self, user: PortalUser | None, rule: str, text: str) -> OwnerResolution:
        if user is None:
            return self._fallback("owner.unknown", text)
        if not user.active:
            return self._fallback("owner.dismissed", text)
        return OwnerResolution(user.id, rule, "ok", text)

    def _fallback(self, rule: str, text: str) -> OwnerResolution:
        if self.default_owner is None:
            return OwnerResolution(None, "owner.no_default", "error", text)
        return OwnerResolution(self.default_owner, rule, "warning", text)
