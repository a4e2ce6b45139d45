"""Batch commands: building them, packing them into batches and reading the portal's reply.

A :class:`Command` is one REST call with a key of your choosing. :func:`build_batches` packs any
number of commands into batches of at most 50, keeping every command in the same batch as the
commands its ``$result[KEY]...`` references point to. :func:`parse_batch_reply` turns the
portal's reply back into one :class:`CommandResult` per command, in input order and under your
keys, whatever PHP did to the JSON: empty sections arrive as ``[]`` instead of ``{}``, and a
section whose keys happen to be ``0..n-1`` arrives as a JSON array.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from loaders._encoding import encode_query
from loaders.errors import PortalError, PortalUnavailable, error_from_reply

__all__ = [
    "MAX_BATCH",
    "BatchResult",
    "Command",
    "CommandResult",
    "ReplyTime",
    "build_batches",
    "find_refs",
    "group_commands",
    "is_read_method",
    "parse_batch_reply",
    "resolve_refs",
    "result_ref",
]

MAX_BATCH = 50
_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
_REF = re.compile(r"\$result\[([^\]]+)\]((?:\[[^\]]*\])*)")
_READ_VERBS = frozenset({"list", "get", "fields", "current", "findbycomm", "types", "time"})


def is_read_method(method: str) -> bool:
    """Whether ``method`` only reads (so a call with an unknown outcome is safe to repeat):
    its verb is a read, or it is one of ``crm.enum.*`` (b24restdocs api-reference/crm/
    auxiliary/enum/: each answers a fixed list, e.g. ``crm.enum.addresstype``)."""
    name = method.lower()
    return name.rsplit(".", 1)[-1] in _READ_VERBS or name.startswith("crm.enum.")


@dataclass(frozen=True, slots=True)
class Command:
    """One REST call inside a batch.

    Args:
        key: your name for the command: letters, digits, ``_ . : -``; unique in one batch.
        method: the REST method, e.g. ``crm.contact.add``.
        params: the method's parameters; string values may hold ``$result[KEY][path]``.
        idempotent: whether repeating the command is harmless; by default only reads are.
    """

    key: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    idempotent: bool | None = None
    refs: frozenset[str] = field(init=False, repr=False, compare=False)
    """The keys this command references through ``$result[KEY]...`` (found once, here)."""

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"command key {self.key!r}: use letters, digits, `_ . : -` only")
        if not self.method or "?" in self.method:
            raise ValueError(f"command `{self.key}`: bad method name {self.method!r}")
        found = frozenset(m.group(1) for text in _strings(self.params) for m in _REF.finditer(text))
        object.__setattr__(self, "refs", found)

    @property
    def items(self) -> int:
        """How many records the command carries: ``len(data)`` for ``batchImport``, else 1."""
        data = self.params.get("data")
        return max(len(data), 1) if isinstance(data, list | tuple) else 1

    @property
    def retry_safe(self) -> bool:
        """Whether the command may be repeated when its outcome is unknown."""
        return self.idempotent if self.idempotent is not None else is_read_method(self.method)

    def to_cmd(self) -> str:
        """The command as the batch ``cmd`` value: ``method?php-bracket-query``."""
        query = encode_query(self.params)
        return f"{self.method}?{query}" if query else self.method


def result_ref(key: str, *path: str | int) -> str:
    """A reference to an earlier command's result: ``result_ref("c1", 49, "ID")``."""
    return f"$result[{key}]" + "".join(f"[{part}]" for part in path)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def find_refs(command: Command) -> set[str]:
    """The keys of the commands that ``command`` references through ``$result[...]``."""
    return set(command.refs)


