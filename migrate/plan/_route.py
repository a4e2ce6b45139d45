"""The load's route, chosen by the plan: `crm.item.batchImport` or the legacy `crm.*.add`.

Why the plan decides: the route changes what the portal does with every record. Imported items
(`crm.item.batchImport`) keep their creation dates and fire no robots or business processes
(b24restdocs `api-reference/crm/universal/import/index.md`); legacy adds fire every automation
rule the integrator set up in the stages before the migration — e-mails and SMS to the client's
customers, tasks for the managers. Importing needs an administrator's webhook for the
historical fields, so ``load.route: auto`` asks `user.admin` (`{"result": true}` or
`{"result": false}`, `api-reference/common/users/user-admin.md`) and takes ``import`` for an
administrator, ``add`` otherwise. The chosen route goes into the ledger with the plan, so
`load` does what the plan said; with ``add`` the plan's first lines say how many records will
fire automation and how to avoid it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from mappings.entities import where
from migrate.errors import ConfigError

__all__ = ["AUTOMATED_ENTITIES", "RouteChoice", "check_route", "choose_route"]

#: Entities whose robots and business processes fire on a legacy add or update.
AUTOMATED_ENTITIES = where(crm=True)

_WHY = {
    "add": ("`load.route: add` в migration.yaml", "`load.route: add` in migration.yaml"),
    "not_admin": (
        "вебхук не администратора портала (user.admin = false)",
        "the webhook's user is not a portal administrator (user.admin = false)",
    ),
}
_WARNING = (
    "Внимание: маршрут загрузки `add` ({why}). Для {n} записей (компании, контакты, сделки, "
    "лиды) сработают роботы и бизнес-процессы портала: письма и SMS клиентам, задачи "
    "менеджерам. Чтобы они не сработали, загружайте вебхуком администратора портала с "
    "`load.route: auto` или `import` (crm.item.batchImport) и выполните `b24migrate plan` снова.",
    "Warning: the load's route is `add` ({why}). The portal's robots and business processes "
    "will fire for {n} records (companies, contacts, deals, leads): e-mails and SMS to "
    "customers, tasks for managers. To avoid it, load with a portal administrator's webhook and "
    "`load.route: auto` or `import` (crm.item.batchImport), then run `b24migrate plan` again.",
)
_IMPORT = (
    "Маршрут загрузки `import` (crm.item.batchImport{why}): роботы и бизнес-процессы не "
    "сработают, даты создания сохранятся.",
    "The load's route is `import` (crm.item.batchImport{why}): no robots or business processes "
    "fire, creation dates are kept.",
)
_ADMIN = (", вебхук администратора портала", ", the webhook's user is a portal administrator")
_UPDATES = (
    " Обновления {n} записей, уже бывших на портале, идут через crm.*.update: бизнес-процессы "
    "«при изменении» для них сработают.",
    " Updates of {n} records already in the portal go through crm.*.update: business processes "
    "that start on a change fire for them.",
)


def choose_route(configured: str, admin: bool | None) -> str:
    """The route the load takes: ``configured`` unless it is ``auto``, then ``import`` for an
    administrator's webhook (``admin``: `user.admin`'s answer) and ``add`` otherwise."""
    if configured != "auto":
        return configured
    return "import" if admin else "add"


_NOT_ADMIN = (
    (
        "в `{file}` задано `load.route: import`, но пользователь вебхука не администратор "
        "портала (user.admin = false): crm.item.batchImport отклонит каждую запись",
        "загрузите вебхуком администратора портала или задайте `load.route: auto` (тогда "
        "загрузка пойдёт через crm.*.add и сработают роботы — план скажет, для скольких "
        "записей), затем выполните `b24migrate plan` снова",
    ),
    (
        "`{file}` sets `load.route: import`, but the webhook's user is not a portal "
        "administrator (user.admin = false): crm.item.batchImport would refuse every record",
        "use a portal administrator's webhook, or set `load.route: auto` (the load then adds "
        "through crm.*.add and automation fires — the plan says for how many records), then "
        "run `b24migrate plan` again",
    ),
)


def check_route(configured: str, admin: bool | None, file: str, language: str = "ru") -> None:
    """Stop the plan when `migration.yaml` asks for ``import`` and the webhook's user is not
    an administrator (`user.admin` false): the load would refuse, better say it now.

    Raises:
        ConfigError: the route cannot be taken with this webhook, and how to fix it.
    """
    if configured != "import" or admin is not False:
        return
    message, step = _NOT_ADMIN[1 if language == "en" else 0]
    raise ConfigError(message.format(file=file), next_step=step)


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """The route the plan chose, why, and how many records fire automation on it.

    Attributes:
        route: ``add`` or ``import``: what `load` will use.
        configured: `load.route` of `migration.yaml` (``auto``, ``add`` or ``import``).
        admin: `user.admin`'s answer for the webhook (``None``: not asked).
        automated: records of :data:`AUTOMATED_ENTITIES` whose write fires automation: every
            create and update on ``add``; on ``import`` only the updates (`crm.*.update`).
        imported: records created by `crm.item.batchImport` (``import`` only).
    """

    route: str
    configured: str = "auto"
    admin: bool | None = None
    automated: int = 0
    imported: int = 0

    @classmethod
    def of(
        cls, configured: str, admin: bool | None, counts: Mapping[tuple[str, str], int]
    ) -> RouteChoice:
        """The choice for ``configured`` and ``admin``, counting the planned ``counts``
        (``(entity, op)`` → records)."""
        ops = {op: 0 for op in ("create", "update")}
        for (entity, op), n in counts.items():
            if entity in AUTOMATED_ENTITIES and op in ops:
                ops[op] += n
        route = choose_route(configured, admin)
        if route == "import":
            return cls(route, configured, admin, ops["update"], ops["create"])
        return cls(route, configured, admin, ops["create"] + ops["update"])

    def to_json(self) -> str:
        """The choice as the ledger keeps it with the plan (:data:`ROUTE_META`)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RouteChoice | None:
        """The choice a plan stored (``None``: no plan stored one, or it cannot be read)."""
        try:
            data = json.loads(text or "")
            return cls(str(data["route"]), str(data["configured"]),
                       None if data["admin"] is None else bool(data["admin"]),
                       int(data["automated"]), int(data["imported"]))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def fires_automation(self) -> bool:
        """The load will fire the portal's automation for at least one record."""
        return self.route == "add" and self.automated > 0

    def lines(self, language: str = "ru") -> tuple[str, ...]:
        """What the plan says first about the route (empty when nothing is sent)."""
        index = 1 if language == "en" else 0
        if self.fires_automation:
            why = _WHY["add" if self.configured == "add" else "not_admin"][index]
            return (_WARNING[index].format(why=why, n=f"{self.automated:,}"),)
        if self.route == "import" and (self.imported or self.automated):
            why = _ADMIN[index] if self.configured == "auto" else ""
            updates = _UPDATES[index].format(n=f"{self.automated:,}") if self.automated else ""
            return (_IMPORT[index].format(why=why) + updates,)
        return ()
