"""Owners: a legacy CRM's user (a name or an e-mail) → a portal employee id.

Order: the client's choice from `reports/owners.xlsx` (:class:`OwnerChoice`), the explicit map
of `migration.yaml`, the e-mail, the full name, then the surname with initials ("Попова Е.",
only when one employee fits; a warning, for the client to confirm). Dismissed, unknown or
ambiguous owners get the default owner with a warning, or block the rows without one. A record
with no owner at all goes to the client's choice for the «(не указан)» row of `owners.xlsx`,
else to the default owner, else (``owner.webhook``) to the webhook's user as the portal does
— listed, never silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from migrate.plan._metadata import PortalUser

__all__ = ["NO_OWNER_HINT", "OwnerChoice", "OwnerResolution", "OwnerResolver", "owner_key"]

NO_OWNER_HINT = "_NO_OWNER"
"""The hint of a record whose source gives no owner and which the plan gave one (the default
owner or the client's choice): an update of a record already in the portal leaves its owner
there as it is (the source says nothing to change it to)."""

_MESSAGES = {
    "owner.mapped": ("назначен по карте ответственных", "assigned by the owner map"),
    "owner.email": ("найден по e-mail", "found by e-mail"),
    "owner.name": ("найден по имени", "found by name"),
    "owner.client": ("указан клиентом в owners.xlsx", "chosen by the client in owners.xlsx"),
    "owner.initials": (
        "«{value}» найден по фамилии и инициалам — проверьте в owners.xlsx",
        "“{value}” found by surname and initials — check it in owners.xlsx",
    ),
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
    "owner.webhook": (
        "ответственный не указан, а ответственный по умолчанию не задан в migration.yaml — "
        "запись получит пользователя вебхука",
        "no owner given and migration.yaml sets no default owner: the record gets the "
        "webhook's user",
    ),
    "owner.no_default": (
        "сотрудник «{value}» не найден, а ответственный по умолчанию не задан в migration.yaml",
        "employee “{value}” is not found and migration.yaml sets no default owner",
    ),
}


def owner_key(text: str) -> str:
    """A name or e-mail made comparable: lower case, ``ё`` → ``е``, words sorted."""
    if "@" in text:
        return text.strip().lower()
    words = re.split(r"[\s,.]+", text.strip().lower().replace("ё", "е"))
    return " ".join(sorted(w for w in words if w))


_INITIALS = re.compile(r"^(?:(?P<a>[^\W\d_]{2,})\s+(?P<i>(?:[^\W\d_]\.\s*){1,2})"
                       r"|(?P<j>(?:[^\W\d_]\.\s*){1,2})\s*(?P<b>[^\W\d_]{2,}))$")  # fmt: skip


def _initials_key(text: str) -> str | None:
    """``"Попова Е."``, ``"Попова Е.А."`` or ``"Е. Попова"`` → ``"попова е"`` (surname and the
    first name's initial); ``None`` for anything else."""
    found = _INITIALS.match(text.strip().replace("ё", "е").replace("Ё", "Е"))
    if found is None:
        return None
    surname = found.group("a") or found.group("b")
    initials = found.group("i") or found.group("j")
    return f"{surname.lower()} {initials.strip()[0].lower()}"


@dataclass(frozen=True, slots=True)
class OwnerChoice:
    """The client's choice for one legacy owner (a row of `reports/owners.xlsx`).

    Attributes:
        legacy: the owner as written in the sources.
        value: a portal user's id or e-mail, as the client wrote it (``""``: no choice —
            as proposed; a stored choice is withdrawn).
        where: the workbook cell it came from (for a clear error when it is not a user).
    """

    legacy: str
    value: str
    where: str = ""

    @property
    def key(self) -> str:
        """The legacy owner made comparable (:func:`owner_key`)."""
        return owner_key(self.legacy)

    @property
    def target(self) -> int | str:
        """The user id (digits) or the e-mail."""
        text = self.value.strip()
        return int(text) if text.isdigit() else text


@dataclass(frozen=True, slots=True)
class OwnerResolution:
    """Who gets the record and why; ``severity`` ``ok`` needs no issue row."""

    user_id: int | None
    rule: str
    severity: str  # ok | warning | error
    value: str = ""
    matched: int | None = None  # the portal user found, also when not used (dismissed)

    def message(self, language: str = "ru") -> str:
        ru, en = _MESSAGES[self.rule]
        return (en if language == "en" else ru).format(value=self.value)


class OwnerResolver:
    """Resolves legacy owners against the portal's users.

    Order: the client's ``choices`` (from `reports/owners.xlsx`, by :func:`owner_key`), the
    explicit map of `migration.yaml` (``owners.map``: name or e-mail → user id or portal
    e-mail), then the e-mail, then the full name (any word order, with or without the
    patronymic), then surname and initials when exactly one employee fits. Dismissed, unknown
    or ambiguous owners get ``default_owner`` with a warning; without a default they are
    errors (the row cannot be loaded as planned).
    """

    def __init__(
        self,
        users: Iterable[PortalUser],
        explicit: Mapping[str, int | str] | None = None,
        default_owner: int | None = None,
        choices: Mapping[str, OwnerChoice] | None = None,
    ) -> None:
        self.users = {u.id: u for u in users}
        self.default_owner = default_owner
        self._by_email = {u.email.lower(): u for u in self.users.values() if u.email}
        self._by_name: dict[str, list[PortalUser]] = {}
        self._by_initials: dict[str, list[PortalUser]] = {}
        for user in self.users.values():
            for key in {owner_key(f"{user.last_name} {user.name}"), owner_key(user.full_name)}:
                self._by_name.setdefault(key, []).append(user)
            if user.last_name and user.name:
                key = f"{user.last_name.lower().replace('ё', 'е')} {user.name[0].lower()}"
                self._by_initials.setdefault(key.replace("ё", "е"), []).append(user)
        self._explicit = {owner_key(str(k)): v for k, v in (explicit or {}).items()}
        self._choices = {owner_key(c.legacy): c.target for c in (choices or {}).values()}

    def resolve(self, legacy: str | None, entity: str = "", key: str = "") -> OwnerResolution:
        """The portal user for ``legacy`` (a name or an e-mail from the source) of the record
        ``key`` of ``entity`` (subclasses count them)."""
        text = (legacy or "").strip()
        if not text:
            return self._empty()
        for targets, rule in ((self._choices, "owner.client"), (self._explicit, "owner.mapped")):
            target = targets.get(owner_key(text))
            if target is not None:
                user = self.users.get(target) if isinstance(target, int) else self._email(target)
                return self._found(user, rule, text)
        if "@" in text:
            return self._found(self._email(text), "owner.email", text)
        matches = self._by_name.get(owner_key(text), [])
        initials = _initials_key(text)
        if not matches and initials is not None:
            return self._by_surname(initials, text)
        if len(matches) > 1:
            return self._fallback("owner.ambiguous", text)
        return self._found(matches[0] if matches else None, "owner.name", text)

    def _empty(self) -> OwnerResolution:
        """No owner in the source: the client's choice for the «(не указан)» row, the default
        owner, or the webhook's user (a warning: nothing is refused for it)."""
        target = self._choices.get("")
        if target not in (None, ""):
            user = self.users.get(target) if isinstance(target, int) else self._email(target)
            return self._found(user, "owner.client", "")
        if self.default_owner is None:
            return OwnerResolution(None, "owner.webhook", "warning")
        return OwnerResolution(self.default_owner, "owner.empty", "warning")

    def _by_surname(self, key: str, text: str) -> OwnerResolution:
        """Surname and initial: a guess the client confirms (a warning), never a pick among
        several employees."""
        matches = self._by_initials.get(key, [])
        if len(matches) > 1:
            return self._fallback("owner.ambiguous", text)
        found = self._found(matches[0] if matches else None, "owner.initials", text)
        return replace(found, severity="warning") if found.severity == "ok" else found

    def _email(self, email: str) -> PortalUser | None:
        return self._by_email.get(email.strip().lower())

    def _found(self, user: PortalUser | None, rule: str, text: str) -> OwnerResolution:
        if user is None:
            return self._fallback("owner.unknown", text)
        if not user.active:
            return self._fallback("owner.dismissed", text, user.id)
        return OwnerResolution(user.id, rule, "ok", text, user.id)

    def _fallback(self, rule: str, text: str, matched: int | None = None) -> OwnerResolution:
        if self.default_owner is None:
            return OwnerResolution(None, "owner.no_default", "error", text, matched)
        return OwnerResolution(self.default_owner, rule, "warning", text, matched)
