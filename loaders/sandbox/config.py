"""Settings of a sandbox portal: one frozen :class:`SandboxConfig` per app.

Everything that changes how the portal behaves is here, so a test builds the portal it needs
in one line and a CLI flag maps to one field. The clock is injected (``clock``) so tests of the
rate and operating-time limits advance time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "DEFAULT_ITEM_COST_MS",
    "FAULT_KINDS",
    "PLANS",
    "FaultSpec",
    "OAuthConfig",
    "SandboxConfig",
    "parse_faults",
    "parse_item_costs",
    "parse_operating_limit",
]

#: Leaky bucket per plan: (bucket size X, drain Y requests/s); ``None`` = no limit.
PLANS: Mapping[str, tuple[int, float] | None] = MappingProxyType(
    {"standard": (50, 2.0), "enterprise": (250, 5.0), "unlimited": None}
)

#: Accounted operating milliseconds per item when no override is given.
DEFAULT_ITEM_COST_MS = 5.0

#: Fault kinds ``--faults`` understands, in the order they are rolled.
FAULT_KINDS = ("503", "500", "expire", "drop", "timeout")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """Seeded fault injection. Rates are probabilities per REST request (0..1).

    * ``503``: refused before execution with 503 ``QUERY_LIMIT_EXCEEDED`` (nothing written).
    * ``500``: refused before execution with 500 ``INTERNAL_SERVER_ERROR`` (nothing written).
    * ``expire``: OAuth mode only: the access token expires now, 401 ``expired_token``.
    * ``drop``: the call executes and commits, then the reply is lost: HTTP 502 with an HTML
      body, as a proxy in front of the portal answers.
    * ``timeout``: the call executes and commits, then the reply waits ``timeout_delay_s``
      and comes back as HTTP 504 with an HTML body (a client with a shorter timeout gives up).
    * ``crash_after``: the N-th REST request commits, its reply is dropped (502) and the portal
      stays down (every later request 502, nothing executed) until the app is created again.
    """

    rates: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    timeout_delay_s: float = 65.0
    crash_after: int | None = None

    def rate(self, kind: str) -> float:
        return self.rates.get(kind, 0.0)

    @property
    def any(self) -> bool:
        return bool(self.crash_after) or any(v > 0 for v in self.rates.values())


@dataclass(frozen=True, slots=True)
class OAuthConfig:
    """OAuth mode: ``/rest/METHOD?auth=ACCESS_TOKEN`` and a token endpoint at ``/oauth/token/``.

    The first access token is ``SandboxConfig.token`` and the first refresh token is
    ``refresh_token``; every refresh issues a new pair and revokes the old refresh token.
    """

    client_id: str = "local.sandbox"
    client_secret: str = "sandbox-secret"
    refresh_token: str = "sandbox-refresh"
    access_ttl_s: float = 3600.0


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How one sandbox portal behaves.

    Attributes:
        data_dir: directory of ``portal.sqlite``; ``None`` keeps everything in memory.
        token: the inbound-webhook code (``/rest/USER_ID/TOKEN/``) or, with ``oauth``, the
            first access token.
        user_id: the employee who owns the webhook (must be one of the seeded users).
        plan: ``standard`` (50 burst, 2/s), ``enterprise`` (250, 5/s) or ``unlimited``.
        latency_ms: real (async) sleep per REST request.
        item_latency_ms: real sleep per item written or read.
        item_cost_ms: operating time ACCOUNTED (not slept) per item written or read.
        item_cost_by_method: per-method overrides of ``item_cost_ms`` (lower-case method names).
        operating_limit_s / operating_window_s: the per-method budget (480 s per 600 s).
        faults: fault injection, seeded by ``seed``.
        oauth: OAuth mode settings; ``None`` = inbound webhook mode.
        clock: returns unix time in seconds; injected by tests.
        seed_portal: seed users, pipelines, dictionaries and presets into an empty portal.
        extra_webhooks: more inbound webhooks, token → owner user id (e.g. ``{"mgr": 2}``
            for a non-admin employee's webhook).
        required_fields: fields the portal's admin made required, per entity
            (``{"contact": ("PHONE", "UF_CRM_SEGMENT")}``): an add without them is refused
            and ``*.fields`` describes them ``isRequired``. Stored in the portal, like the
            ``required`` key of a ``sandbox seed`` fixture.
        smart_processes: titles of smart processes the portal has (created once, kept in the
            portal's data), each with its default pipeline and stages and a link to deals.
    """

    data_dir: Path | None = None
    token: str = "sandbox"
    user_id: int = 1
    plan: str = "standard"
    latency_ms: float = 0.0
    item_latency_ms: float = 0.0
    item_cost_ms: float = DEFAULT_ITEM_COST_MS
    item_cost_by_method: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    operating_limit_s: float = 480.0
    operating_window_s: float = 600.0
    faults: FaultSpec = field(default_factory=FaultSpec)
    seed: int = 0
    oauth: OAuthConfig | None = None
    clock: Callable[[], float] = time.time
    seed_portal: bool = True
    extra_webhooks: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    required_fields: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    smart_processes: tuple[str, ...] = ()

    @property
    def webhooks(self) -> dict[str, int]:
        """Every inbound webhook: token → the user id in its URL."""
        return {**self.extra_webhooks, self.token: self.user_id}

    def __post_init__(self) -> None:
        if self.plan not in PLANS:
            raise ValueError(f"unknown plan `{self.plan}`; use one of {', '.join(PLANS)}")
        if self.operating_window_s <= 0 or self.operating_limit_s <= 0:
            raise ValueError("operating limit and window must be positive")

    def cost_ms(self, method: str) -> float:
        """Accounted operating milliseconds per item for ``method``."""
        return self.item_cost_by_method.get(method, self.item_cost_ms)


def parse_faults(spec: str, *, timeout_delay_s: float = 65.0) -> FaultSpec:
    """Parse ``"503=0.05,500=0.02,drop=0.02,timeout=0.01,expire=0.01,crash_after=120"``."""
    rates: dict[str, float] = {}
    crash_after: int | None = None
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise ValueError(f"fault `{part}` needs a value, e.g. `503=0.05`")
        if name in ("crash_after", "crash"):
            crash_after = int(value)
            continue
        if name not in FAULT_KINDS:
            raise ValueError(f"unknown fault `{name}`; use {', '.join(FAULT_KINDS)}, crash_after")
        rate = float(value)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate for `{name}` must be between 0 and 1, got {value}")
        rates[name] = rate
    if sum(rates.values()) > 1.0:
        raise ValueError("fault rates add up to more than 1")
    return FaultSpec(MappingProxyType(rates), timeout_delay_s, crash_after)


def parse_item_costs(values: list[str] | tuple[str, ...]) -> tuple[float, dict[str, float]]:
    """Parse ``--item-cost-ms`` values: ``"5"`` (default) and ``"crm.item.batchImport=50"``."""
    default = DEFAULT_ITEM_COST_MS
    per_method: dict[str, float] = {}
    for value in values:
        name, sep, number = value.rpartition("=")
        if sep:
            per_method[name.strip().lower()] = float(number)
        else:
            default = float(number)
    return default, per_method


def parse_operating_limit(value: str) -> tuple[float, float]:
    """Parse ``"480/600"`` into (limit seconds, window seconds)."""
    limit, sep, window = value.partition("/")
    result = (float(limit), float(window) if sep else 600.0)
    if result[0] <= 0 or result[1] <= 0:
        raise ValueError(f"operating limit `{value}` must be two positive numbers, e.g. 480/600")
    return result
