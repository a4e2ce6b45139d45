"""Every legacy owner of a plan, the portal user it becomes and how many records it owns.

:class:`OwnerMapping` rows are what `reports/owners.xlsx` shows the client; the client's
corrections come back as :class:`~migrate.plan._owners.OwnerChoice` and are checked here
against the portal's users before anything is planned: a choice that names no active employee
stops the plan with the workbook cell it came from (a silent fallback would hand the client's
records to someone they did not choose).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from migrate.errors import ConfigError
from migrate.plan._metadata import PortalMetadata, PortalUser
from migrate.plan._owners import OwnerChoice, OwnerResolution, OwnerResolver, owner_key
from migrate.workspace.config import MigrationConfig

__all__ = ["CountingResolver", "OwnerMapping"]

#: The portal user was found but cannot be used (``matched`` holds who it was).
_FLAGS = {
    "owner.dismissed": "dismissed",
    "owner.ambiguous": "ambiguous",
    "owner.unknown": "unknown",
    "owner.empty": "empty",
    "owner.webhook": "empty",
}


@dataclass(frozen=True, slots=True)
class OwnerMapping:
    """One legacy owner as written in the sources and the portal user it becomes.

    Attributes:
        legacy: the owner as the export writes it (a name or an e-mail).
        user_id, user_name, user_email: the portal user the records get (``None``: none —
            no default owner, the rows are blocked).
        rule: how (`owner.email`, `owner.name`, `owner.initials`, `owner.mapped`,
            `owner.client`; a fallback rule when the default owner stands in).
        defaulted: the default owner stands in (or nobody does).
        rows: records it owns (all entities).
        by_entity: records it owns per entity.
        flag: ``dismissed`` | ``ambiguous`` | ``unknown`` | ``empty`` | ``""``.
        matched_id, matched_name: the employee found when it cannot be used (dismissed).
        message: the plan's words for the rule (the report language).
    """

    legacy: str
    user_id: int | None
    user_name: str
    rule: str
    defaulted: bool
    rows: int
    by_entity: Mapping[str, int] = field(default_factory=dict)
    user_email: str = ""
    flag: str = ""
    matched_id: int | None = None
    matched_name: str = ""
    message: str = ""

    @property
    def key(self) -> str:
        """The legacy owner made comparable (:func:`~migrate.plan.owner_key`)."""
        return owner_key(self.legacy)


class CountingResolver(OwnerResolver):
    """Resolves owners once per legacy value and counts the records of each, per entity."""

    def __init__(
        self,
        meta: PortalMetadata,
        config: MigrationConfig,
        choices: Mapping[str, OwnerChoice] | None = None,
    ) -> None:
        check_choices(choices or {}, meta.users)
        explicit = {k: int(v) if v.isdigit() else v for k, v in config.owners.map.items()}
        super().__init__(meta.users, explicit, default_owner(config, meta), choices)
        self.language = config.language
        self._seen: dict[str, OwnerResolution] = {}
        self._records: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._calls: Counter[tuple[str, str]] = Counter()

    def resolve(self, legacy: str | None, entity: str = "", key: str = "") -> OwnerResolution:
        text = (legacy or "").strip()
        if text not in self._seen:
            self._seen[text] = super().resolve(text)
        if key:
            self._records[text][entity].add(key)
        else:
            self._calls[(text, entity)] += 1
        return self._seen[text]

    def mappings(self) -> tuple[OwnerMapping, ...]:
        """Every legacy owner seen, sorted by what the export writes."""
        return tuple(self._mapping(text, res) for text, res in sorted(self._seen.items()))

    def _mapping(self, text: str, res: OwnerResolution) -> OwnerMapping:
        counts = {e: len(keys) for e, keys in self._records[text].items()}
        for (legacy, entity), n in self._calls.items():
            if legacy == text:
                counts[entity] = counts.get(entity, 0) + n
        user = self.users.get(res.user_id) if res.user_id is not None else None
        found = self.users.get(res.matched) if res.matched is not None else None
        unused = found if found is not None and found.id != res.user_id else None
        return OwnerMapping(
            legacy=text,
            user_id=res.user_id,
            user_name=user.full_name if user else "",
            rule=res.rule,
            defaulted=res.severity != "ok" and res.rule != "owner.initials",
            rows=sum(counts.values()),
            by_entity=counts,
            user_email=user.email if user else "",
            flag=_flag(res),
            matched_id=unused.id if unused else None,
            matched_name=unused.full_name if unused else "",
            message=res.message(self.language),
        )


def _flag(res: OwnerResolution) -> str:
    if res.rule == "owner.no_default":  # the fallback rule is gone: say why from the match
        return "dismissed" if res.matched is not None else "unknown" if res.value else "empty"
    return _FLAGS.get(res.rule, "")


def check_choices(choices: Mapping[str, OwnerChoice], users: Iterable[PortalUser]) -> None:
    """Every client choice names an active employee of the portal.

    Raises:
        ConfigError: one line per choice that does not, with the workbook cell.
    """
    by_id = {u.id: u for u in users}
    by_email = {u.email.lower(): u for u in by_id.values() if u.email}
    problems = []
    for choice in choices.values():
        target = choice.target
        user = by_id.get(target) if isinstance(target, int) else by_email.get(target.lower())
        if user is None:
            problems.append(f"{choice.where}: `{choice.value[:80]}` is not a user of the portal")
        elif not user.active:
            problems.append(f"{choice.where}: `{choice.value[:80]}` ({user.full_name}) is "
                            "dismissed")  # fmt: skip
    if problems:
        raise ConfigError(
            f"{len(problems)} owner choice(s) in owners.xlsx name no active portal user:\n"
            + "\n".join(f"  - {p}" for p in problems),
            next_step="write an active employee's e-mail or id there (the sheet of portal "
            "users lists them) or clear the cell, then run `b24migrate plan` again",
        )


def default_owner(config: MigrationConfig, meta: PortalMetadata) -> int | None:
    """`owners.default_owner` as an active user's id (``None``: not set).

    Raises:
        ConfigError: it names no active employee.
    """
    value = config.owners.default_owner
    if value is None:
        return None
    if value.isdigit() and any(u.id == int(value) and u.active for u in meta.users):
        return int(value)
    found = [u.id for u in meta.users if u.active and u.email.lower() == value.lower()]
    if found:
        return found[0]
    raise ConfigError(
        f"`owners.default_owner` in `{config.file}`: `{value}` is not an active portal user",
        next_step="set it to the id or e-mail of an active employee of the portal",
    )
