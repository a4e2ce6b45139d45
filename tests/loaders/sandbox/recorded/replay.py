"""Replay recorded replies of real Bitrix24 portals against a sandbox portal and compare them.

A case (YAML, see README.md beside this file) is a request, the reply a real portal gave to it
(as recorded publicly), where it was recorded, and the setup that brings a fresh sandbox into
the state the recording implies. :func:`replay` runs the setup and the request against a
:class:`Target` (in-process or served) and returns the differences; an empty list is a pass.

What may differ is decided by :mod:`.compare`; this module only runs requests.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import yaml

from tests.loaders.sandbox.recorded.compare import Rules, compare, compare_keys

__all__ = ["CASES_DIR", "Case", "InProcess", "Served", "Target", "load_cases", "replay"]

CASES_DIR = Path(__file__).parent / "cases"
_REF = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Case:
    """One recorded request and reply."""

    file: str
    name: str
    source: str
    provenance: str
    request: dict[str, Any]
    status: int
    body: Any
    setup: tuple[dict[str, Any], ...] = ()
    keys: dict[str, Any] | None = None  # a recorded key list instead of a whole reply
    portal: dict[str, Any] = field(default_factory=dict)
    isolated: str = ""  # why the case needs a portal of its own (it changes portal-wide state)
    rules: Rules = field(default_factory=Rules)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def load_cases(root: Path = CASES_DIR) -> list[Case]:
    """Every case of every ``*.yaml`` file under ``root``, in file and list order."""
    cases = []
    for path in sorted(root.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in data["cases"]:
            cases.append(_case(path.stem, raw))
    return cases


def _case(file: str, raw: dict[str, Any]) -> Case:
    reply = raw["reply"]
    body = json.loads(reply["json"]) if "json" in reply else reply.get("body")
    return Case(
        file=file,
        name=raw["name"],
        source=raw["source"],
        provenance=raw["provenance"],
        request=raw["request"],
        status=int(reply["status"]),
        body=body,
        setup=tuple(raw.get("setup") or ()),
        keys=reply.get("keys"),
        portal=dict(raw.get("portal") or {}),
        isolated=str(raw.get("isolated") or ""),
        rules=Rules.from_case(raw),
    )


class Target(Protocol):
    """A portal to send REST calls to: (HTTP status, decoded JSON body)."""

    def call(self, method: str, params: dict[str, Any], verb: str = "POST") -> tuple[int, Any]:
        """Send one call; ``verb`` GET sends ``params`` as a JSON body on a GET request."""
        ...


class InProcess:
    """A sandbox app called through ``httpx.ASGITransport``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hook = f"/rest/{app.config.user_id}/{app.config.token}/"

    def call(self, method: str, params: dict[str, Any], verb: str = "POST") -> tuple[int, Any]:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://portal") as c:
                return await c.request(verb, self.hook + method, json=params)

        reply = asyncio.run(go())
        return reply.status_code, reply.json()


class Served:
    """A sandbox (or any portal) at a webhook URL, e.g. ``http://127.0.0.1:8024/rest/1/x/``."""

    def __init__(self, webhook: str) -> None:
        self.webhook = webhook.rstrip("/") + "/"
        self.http = httpx.Client(timeout=30)

    def call(self, method: str, params: dict[str, Any], verb: str = "POST") -> tuple[int, Any]:
        reply = self.http.request(verb, self.webhook + method, json=params)
        return reply.status_code, reply.json()

    def close(self) -> None:
        self.http.close()


class SetupFailed(AssertionError):
    """A setup step was refused: the case cannot be replayed."""


def replay(case: Case, target: Target) -> list[str]:
    """Run the case's setup and request on ``target``; the differences from the recording."""
    aliases: dict[str, int] = {}
    for step in case.setup:
        for index in range(int(step.get("repeat", 1))):
            _run_step(step, target, aliases, index)
    request = _fill(case.request, aliases, 0)
    status, body = target.call(request["method"], request.get("params") or {},
                               request.get("verb", "POST"))  # fmt: skip
    problems = [] if status == case.status else [f"HTTP status {status}, recorded {case.status}"]
    if case.keys is not None:
        return problems + compare_keys(case.keys, body, case.rules)
    return problems + compare(case.body, body, case.rules.bind(aliases))


def _run_step(step: dict[str, Any], target: Target, aliases: dict[str, int], index: int) -> None:
    filled = _fill(step, aliases, index)
    status, body = target.call(filled["method"], filled.get("params") or {})
    if step.get("allow_error"):
        return
    if status != 200 or "result" not in body:
        raise SetupFailed(f"setup {filled['method']} → {status} {body}")
    if "as" in step:
        aliases[_fill(step["as"], aliases, index)] = _new_id(body["result"])
    for name, path in (step.get("capture") or {}).items():
        aliases[name] = _new_id(_at(body, path))


def _at(body: Any, path: str) -> Any:
    """The value at a dotted path (``result.PHONE.0.ID``) of a reply."""
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def _new_id(result: Any) -> int:
    """The id a write returned: ``5``, ``{"item": {"id": 5}}``, ``{"element": {"id": 5}}``…"""
    if isinstance(result, bool):
        raise SetupFailed(f"no id in {result!r}")
    if isinstance(result, int | str) and str(result).isdigit():
        return int(result)
    if isinstance(result, dict):
        for key in ("id", "ID"):
            if key in result:
                return _new_id(result[key])
        if len(result) == 1:
            return _new_id(next(iter(result.values())))
    raise SetupFailed(f"no id in {result!r}")


def _fill(value: Any, aliases: dict[str, int], index: int) -> Any:
    """``{{alias}}`` → the id made by that setup step (a whole value becomes an int);
    ``{{i}}`` → the repeat index."""
    if isinstance(value, dict):
        return {_fill(k, aliases, index): _fill(v, aliases, index) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, aliases, index) for v in value]
    if not isinstance(value, str) or "{{" not in value:
        return value
    names = {**aliases, "i": index}
    whole = _REF.fullmatch(value)
    if whole:
        return names[whole.group(1)]
    return _REF.sub(lambda m: str(names[m.group(1)]), value)


def iter_sources(cases: list[Case]) -> Iterator[str]:
    """The distinct sources of ``cases`` (for the README's count)."""
    yield from sorted({case.source for case in cases})