def _walk(value: Any, path: str) -> Any:
    for part in re.findall(r"\[([^\]]*)\]", path):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _resolve(value: Any, results: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole and whole.group(1) in results:
            return _walk(results[whole.group(1)], whole.group(2))

        def scalar(m: re.Match[str]) -> str:
            if m.group(1) not in results:
                return m.group(0)
            found = _walk(results[m.group(1)], m.group(2))
            return "" if found is None else str(found)

        return _REF.sub(scalar, value)
    if isinstance(value, Mapping):
        return {k: _resolve(v, results) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(v, results) for v in value]
    return value


def resolve_refs(command: Command, results: Mapping[str, Any]) -> Command:
    """``command`` with its references to already-known ``results`` (by key) filled in.

    Used to re-send a command alone after the commands it referenced succeeded in an earlier
    batch. A reference that is the whole value takes the referenced value as is (arrays too).
    """
    params = _resolve(dict(command.params), results)
    return Command(command.key, command.method, params, command.idempotent)


def group_commands(commands: Sequence[Command]) -> list[tuple[Command, ...]]:
    """Split ``commands`` into groups linked by ``$result`` references, in input order.

    Raises:
        ValueError: duplicate keys, or a reference to an unknown or later key.
    """
    index: dict[str, int] = {}
    for i, command in enumerate(commands):
        if command.key in index:
            raise ValueError(f"command key `{command.key}` is used twice")
        index[command.key] = i
    parent = list(range(len(commands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, command in enumerate(commands):
        for ref in command.refs:
            if index.get(ref, len(commands)) >= i:
                raise ValueError(f"command `{command.key}` references `{ref}`, not an earlier key")
            parent[root(i)] = root(index[ref])
    groups: dict[int, list[Command]] = {}
    for i, command in enumerate(commands):
        groups.setdefault(root(i), []).append(command)
    return [tuple(group) for group in groups.values()]


def build_batches(commands: Sequence[Command], size: int = MAX_BATCH) -> list[tuple[Command, ...]]:
    """Pack ``commands`` into batches of at most ``size``, in order.

    A command and every command it references (directly or not) land in the same batch.

    Raises:
        ValueError: as :func:`group_commands`, or a group larger than ``size``.
    """
    if not 1 <= size <= MAX_BATCH:
        raise ValueError(f"batch size must be 1..{MAX_BATCH}, got {size}")
    order = {c.key: i for i, c in enumerate(commands)}
    batches: list[tuple[Command, ...]] = []
    chunk: list[Command] = []
    for group in group_commands(commands):
        if len(group) > size:
            raise ValueError(
                f"{len(group)} commands chained to `{group[0].key}` exceed a batch ({size})"
            )
        if len(chunk) + len(group) > size:
            batches.append(tuple(sorted(chunk, key=lambda c: order[c.key])))
            chunk = []
        chunk.extend(group)
    if chunk:
        batches.append(tuple(sorted(chunk, key=lambda c: order[c.key])))
    return batches


@dataclass(frozen=True, slots=True)
class ReplyTime:
    """The ``time`` block of a reply (or one ``result_time`` entry); missing keys are ``None``."""

    start: float | None = None
    finish: float | None = None
    duration: float | None = None
    processing: float | None = None
    operating: float | None = None
    operating_reset_at: float | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> ReplyTime | None:
        if not isinstance(raw, Mapping):
            return None

        def number(name: str) -> float | None:
            value = raw.get(name)
            try:
                return None if value is None or isinstance(value, bool) else float(value)
            except (TypeError, ValueError):
                return None

        return cls(*(number(name) for name in cls.__slots__))


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What happened to one command: ``ok`` with a result, ``error``, or ``skipped`` (halt)."""

    command: Command
    status: Literal["ok", "error", "skipped"]
    result: Any = None
    error: PortalError | None = None
    total: int | None = None
    next: int | None = None
    time: ReplyTime | None = None

    @property
    def key(self) -> str:
        return self.command.key

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Per-command results of a batch, in input order; ``result["key"]`` looks one up."""

    results: tuple[CommandResult, ...]

    def __getitem__(self, key: str) -> CommandResult:
        for item in self.results:
            if item.key == key:
                return item
        raise KeyError(key)

    def __iter__(self) -> Iterator[CommandResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        """Whether every command succeeded."""
        return all(item.ok for item in self.results)

    @property
    def errors(self) -> list[CommandResult]:
        return [item for item in self.results if item.status == "error"]


class _BadReply(Exception):
    pass


def _section(raw: Any, keys: Sequence[str], name: str) -> dict[str, Any]:
    """One reply section as ``{wire key: value}``, undoing PHP's ``[]`` and list encodings."""
    if raw is None or raw == []:
        return {}
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items()}
    if isinstance(raw, list):
        indexes = [str(i) for i in range(len(raw))]
        known = set(keys)
        if all(i in known for i in indexes):
            return dict(zip(indexes, raw, strict=True))
        if len(raw) == len(keys):  # not something PHP does; positional is the only reading
            return dict(zip(keys, raw, strict=True))
    raise _BadReply(f"batch reply section `{name}` does not match the commands sent")


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def parse_batch_reply(body: Any, commands: Sequence[Command]) -> BatchResult:
    """Map a batch reply ``{"result": {"result": ..., "result_error": ..., ...}}`` to results.

    Raises:
        PortalUnavailable: the reply is not a batch reply (treated as an unexpected answer).
    """
    keys = [c.key for c in commands]
    inner = body.get("result") if isinstance(body, Mapping) else None
    if not isinstance(inner, Mapping):
        raise PortalUnavailable("the batch reply has no `result` object", method="batch")
    try:
        ok = _section(inner.get("result"), keys, "result")
        errors = _section(inner.get("result_error"), keys, "result_error")
        totals = _section(inner.get("result_total"), keys, "result_total")
        nexts = _section(inner.get("result_next"), keys, "result_next")
        times = _section(inner.get("result_time"), keys, "result_time")
    except _BadReply as exc:
        raise PortalUnavailable(str(exc), method="batch") from None
    out = []
    for command in commands:
        key = command.key
        time = ReplyTime.from_raw(times.get(key))
        if key in errors:
            raw = errors[key] if isinstance(errors[key], Mapping) else {}
            error = error_from_reply(
                str(raw.get("error", "")),
                str(raw.get("error_description", "")),
                http_status=None,
                method=command.method,
                key=key,
                reset_at=time.operating_reset_at if time else None,
            )
            out.append(CommandResult(command, "error", error=error, time=time))
        elif key in ok:
            out.append(
                CommandResult(
                    command,
                    "ok",
                    result=ok[key],
                    total=_int_or_none(totals.get(key)),
                    next=_int_or_none(nexts.get(key)),
                    time=time,
                )
            )
        else:
            out.append(CommandResult(command, "skipped", time=time))
    return BatchResult(tuple(out))
